/**
 * Certificate fixtures minted at test time (no private key is ever committed). Import from
 * here: `import { mintChain, toPkcs1Pem } from '../../support/certs/index.ts'`.
 */
export { mintChain, mintImpostor, mintSelfSigned } from './mint-chain.ts';
export type { MintChainOptions, MintedChain, MintedLeaf, LeafOptions, MintKeyAlgorithm, CaKeyAlgorithm } from './mint-chain.ts';
export {
  toPkcs1Pem,
  toSec1Pem,
  toEncryptedPkcs8Pem,
  toLegacyEncryptedPem,
  withCrlf,
  withBagAttributes,
  withKeyBagAttributes,
  toDer,
} from './key-formats.ts';
export { keyMaterialNeedles, keyMaterialLeaks } from '../../../packages/connector-sdk/src/testing/leak-check.ts';
export { openssl, readPkcs12, parsePkcs12Output } from './openssl.ts';
export type { OpensslResult, Pkcs12Bag, Pkcs12Dump } from './openssl.ts';
