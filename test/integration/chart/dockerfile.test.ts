/**
 * The image definition cannot be built here (no Docker engine), so its contract with the rest
 * of the repository is checked as text: the entrypoint is the compiled `bin` of package.json,
 * Node's major matches `engines`, the runtime user is the chart's runAsUser, only production
 * dependencies ship, and .dockerignore lets through exactly what the Dockerfile copies.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, createHelmCli, findOne, type HelmCli } from './helm-cli.ts';

let dockerfile = '';
let dockerignore: string[] = [];
let pkg: { bin: Record<string, string>; engines: { node: string }; scripts: Record<string, string> };
let cli: HelmCli;

beforeAll(async () => {
  dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  dockerignore = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8'));
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

/** Instructions with line continuations joined and comments dropped. */
function instructions(): string[] {
  return dockerfile.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}
const stages = () => instructions().join('\n').split(/^FROM /m).slice(1).map((s) => `FROM ${s}`);
const arg = (name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(dockerfile)?.[1];

describe('Dockerfile', () => {
  it('starts the compiled package.json bin, which the TypeScript build produces from src/', () => {
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(instructions().join('\n'))?.[1];
    expect(entry).toBeDefined();
    const argv = JSON.parse(entry!) as string[];
    expect(argv).toEqual(['/nodejs/bin/node', pkg.bin['cert-deployer']]);
    expect(argv[1]).toBe('dist/src/main.js');
    expect(existsSync(join(REPO_ROOT, 'src', 'main.ts'))).toBe(true);
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig.build.json/);
  });

  it('uses the Node major of package.json engines in both the builder and the runtime', () => {
    const major = /^>=(\d+)/.exec(pkg.engines.node)?.[1];
    expect(major).toBeDefined();
    expect(arg('NODE_BUILD_IMAGE')).toMatch(new RegExp(`^node:${major}-bookworm-slim$`));
    expect(arg('NODE_RUNTIME_IMAGE')).toBe(`gcr.io/distroless/nodejs${major}-debian12:nonroot`);
  });

  it('runs as the uid the chart enforces, in a final stage holding only dist and production modules', async () => {
    const final = stages().at(-1)!;
    const uid = /^USER (\d+)(?::(\d+))?$/m.exec(final)?.[1];
    const pod = findOne(await cli.render({}), 'Deployment').spec as { template: { spec: { securityContext: { runAsUser: number } } } };
    expect(Number(uid)).toBe(pod.template.spec.securityContext.runAsUser);
    const copies = final.split('\n').filter((l) => l.startsWith('COPY'));
    expect(copies).toEqual([
      'COPY package.json ./',
      'COPY --from=deps /src/node_modules ./node_modules',
      'COPY --from=build /src/dist ./dist',
    ]);
    const deps = stages().find((s) => / AS deps$/m.test(s.split('\n')[0]!))!;
    expect(deps).toMatch(/npm ci --omit=dev --ignore-scripts/);
  });

  it('copies from the build context only what .dockerignore lets through', () => {
    const sources = instructions().filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    expect(dockerignore[0]).toBe('**');
    const allowed = dockerignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    for (const s of sources) {
      expect(allowed, `${s} is excluded by .dockerignore`).toContain(s.replace(/\/$/, ''));
      expect(existsSync(join(REPO_ROOT, s)), `${s} exists`).toBe(true);
    }
  });
});
