/**
 * The `f5BigIp` connector block: which BIG-IP management interface to call, which client-ssl
 * profile to point at the new certificate, and how to trust and log in to that interface.
 * Credentials live in a Secret (never inline); the management certificate is verified,
 * always, against the system roots plus an optional explicit CA bundle.
 */
import { z } from 'zod';
import { hostPort } from '@cert-deployer/connector-sdk';

/** BIG-IP object names (partitions, profiles, certKeyChain entries): letters, digits, `.`, `_`, `-`. */
const objectName = z.string().min(1).max(63).regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must start with a letter and hold only letters, digits, ".", "_" and "-"');

/** Default prefix of the objects the connector creates (and the only ones it ever deletes). */
export const DEFAULT_OBJECT_PREFIX = 'certdeployer';
export const DEFAULT_PARTITION = 'Common';

export const f5BigIpConfig = z
  .object({
    address: hostPort.describe('host:port of the BIG-IP management interface (iControl REST), e.g. "bigip-mgmt.example.com:443". The only address the connector dials.'),
    partition: objectName.default(DEFAULT_PARTITION).describe('Administrative partition of the profile and of the certificate and key objects. Defaults to Common.'),
    clientSslProfile: objectName.describe('Name of the existing client-ssl profile (in the partition) whose certKeyChain gets the new certificate, key and chain. The connector never creates or deletes the profile.'),
    certKeyChainName: objectName
      .optional()
      .describe('Name of the certKeyChain entry to replace when the profile has several (one per key type). Optional when the profile has at most one entry.'),
    credentialsRef: z
      .object({ name: z.string().min(1).max(253).describe('Secret name in the same namespace.') })
      .describe('Secret holding username and password of a BIG-IP user allowed to manage SSL objects and the profile (see docs/connectors/f5-big-ip.md for the role).'),
    caBundle: z
      .string()
      .max(65536)
      .regex(/-----BEGIN CERTIFICATE-----/, 'must be PEM certificates')
      .optional()
      .describe('PEM CA bundle that signs the management interface certificate, trusted in addition to the system roots. For a self-signed management certificate put that certificate here (pinning); its names must match address. Verification is never turned off.'),
    objectPrefix: objectName
      .max(32)
      .default(DEFAULT_OBJECT_PREFIX)
      .describe('Prefix of the certificate, key and chain objects the connector installs (<prefix>-<owner>-<fingerprint>). Only objects with this prefix and this target\'s owner id are ever deleted.'),
    saveConfig: z
      .boolean()
      .default(true)
      .describe('Save the running configuration after the swap (tmsh save sys config), then remove the previous objects. Saving persists every pending change on the device, not only this one. With false nothing is saved and previous objects are kept (a reboot into the saved configuration may still need them); undeploy removes them.'),
  })
  .describe('Installs the certificate, key and chain on an F5 BIG-IP as new objects and swaps a client-ssl profile to them in one iControl REST transaction.');
export type F5BigIpConfig = z.infer<typeof f5BigIpConfig>;
