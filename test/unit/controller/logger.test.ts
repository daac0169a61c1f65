/**
 * The logger's format contract (ISO time, level names, text for humans) and the redaction
 * canary for both formats: a key handed to the logger by accident never reaches the output.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/controller/logger.ts';
import { formatTextLine } from '../../../src/controller/log-text-format.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7canary\n-----END PRIVATE KEY-----\n';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('json format', () => {
  it('writes one object per line with an ISO 8601 time and the level name', () => {
    const { lines, destination } = capture();
    const log = createLogger('debug', { destination });
    log.info({ deployment: 'ns/web', target: 'edge-1' }, 'deploy succeeded');
    log.debug('skip');
    log.trace('not at debug');
    expect(lines).toHaveLength(2);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 'info', app: 'cert-deployer', deployment: 'ns/web', target: 'edge-1', msg: 'deploy succeeded' });
    expect(rec.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(rec.time as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'debug' });
  });

  it('still accepts a bare destination stream (older call sites)', () => {
    const { lines, destination } = capture();
    createLogger('info', destination).warn('x');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'x' });
  });
});

describe('text format', () => {
  it('prints time, level, message, then fields; quotes only what needs it', () => {
    const { lines, destination } = capture();
    createLogger('info', { format: 'text', destination }).warn({ deployment: 'ns/web', changed: false, reason: 'Connection refused by host', attempt: 2, err: { code: 'E' } }, 'deploy failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN {2}deploy failed deployment=ns\/web changed=false reason="Connection refused by host" attempt=2 err=\{"code":"E"\}$/);
  });

  it('passes a line that is not JSON through, and escapes newlines in the message', () => {
    expect(formatTextLine('plain')).toBe('plain\n');
    expect(formatTextLine('{"time":"t","level":"error","msg":"a\\nb"}\n')).toBe('t ERROR a\\nb\n');
  });
});

describe('key material canary', () => {
  it.each(['json', 'text'] as const)('%s: keys passed by accident are redacted', (format) => {
    const { lines, destination } = capture();
    const log = createLogger('trace', { format, destination });
    log.error({ privateKey: KEY, secret: { data: { 'tls.key': KEY } }, target: { key: KEY, password: 'hunter2' }, headers: { authorization: 'Bearer abc' } }, 'oops');
    const out = lines.join('\n');
    expect(out).toContain('oops');
    expect(out).toContain('[REDACTED]');
    for (const leak of ['canary', 'PRIVATE KEY', 'hunter2', 'Bearer abc']) expect(out).not.toContain(leak);
  });
});
