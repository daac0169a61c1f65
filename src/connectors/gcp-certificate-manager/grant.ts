/**
 * The least grant for a configuration: dial the API's `host:port`, plus the one place tokens
 * come from (the OAuth token endpoint for a service account key, the metadata server for
 * workload identity). No files, no commands. Pure, so `capabilities()` is the same on every
 * call and an operator can write a policy from the configuration alone.
 */
import type { Grant } from '@cert-deployer/connector-sdk';
import type { GcpCertificateManagerConfig } from './config.ts';

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** The exact `host:port` a base URL dials (default ports filled in, IPv6 in brackets). */
export function dialAddressOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.hostname.toLowerCase()}:${url.port === '' ? DEFAULT_PORTS[url.protocol] : url.port}`;
}

/** Where this configuration gets its access token from. */
export function tokenSourceUrl(config: GcpCertificateManagerConfig): string {
  return config.credentialsRef === undefined ? config.metadataServerUrl : config.tokenUrl;
}

/** The grant `config` needs, deduplicated (an API and token server on one address is one item). */
export function grantFor(config: GcpCertificateManagerConfig): Grant {
  const dial = [...new Set([dialAddressOf(config.endpoint), dialAddressOf(tokenSourceUrl(config))])];
  return Object.freeze({ read: Object.freeze([]), write: Object.freeze([]), dial: Object.freeze(dial), exec: Object.freeze([]) });
}
