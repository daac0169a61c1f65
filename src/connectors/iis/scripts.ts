/**
 * The PowerShell scripts the connector runs, generated in one documented shape so that both a
 * reviewer and the test fake can check them line by line:
 *
 *   $ErrorActionPreference = 'Stop'          fixed preamble
 *   $ProgressPreference = 'SilentlyContinue'
 *   $<name> = '<literal>' | <integer>        parameters: the ONLY lines carrying input
 *   try {
 *   <body line>                              fixed lines from BODY (no input, only $names)
 *   } catch { …write the message to stderr…; exit 1 }
 *
 * User input (site names, host headers) only ever appears as a `psString` literal on a
 * parameter line; body lines are constants. Secrets (the PFX password, PFX chunks) are listed
 * on the Script so its `redacted()` form can be shown in errors.
 */
import { ConnectorError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';
import { encodedCommand, MAX_COMMAND_LINE, psInt, psString } from './powershell.ts';

/** The fixed body lines, by purpose. Exported so tests (and the fake's authors) can see them. */
export const BODY = {
  importModule: 'Import-Module WebAdministration',
  sites: '$sites = @(Get-Website | ForEach-Object { $_.Name })',
  bindings: "$bindings = @(Get-Website | ForEach-Object { $siteName = $_.Name; $_.bindings.Collection | Where-Object { $_.protocol -eq 'https' } | ForEach-Object { [ordered]@{ site = $siteName; bindingInformation = $_.bindingInformation; certificateHash = [string]$_.certificateHash; sslFlags = [int]$_.sslFlags } } })",
  certificates: "$certificates = @(Get-ChildItem -LiteralPath 'Cert:\\LocalMachine\\My' | ForEach-Object { [ordered]@{ thumbprint = $_.Thumbprint; friendlyName = $_.FriendlyName; hasPrivateKey = $_.HasPrivateKey } })",
  writeState: '[Console]::Out.Write((ConvertTo-Json -InputObject ([ordered]@{ sites = $sites; bindings = $bindings; certificates = $certificates }) -Compress -Depth 4))',
  b64Path: "$b64Path = Join-Path -Path ([IO.Path]::GetTempPath()) -ChildPath ($name + '.b64')",
  pfxPath: "$pfxPath = Join-Path -Path ([IO.Path]::GetTempPath()) -ChildPath ($name + '.pfx')",
  writeFirstChunk: '[IO.File]::WriteAllText($b64Path, $chunk)',
  appendChunk: '[IO.File]::AppendAllText($b64Path, $chunk)',
  importPfx: "try { [IO.File]::WriteAllBytes($pfxPath, [Convert]::FromBase64String([IO.File]::ReadAllText($b64Path))); $null = Import-PfxCertificate -FilePath $pfxPath -CertStoreLocation 'Cert:\\LocalMachine\\My' -Password (ConvertTo-SecureString -String $password -AsPlainText -Force) } finally { Remove-Item -LiteralPath $b64Path, $pfxPath -Force -ErrorAction SilentlyContinue }",
  removeTemp: 'Remove-Item -LiteralPath $b64Path, $pfxPath -Force -ErrorAction SilentlyContinue',
  certPath: "$certPath = 'Cert:\\LocalMachine\\My\\' + $thumbprint",
  requireCert: "if (-not (Test-Path -LiteralPath $certPath)) { throw ('the file did not add certificate ' + $thumbprint + ' to LocalMachine\\My') }",
  removeCert: 'if (Test-Path -LiteralPath $certPath) { Remove-Item -LiteralPath $certPath -DeleteKey }',
  newBinding: "New-WebBinding -Name $site -Protocol 'https' -IPAddress $ipAddress -Port $port -HostHeader $hostHeader -SslFlags $sslFlags",
  findBinding: "$binding = @(Get-Website | Where-Object { $_.Name -eq $site } | ForEach-Object { $_.bindings.Collection } | Where-Object { $_.protocol -eq 'https' -and $_.bindingInformation -eq $bindingInformation })",
  requireOneBinding: "if ($binding.Count -ne 1) { throw ('expected one https binding ' + $bindingInformation + ' on site ' + $site + ', found ' + $binding.Count) }",
  unbindCert: 'if ($binding[0].certificateHash) { $binding[0].RemoveSslCertificate() }',
  bindCert: "if ($thumbprint) { $binding[0].AddSslCertificate($thumbprint, 'My') }",
  removeBinding: "if ($binding.Count -eq 1) { if ($binding[0].certificateHash) { $binding[0].RemoveSslCertificate() }; Remove-WebBinding -Name $site -Protocol 'https' -BindingInformation $bindingInformation }",
} as const;

export const PREAMBLE = ["$ErrorActionPreference = 'Stop'", "$ProgressPreference = 'SilentlyContinue'"] as const;
export const TRY_OPEN = 'try {';
export const TRY_CLOSE = '} catch { [Console]::Error.WriteLine($_.Exception.Message); exit 1 }';

/** Base64 characters of the PFX per transfer command: keeps each command line near 6 KB. */
export const CHUNK_CHARS = 2000;

/** A parameter value: a string (quoted) or a non-negative integer. */
export type Param = string | number;

/** One generated script. */
export interface Script {
  /** What it does, for messages (`import certificate 3F2A…`). Never carries secrets. */
  readonly description: string;
  readonly text: string;
  /** Values inside `text` that must never be shown: replaced by `[REDACTED]` in `redacted()`. */
  readonly secrets: readonly string[];
  /** The argv after `powershell.exe`. */
  readonly args: readonly string[];
}

/** A generated script would not fit on one command line (cannot happen within the schema's limits). */
export class ScriptTooLongError extends ConnectorError {
  constructor(description: string, length: number) {
    super(`the ${description} script is ${length} characters on the command line, more than ${MAX_COMMAND_LINE}`, { retryable: false });
    this.name = 'ScriptTooLongError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'ScriptTooLongError' && hasCode(value, ErrorCode.Connector);
  }
}

function build(description: string, params: readonly (readonly [string, Param])[], body: readonly string[], secrets: readonly string[] = []): Script {
  const lines = [
    ...PREAMBLE,
    ...params.map(([name, value]) => `$${name} = ${typeof value === 'number' ? psInt(value) : psString(value)}`),
    TRY_OPEN,
    ...body,
    TRY_CLOSE,
  ];
  const text = lines.join('\n');
  const { args, length } = encodedCommand(text);
  if (length > MAX_COMMAND_LINE) throw new ScriptTooLongError(description, length);
  return { description, text, secrets, args };
}

/** The script text with every secret replaced: the only form that may appear in a message. */
export function redacted(script: Script): string {
  let text = script.text;
  for (const s of script.secrets) if (s !== '') text = text.split(psString(s)).join("'[REDACTED]'").split(s).join('[REDACTED]');
  return text;
}

/** Read-only: every site, every https binding of every site, and LocalMachine\My, as JSON. */
export function queryScript(): Script {
  return build('read sites, bindings and certificates', [], [BODY.importModule, BODY.sites, BODY.bindings, BODY.certificates, BODY.writeState]);
}

/** Transfers `base64` (an encrypted PFX) into the temp file `<name>.b64`, one command per chunk. */
export function transferScripts(name: string, base64: string): Script[] {
  const scripts: Script[] = [];
  for (let at = 0, n = 0; at < base64.length; at += CHUNK_CHARS, n++) {
    const chunk = base64.slice(at, at + CHUNK_CHARS);
    const total = Math.ceil(base64.length / CHUNK_CHARS);
    scripts.push(build(`transfer part ${n + 1} of ${total}`, [['name', name], ['chunk', chunk]], [BODY.b64Path, n === 0 ? BODY.writeFirstChunk : BODY.appendChunk], [chunk]));
  }
  return scripts;
}

/** Decodes `<name>.b64`, imports it into LocalMachine\My, deletes both temp files, checks `thumbprint` arrived. */
export function importScript(name: string, thumbprint: string, password: string): Script {
  return build(
    `import certificate ${thumbprint}`,
    [['name', name], ['thumbprint', thumbprint], ['password', password]],
    [BODY.b64Path, BODY.pfxPath, BODY.importPfx, BODY.certPath, BODY.requireCert],
    [password],
  );
}

/** Deletes the temp files of an interrupted transfer. */
export function cleanupScript(name: string): Script {
  return build('remove temporary files', [['name', name]], [BODY.b64Path, BODY.pfxPath, BODY.removeTemp]);
}

/** Points the existing https binding `bindingInformation` of `site` at `thumbprint` ('' = no certificate). */
export function updateBindingScript(site: string, bindingInformation: string, thumbprint: string): Script {
  return build(
    `bind ${bindingInformation} of the site to ${thumbprint === '' ? 'no certificate' : thumbprint}`,
    [['site', site], ['bindingInformation', bindingInformation], ['thumbprint', thumbprint]],
    [BODY.importModule, BODY.findBinding, BODY.requireOneBinding, BODY.unbindCert, BODY.bindCert],
  );
}

/** The parts of a binding to create. */
export interface NewBinding {
  readonly ipAddress: string;
  readonly port: number;
  readonly hostHeader: string;
  readonly sslFlags: number;
  readonly bindingInformation: string;
}

/** Creates the https binding `b` on `site` and binds `thumbprint` to it. */
export function createBindingScript(site: string, b: NewBinding, thumbprint: string): Script {
  return build(
    `create binding ${b.bindingInformation} bound to ${thumbprint}`,
    [
      ['site', site], ['ipAddress', b.ipAddress], ['port', b.port], ['hostHeader', b.hostHeader], ['sslFlags', b.sslFlags],
      ['bindingInformation', b.bindingInformation], ['thumbprint', thumbprint],
    ],
    [BODY.importModule, BODY.newBinding, BODY.findBinding, BODY.requireOneBinding, BODY.unbindCert, BODY.bindCert],
  );
}

/** Removes the https binding `bindingInformation` of `site` if it exists (rollback of a create). */
export function removeBindingScript(site: string, bindingInformation: string): Script {
  return build(`remove binding ${bindingInformation}`, [['site', site], ['bindingInformation', bindingInformation]], [BODY.importModule, BODY.findBinding, BODY.removeBinding]);
}

/** Removes certificate `thumbprint` and its key from LocalMachine\My if present. */
export function removeCertificateScript(thumbprint: string): Script {
  return build(`remove certificate ${thumbprint}`, [['thumbprint', thumbprint]], [BODY.certPath, BODY.removeCert]);
}
