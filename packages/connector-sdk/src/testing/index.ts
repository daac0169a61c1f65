/**
 * Test helpers a connector author needs next to the conformance suite: certificate chains
 * minted at test time (no committed key), the key-material leak check, and a real OpenSSH
 * server on loopback (needs `sshd` and `ssh-keygen` on PATH) for SSH targets.
 */
export * from './mint-chain.ts';
export { keyMaterialLeaks, keyMaterialNeedles } from './leak-check.ts';
export { startSshd, type Sshd } from './sshd.ts';
export { generateKey, type KeyPair, type KeyType } from './ssh-keys.ts';
