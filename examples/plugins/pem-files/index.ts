/**
 * `pem-files`: the example cert-deployer plugin, in AssemblyScript. It does what the in-tree
 * `example` connector does — write the certificate chain and the key as PEM files, run one
 * reload command, and put the previous files back (and reload again) when the reload refuses
 * them — but as a WASM plugin that can do nothing except call the host's Sandbox functions,
 * which check the grant its manifest declares (manifest.json, embedded in the .wasm by
 * hack/plugins/build.ts).
 *
 * Input of `deploy`: `{"config":{...},"deployment":{...},"context":{...}}` (docs/plugins.md).
 */
import { Host } from '@extism/as-pdk';
import { JV, parse, quote, quoteAll } from '../lib/json';
import { exec, readFile, restoreFile, writeFile, Reply } from '../lib/sandbox';
import { fail, failWith, succeed } from '../lib/result';

/** Each PEM block ends with a newline, and the blocks follow one another (leaf first). */
function pemChain(dep: JV): string {
  let out = '';
  let chain = dep.strings('chainPem');
  if (chain.length == 0) chain = [dep.str('certificatePem')];
  for (let i = 0; i < chain.length; i++) out += chain[i].endsWith('\n') ? chain[i] : chain[i] + '\n';
  return out;
}

/** Whether `path` already holds exactly `text`; a host error is returned as a Reply to pass on. */
function holds(path: string, text: string): Reply {
  const r = readFile('{"path":' + quote(path) + '}');
  if (!r.ok) return r;
  const same = r.body.bool('found') && r.body.str('text', '\u0000') == text;
  const body = new JV();
  body.kind = 1;
  body.b = same;
  return new Reply(true, body);
}

function runReload(argv: Array<string>, timeoutMs: f64): Reply {
  return exec('{"argv":' + quoteAll(argv) + ',"timeoutMs":' + timeoutMs.toString() + '}');
}

/** Restores newest first; returns the paths that could not be put back. */
function restoreAll(handles: Array<i32>, paths: Array<string>): Array<string> {
  const stuck = new Array<string>();
  for (let i = handles.length - 1; i >= 0; i--) {
    if (!restoreFile('{"handle":' + handles[i].toString() + '}').ok) stuck.push(paths[i]);
  }
  return stuck;
}

export function deploy(): i32 {
  const input = parse(Host.inputString());
  const config = input.get('config')!;
  const dep = input.get('deployment')!;
  const certPath = config.str('certificatePath');
  const keyPath = config.str('privateKeyPath');
  const reload = config.strings('reload');
  const timeoutMs = config.num('commandTimeoutSeconds', 30) * 1000;
  const certText = pemChain(dep);
  let keyText = dep.str('privateKeyPem');
  if (!keyText.endsWith('\n')) keyText += '\n';

  // Idempotent on content: a replay writes and runs nothing.
  const certSame = holds(certPath, certText);
  if (!certSame.ok) return failWith(certSame.ref);
  const keySame = holds(keyPath, keyText);
  if (!keySame.ok) return failWith(keySame.ref);
  if (certSame.body.b && keySame.body.b) return succeed(false, certPath + ', ' + keyPath + ' already hold this certificate');

  const handles = new Array<i32>();
  const written = new Array<string>();
  const files: Array<string> = [certPath, keyPath];
  const texts: Array<string> = [certText, keyText];
  const modes: Array<i32> = [0o644, 0o600];
  for (let i = 0; i < 2; i++) {
    const w = writeFile('{"path":' + quote(files[i]) + ',"text":' + quote(texts[i]) + ',"mode":' + modes[i].toString() + '}');
    if (!w.ok) {
      const stuck = restoreAll(handles, written);
      if (stuck.length > 0) return fail(false, 'deploy failed and ' + stuck.join(', ') + ' could not be restored');
      return failWith(w.ref);
    }
    handles.push(<i32>w.body.num('handle'));
    written.push(files[i]);
  }

  const r = runReload(reload, timeoutMs);
  if (!r.ok) {
    // Denied, unreachable or cancelled while reloading: put the files back, pass the error on.
    const stuck = restoreAll(handles, written);
    if (stuck.length > 0) return fail(false, 'deploy failed and ' + stuck.join(', ') + ' could not be restored');
    return failWith(r.ref);
  }
  const timedOut = r.body.bool('timedOut');
  const exit = r.body.get('exitCode');
  const exitCode = exit != null && exit.kind == 2 ? <i32>exit.n : -1;
  if (timedOut || exitCode != 0) {
    // The server refused the files (or hung): restore, reload on the previous files, report.
    // The server's output is not quoted: it may print the key it could not load.
    const stuck = restoreAll(handles, written);
    let again: string;
    if (stuck.length > 0) again = 'could not restore ' + stuck.join(', ');
    else {
      const r2 = runReload(reload, timeoutMs);
      again = r2.ok && r2.body.bool('timedOut') == false && r2.body.num('exitCode', -1) == 0 ? 'previous files restored and reloaded' : 'previous files restored, but the reload after restore failed too';
    }
    const status = timedOut ? 'timed out' : 'exited ' + exitCode.toString();
    return fail(timedOut, 'reload failed (' + again + '): ' + reload.join(' ') + ' ' + status);
  }
  return succeed(true, 'wrote ' + certPath + ', ' + keyPath + '; ran ' + reload.join(' '));
}
