/**
 * What each documented body line does on the fake host (docs/connectors/iis.md, "The
 * scripts"). The line texts are this fake's own copy of the documentation; a statement that
 * reads a variable nobody set fails, like PowerShell under StrictMode would make it obvious.
 */
import { Buffer } from 'node:buffer';
import type { FakeBinding } from './iis-host.ts';
import { ScriptError, type Statement, type Vars } from './ps-interpreter.ts';

const CERT_PREFIX = 'Cert:\\LocalMachine\\My\\';

function str(vars: Vars, name: string): string {
  const v = vars.get(name);
  if (typeof v !== 'string') throw new Error(`fake: $${name} is not a string here (${typeof v})`);
  return v;
}

function int(vars: Vars, name: string): number {
  const v = vars.get(name);
  if (typeof v !== 'number') throw new Error(`fake: $${name} is not an integer here`);
  return v;
}

function bindingsOf(vars: Vars): FakeBinding[] {
  const v = vars.get('binding');
  if (!Array.isArray(v)) throw new Error('fake: $binding was not looked up first');
  return v as FakeBinding[];
}

function thumbOfPath(path: string): string {
  if (!path.startsWith(CERT_PREFIX)) throw new Error('fake: not a LocalMachine\\My path');
  return path.slice(CERT_PREFIX.length).toUpperCase();
}

const statements: Record<string, Statement> = {
  'Import-Module WebAdministration': () => undefined,
  '$sites = @(Get-Website | ForEach-Object { $_.Name })': (vars, host) => {
    vars.set('sites', [...host.sites.values()].map((s) => s.name));
  },
  "$bindings = @(Get-Website | ForEach-Object { $siteName = $_.Name; $_.bindings.Collection | Where-Object { $_.protocol -eq 'https' } | ForEach-Object { [ordered]@{ site = $siteName; bindingInformation = $_.bindingInformation; certificateHash = [string]$_.certificateHash; sslFlags = [int]$_.sslFlags } } })": (vars, host) => {
    vars.set('bindings', [...host.sites.values()].flatMap((s) => s.bindings.filter((b) => b.protocol === 'https').map((b) => ({ site: s.name, bindingInformation: b.bindingInformation, certificateHash: b.certificateHash, sslFlags: b.sslFlags }))));
  },
  "$certificates = @(Get-ChildItem -LiteralPath 'Cert:\\LocalMachine\\My' | ForEach-Object { [ordered]@{ thumbprint = $_.Thumbprint; friendlyName = $_.FriendlyName; hasPrivateKey = $_.HasPrivateKey } })": (vars, host) => {
    vars.set('certificates', [...host.store.values()].map((c) => ({ thumbprint: c.thumbprint, friendlyName: c.friendlyName, hasPrivateKey: c.hasPrivateKey })));
  },
  '[Console]::Out.Write((ConvertTo-Json -InputObject ([ordered]@{ sites = $sites; bindings = $bindings; certificates = $certificates }) -Compress -Depth 4))': (vars, _host, out) => {
    for (const n of ['sites', 'bindings', 'certificates']) if (!Array.isArray(vars.get(n))) throw new Error(`fake: $${n} is not set`);
    out.stdout += JSON.stringify({ sites: vars.get('sites'), bindings: vars.get('bindings'), certificates: vars.get('certificates') });
  },
  "$b64Path = Join-Path -Path ([IO.Path]::GetTempPath()) -ChildPath ($name + '.b64')": (vars, host) => {
    vars.set('b64Path', `${host.tempDir}${str(vars, 'name')}.b64`);
  },
  "$pfxPath = Join-Path -Path ([IO.Path]::GetTempPath()) -ChildPath ($name + '.pfx')": (vars, host) => {
    vars.set('pfxPath', `${host.tempDir}${str(vars, 'name')}.pfx`);
  },
  '[IO.File]::WriteAllText($b64Path, $chunk)': (vars, host) => {
    host.tempFiles.set(str(vars, 'b64Path'), str(vars, 'chunk'));
    host.mutations++;
  },
  '[IO.File]::AppendAllText($b64Path, $chunk)': (vars, host) => {
    const path = str(vars, 'b64Path');
    host.tempFiles.set(path, (host.tempFiles.get(path) ?? '') + str(vars, 'chunk'));
    host.mutations++;
  },
  "try { [IO.File]::WriteAllBytes($pfxPath, [Convert]::FromBase64String([IO.File]::ReadAllText($b64Path))); $null = Import-PfxCertificate -FilePath $pfxPath -CertStoreLocation 'Cert:\\LocalMachine\\My' -Password (ConvertTo-SecureString -String $password -AsPlainText -Force) } finally { Remove-Item -LiteralPath $b64Path, $pfxPath -Force -ErrorAction SilentlyContinue }": async (vars, host) => {
    const b64Path = str(vars, 'b64Path');
    const pfxPath = str(vars, 'pfxPath');
    try {
      const text = host.tempFiles.get(b64Path);
      if (text === undefined) throw new ScriptError(`Could not find file '${b64Path}'.`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new ScriptError('The input is not a valid Base-64 string as it contains a non-base 64 character.');
      host.tempFiles.set(pfxPath, text);
      await host.importPfx(Buffer.from(text, 'base64'), str(vars, 'password'));
    } finally {
      if (host.tempFiles.delete(b64Path)) host.mutations++;
      if (host.tempFiles.delete(pfxPath)) host.mutations++;
    }
  },
  'Remove-Item -LiteralPath $b64Path, $pfxPath -Force -ErrorAction SilentlyContinue': (vars, host) => {
    if (host.tempFiles.delete(str(vars, 'b64Path'))) host.mutations++;
    if (host.tempFiles.delete(str(vars, 'pfxPath'))) host.mutations++;
  },
  "$certPath = 'Cert:\\LocalMachine\\My\\' + $thumbprint": (vars) => {
    vars.set('certPath', CERT_PREFIX + str(vars, 'thumbprint'));
  },
  "if (-not (Test-Path -LiteralPath $certPath)) { throw ('the file did not add certificate ' + $thumbprint + ' to LocalMachine\\My') }": (vars, host) => {
    if (!host.store.has(thumbOfPath(str(vars, 'certPath')))) throw new ScriptError(`the file did not add certificate ${str(vars, 'thumbprint')} to LocalMachine\\My`);
  },
  'if (Test-Path -LiteralPath $certPath) { Remove-Item -LiteralPath $certPath -DeleteKey }': (vars, host) => {
    if (host.store.delete(thumbOfPath(str(vars, 'certPath')))) host.mutations++;
  },
  "New-WebBinding -Name $site -Protocol 'https' -IPAddress $ipAddress -Port $port -HostHeader $hostHeader -SslFlags $sslFlags": (vars, host) => {
    const site = host.site(str(vars, 'site'));
    if (site === undefined) throw new ScriptError(`Cannot find site ${str(vars, 'site')}.`);
    const info = `${str(vars, 'ipAddress')}:${int(vars, 'port')}:${str(vars, 'hostHeader')}`;
    if (site.bindings.some((b) => b.protocol === 'https' && b.bindingInformation.toLowerCase() === info.toLowerCase())) {
      throw new ScriptError(`Cannot add duplicate collection entry of type 'binding' with combined key attributes 'protocol, bindingInformation' respectively set to 'https, ${info}'`);
    }
    site.bindings.push({ protocol: 'https', bindingInformation: info, certificateHash: '', sslFlags: int(vars, 'sslFlags') });
    host.mutations++;
  },
  "$binding = @(Get-Website | Where-Object { $_.Name -eq $site } | ForEach-Object { $_.bindings.Collection } | Where-Object { $_.protocol -eq 'https' -and $_.bindingInformation -eq $bindingInformation })": (vars, host) => {
    const info = str(vars, 'bindingInformation').toLowerCase();
    vars.set('binding', (host.site(str(vars, 'site'))?.bindings ?? []).filter((b) => b.protocol === 'https' && b.bindingInformation.toLowerCase() === info));
  },
  "if ($binding.Count -ne 1) { throw ('expected one https binding ' + $bindingInformation + ' on site ' + $site + ', found ' + $binding.Count) }": (vars) => {
    const n = bindingsOf(vars).length;
    if (n !== 1) throw new ScriptError(`expected one https binding ${str(vars, 'bindingInformation')} on site ${str(vars, 'site')}, found ${n}`);
  },
  'if ($binding[0].certificateHash) { $binding[0].RemoveSslCertificate() }': (vars, host) => {
    const b = bindingsOf(vars)[0] as FakeBinding;
    if (b.certificateHash !== '') {
      b.certificateHash = '';
      host.mutations++;
    }
  },
  "if ($thumbprint) { $binding[0].AddSslCertificate($thumbprint, 'My') }": (vars, host) => {
    const thumbprint = str(vars, 'thumbprint').toUpperCase();
    if (thumbprint === '') return;
    const b = bindingsOf(vars)[0] as FakeBinding;
    if (host.refused.has(thumbprint)) {
      const cert = host.store.get(thumbprint);
      const leak = host.faults.leakSecrets && cert !== undefined ? `\r\n${cert.keyPem}\r\npassword=${cert.importPassword}` : '';
      throw new ScriptError(`A specified logon session does not exist. It may already have been terminated. (Exception from HRESULT: 0x80070520)${leak}`);
    }
    if (b.certificateHash !== '') throw new ScriptError('Cannot create a file when that file already exists. (Exception from HRESULT: 0x800700B7)');
    const cert = host.store.get(thumbprint);
    if (cert === undefined || !cert.hasPrivateKey) throw new ScriptError('A specified logon session does not exist. It may already have been terminated. (Exception from HRESULT: 0x80070520)');
    b.certificateHash = thumbprint;
    host.mutations++;
  },
  "if ($binding.Count -eq 1) { if ($binding[0].certificateHash) { $binding[0].RemoveSslCertificate() }; Remove-WebBinding -Name $site -Protocol 'https' -BindingInformation $bindingInformation }": (vars, host) => {
    const found = bindingsOf(vars);
    if (found.length !== 1) return;
    const site = host.site(str(vars, 'site'));
    if (site !== undefined) site.bindings = site.bindings.filter((b) => b !== found[0]);
    host.mutations++;
  },
};

/** The documented body lines and their effects. */
export const VOCABULARY: ReadonlyMap<string, Statement> = new Map(Object.entries(statements));

/** Whether a script body is a binding change (the fake's "reload": slow and failure injection apply). */
export function isBindingScript(body: readonly string[]): boolean {
  return body.includes("if ($thumbprint) { $binding[0].AddSslCertificate($thumbprint, 'My') }");
}
