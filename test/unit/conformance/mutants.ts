/**
 * Deliberately broken file-plus-reload connectors, one flaw each, to prove the conformance
 * suite catches what it claims to. `naiveConnector(ctx)` with no flaws is a correct connector
 * (the meta test checks that too), so each mutant differs from a passing one by exactly one
 * decision.
 */
import type { Connector } from '../../../packages/connector-sdk/src/connector.ts';
import { terminal } from '../../../packages/connector-sdk/src/connector-error.ts';
import { sameContent, type PlannedFile } from '../../../packages/connector-sdk/src/file-plan.ts';
import { CertDeployerError, ErrorCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { Grant } from '../../../packages/connector-sdk/src/sandbox/grant.ts';
import type { FileWrite } from '../../../packages/connector-sdk/src/sandbox/sandbox.ts';
import type { FileTargetContext } from '@cert-deployer/connector-sdk/conformance';
import { heldCertificateOf } from '../../../packages/connector-sdk/src/inspect.ts';

export const FLAWS = [
  'overDeclares', // declares a write root it never uses
  'swallowsDenial', // turns a DeniedError into "nothing to do"
  'alwaysWrites', // no idempotency check
  'noRollback', // leaves the new files when the reload fails
  'noRestoreOnThrow', // leaves the new files when exec throws (denied, cancelled)
  'quotesServerOutputRaw', // puts the reload's stderr (which may quote the key) into its error unredacted
  'ignoresSignal', // never passes the signal to the sandbox
  'plainErrors', // throws a bare Error for a failed reload
  'shellReload', // runs the reload through `sh -c`
  'extraResultKey', // returns fields beyond { changed, message, remoteId }
  'leafOnly', // writes the leaf without its chain
  'groupWritableKey', // writes the key 0660
  'retryableReloadFailure', // calls a refused reload retryable
  'inspectWrites', // "inspects" by touching the target (and ignores the refusal)
  'inspectTrustsExpected', // reports the fingerprint it was told to expect without reading
] as const;
export type Flaw = (typeof FLAWS)[number];

/** A file-plus-reload connector for a conformance file target, with at most one flaw. */
export function naiveConnector(ctx: FileTargetContext, flaw?: Flaw): Connector {
  const reloadArgv = flaw === 'shellReload' ? ['/bin/sh', '-c', ctx.reloadArgv.join(' ')] : [...ctx.reloadArgv];
  const grant: Grant = {
    read: [],
    write: [ctx.certificatePath, ctx.privateKeyPath, ...(flaw === 'overDeclares' ? [`${ctx.dir}/unused.pem`] : [])],
    dial: [],
    exec: [{ argv: reloadArgv }],
  };
  return {
    name: `naive${flaw === undefined ? '' : `-${flaw}`}`,
    capabilities: () => grant,
    async deploy(outer, sandbox, dep) {
      const signal = flaw === 'ignoresSignal' ? new AbortController().signal : outer;
      const files: PlannedFile[] = [
        { path: ctx.certificatePath, data: (flaw === 'leafOnly' ? [dep.certificatePem] : dep.chainPem).join(''), options: { mode: 0o644 } },
        { path: ctx.privateKeyPath, data: dep.privateKey.reveal(), options: { mode: flaw === 'groupWritableKey' ? 0o660 : 0o600 } },
      ];
      try {
        if (flaw !== 'alwaysWrites' && (await sameContent(sandbox, files, signal))) return { changed: false };
      } catch (err) {
        if (flaw === 'swallowsDenial') return { changed: false };
        throw err;
      }
      const written: FileWrite[] = [];
      const undo = async (): Promise<void> => {
        for (const w of written.reverse()) await sandbox.restoreFile(w);
      };
      let r;
      try {
        for (const f of files) written.push(await sandbox.writeFile(f.path, f.data, { ...f.options, signal }));
        r = await sandbox.exec(reloadArgv, { signal });
      } catch (err) {
        if (flaw === 'swallowsDenial') return { changed: false };
        if (flaw !== 'noRestoreOnThrow') await undo();
        throw err;
      }
      if (r.exitCode !== 0) {
        if (flaw !== 'noRollback') {
          await undo();
          await sandbox.exec(reloadArgv, { signal });
        }
        if (flaw === 'plainErrors') throw new Error('reload failed');
        if (flaw === 'quotesServerOutputRaw') throw new CertDeployerError(ErrorCode.Connector, `reload failed: ${r.stderr}`);
        if (flaw === 'retryableReloadFailure') throw new CertDeployerError(ErrorCode.Connector, 'reload failed', { retryable: true });
        throw terminal(`reload failed: ${r.stderr}`);
      }
      return flaw === 'extraResultKey' ? ({ changed: true, files: files.length } as { changed: boolean }) : { changed: true };
    },
    async inspect(signal, sandbox, ictx) {
      if (flaw === 'inspectTrustsExpected') return { active: { fingerprint: ictx.fingerprint } };
      if (flaw === 'inspectWrites') await sandbox.writeFile(`${ctx.certificatePath}.checked`, 'x', { signal }).catch(() => undefined);
      const bytes = await sandbox.readFile(ctx.certificatePath, { signal });
      return { active: bytes === null ? null : heldCertificateOf(new TextDecoder().decode(bytes)) };
    },
  };
}
