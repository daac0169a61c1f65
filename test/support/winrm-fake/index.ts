/**
 * The WinRM + IIS fake for the iis connector's tests: `startWinrmFake()` gives an HTTPS
 * WS-Management listener on loopback whose commands run on an in-memory IIS host. It is a
 * fake of the documented protocol, not an emulator of Windows; see winrm-fake.ts.
 */
export { startWinrmFake, type WinrmFake, type WinrmFakeOptions, type CommandRecord } from './winrm-fake.ts';
export { IisHost, type FakeBinding, type FakeSite, type StoredCertificate, type HostFaults } from './iis-host.ts';
export { readSingleQuoted, parseScript, runScript, UnknownScriptError } from './ps-interpreter.ts';
export { VOCABULARY } from './vocabulary.ts';
