/**
 * The registered connectors: ONE line per connector, nothing else. Every export of this module
 * is a registry entry (`registry.ts` reads the module's namespace), so adding a connector is
 * adding its `export { xConnector } from './x/index.ts';` line here. Unregistered folders
 * (`example/`, the copy-me template) are simply not listed.
 */
export { apacheConnector } from './apache/index.ts';
export { awsAcmConnector } from './aws-acm/index.ts';
export { azureKeyVaultConnector } from './azure-key-vault/index.ts';
export { f5BigIpConnector } from './f5-big-ip/index.ts';
export { fileConnector } from './file/index.ts';
export { gcpCertificateManagerConnector } from './gcp-certificate-manager/index.ts';
export { haproxyConnector } from './haproxy/index.ts';
export { iisConnector } from './iis/index.ts';
export { nginxConnector } from './nginx/index.ts';
