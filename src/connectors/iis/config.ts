/**
 * The `iis` connector block: imports the certificate into `LocalMachine\My` on a Windows host
 * and points a site's https bindings at it, through WinRM over HTTPS with Basic
 * authentication. Only that transport is supported: NTLM, Kerberos and CredSSP need message
 * encryption or a domain, which the sandbox's plain HTTPS requests do not provide.
 */
import { z } from 'zod';

/** `host:port` exactly as the sandbox's dial grant spells it (IPv6 in brackets). */
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):[1-9][0-9]{0,4}$/;
/** No control characters: IIS refuses them in names, and they have no place in a script literal. */
const PRINTABLE = /^[^\p{Cc}]+$/u;
/** A DNS host header, optionally a leading wildcard label (IIS 10 wildcard host headers). */
const HOST_HEADER = /^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;
/** `*` (All Unassigned) or a dotted IPv4 address. */
const IP_ADDRESS = /^(\*|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))$/;

export const iisBinding = z.object({
  hostHeader: z
    .string()
    .max(253)
    .regex(HOST_HEADER, 'must be a DNS name, optionally starting with "*."')
    .optional()
    .describe('Host name of the binding (SNI is required for it). Omit for a binding that answers every name.'),
  port: z.int().min(1).max(65535).default(443).describe('TCP port of the binding.'),
  ipAddress: z
    .string()
    .regex(IP_ADDRESS, 'must be "*" or an IPv4 address')
    .default('*')
    .describe('"*" (All Unassigned, the default) or one IPv4 address of the server.'),
});
export type IisBinding = z.infer<typeof iisBinding>;

export const iisConfig = z
  .object({
    address: z
      .string()
      .min(3)
      .max(261)
      .regex(ADDRESS, 'must be host:port')
      .describe('host:port of the WinRM HTTPS listener, usually 5986. The only address this target may dial.'),
    credentialsRef: z
      .object({ name: z.string().min(1).max(253).describe('Secret name in the same namespace.') })
      .describe('Secret holding `username` and `password` of a local Windows administrator, sent with HTTP Basic authentication over TLS.'),
    caBundle: z
      .string()
      .max(65536)
      .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate bundle')
      .optional()
      .describe('PEM CA bundle that issued the WinRM listener certificate, when no public CA did. Verification is never turned off.'),
    siteName: z
      .string()
      .min(1)
      .max(256)
      .regex(PRINTABLE, 'must not contain control characters')
      .describe('Name of the IIS site whose https bindings get the certificate, e.g. "Default Web Site".'),
    bindings: z
      .array(iisBinding)
      .min(1)
      .max(32)
      .optional()
      .describe('The https bindings to point at the certificate; missing ones are created. Default: every https binding the site has.'),
    removeOldCertificate: z
      .boolean()
      .default(true)
      .describe('Remove certificates this target imported earlier from LocalMachine\\My once no binding of any site uses them. Certificates imported by anything else are never removed.'),
    pfxEncryption: z
      .enum(['aes256', 'legacy3des'])
      .default('aes256')
      .describe('Protection of the PKCS#12 file sent to the host: aes256 (Windows Server 2019 / Windows 10 1709 and later) or legacy3des (Windows Server 2016 and older).'),
  })
  .describe('Imports the certificate on a Windows host over WinRM (HTTPS, Basic auth) and updates an IIS site\'s https bindings. Verified only against a fake of the documented protocol.');
export type IisConfig = z.infer<typeof iisConfig>;
