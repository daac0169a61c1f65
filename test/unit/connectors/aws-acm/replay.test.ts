/**
 * Replays never duplicate, against a real moto server: the conformance replay case counted by
 * ACM operation (X-Amz-Target) instead of HTTP method, a lost status write, a controller
 * restart (new instance, status ARN kept), a status ARN that is stale or belongs to someone
 * else, and tag repair. Every test counts the certificates in ACM.
 */
import { DeleteCertificateCommand, RemoveTagsFromCertificateCommand } from '@aws-sdk/client-acm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_TAG_KEY } from '../../../../src/connectors/aws-acm/index.ts';
import type { DeployContext } from '../../../../packages/connector-sdk/src/connector.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { acmReader, startMoto, type AcmReader, type MotoServer } from '../../../support/moto/index.ts';
import { acmConnector, credentialSecrets, deployOnce, mutations, type Outcome } from './support.ts';

const OWNER = '5b0b6f6e-6a43-4d8e-9a55-2f3c1c9a7d10/acm';
let moto: MotoServer;
let acm: AcmReader;

const ctx = (remoteId?: string): DeployContext => ({ ownerId: OWNER, secrets: credentialSecrets(), ...(remoteId === undefined ? {} : { remoteId }) });
function ok(o: Outcome) {
  if (!o.ok) throw new Error(`deploy failed: ${String(o.error)}`, { cause: o.error });
  return o;
}

beforeAll(async () => {
  moto = await startMoto();
  acm = acmReader(moto);
}, 600_000);
afterAll(async () => {
  acm?.client.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

describe('awsAcm replays against moto', () => {
  it('a replay by a new instance returns changed: false with no mutating ACM operation, with or without the status ARN', async () => {
    const a = await mintCredential({ name: 'A' });
    const first = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx()));
    expect(first.result.changed).toBe(true);
    expect(mutations(first.operations)).toEqual(['ImportCertificate']);
    const arn = first.result.remoteId as string;
    const before = await acm.list();

    for (const remoteId of [arn, undefined]) {
      const replay = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx(remoteId)));
      expect(replay.result).toMatchObject({ changed: false, remoteId: arn });
      expect(mutations(replay.operations), `replay with remoteId ${String(remoteId)}`).toEqual([]);
      expect(replay.operations).toContain('GetCertificate');
    }
    expect(await acm.list()).toEqual(before);
  });

  it('rotation re-imports into the same ARN, also when status lost the ARN (found by the owner tag)', async () => {
    const [a, b, c] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' }), mintCredential({ name: 'C', keyAlgorithm: 'rsa' })]);
    const arn = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx())).result.remoteId as string;

    const lost = ok(await deployOnce(acmConnector(moto.endpoint), b.deployment, ctx()));
    expect(lost.result).toMatchObject({ changed: true, remoteId: arn });
    expect(lost.result.message).toMatch(/tag search/);
    expect(lost.operations.filter((o) => o === 'ImportCertificate')).toHaveLength(1);

    const kept = ok(await deployOnce(acmConnector(moto.endpoint), c.deployment, ctx(arn)));
    expect(kept.result).toMatchObject({ changed: true, remoteId: arn });
    expect(kept.operations).not.toContain('ListCertificates');

    const all = await acm.list();
    expect(all.map((x) => x.arn)).toEqual([arn]);
    expect(all[0]?.fingerprint).toBe(c.deployment.fingerprint);
    expect(all[0]?.keyAlgorithm).toBe('RSA_2048');
    // moto drops tags on a re-import (real ACM keeps them); the connector puts the owner tag back.
    expect(all[0]?.tags[OWNER_TAG_KEY]).toBe(OWNER);
  });

  it('many replays, restarts and lost status writes in a row keep exactly one certificate', async () => {
    const creds = await Promise.all(['A', 'B', 'C'].map((name) => mintCredential({ name })));
    let remoteId: string | undefined;
    for (let i = 0; i < 9; i++) {
      const cred = creds[Math.floor(i / 3)]!;
      const lostStatus = i % 2 === 1;
      const o = ok(await deployOnce(acmConnector(moto.endpoint), cred.deployment, ctx(lostStatus ? undefined : remoteId)));
      remoteId ??= o.result.remoteId;
      expect(o.result.remoteId).toBe(remoteId);
      expect(await acm.count(), `after deploy ${i}`).toBe(1);
    }
    expect((await acm.get(remoteId as string))?.fingerprint).toBe(creds[2]?.deployment.fingerprint);
  });

  it('a status ARN that belongs to someone else is never touched; ours is found by the owner tag', async () => {
    const [foreignCred, a, b] = await Promise.all([mintCredential({ name: 'Foreign' }), mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    const foreign = await acm.importForeign(foreignCred.deployment.certificatePem, foreignCred.keyPem, { [OWNER_TAG_KEY]: 'someone-else/target' });

    const first = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx(foreign)));
    expect(first.result.remoteId).not.toBe(foreign);
    const second = ok(await deployOnce(acmConnector(moto.endpoint), b.deployment, ctx(foreign)));
    expect(second.result.remoteId).toBe(first.result.remoteId);

    expect(await acm.count()).toBe(2);
    expect((await acm.get(foreign))?.fingerprint).toBe(foreignCred.deployment.fingerprint);
    expect((await acm.get(first.result.remoteId as string))?.fingerprint).toBe(b.deployment.fingerprint);
  });

  it('a status ARN whose certificate was deleted out of band: a new certificate is imported, still exactly one', async () => {
    const a = await mintCredential();
    const arn = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx())).result.remoteId as string;
    await acm.client.send(new DeleteCertificateCommand({ CertificateArn: arn }));
    const again = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx(arn)));
    expect(again.result.changed).toBe(true);
    expect(again.result.remoteId).not.toBe(arn);
    expect((await acm.list()).map((c) => c.arn)).toEqual([again.result.remoteId]);
  });

  it('a remoteId that is not an ACM ARN is ignored', async () => {
    const a = await mintCredential();
    const arn = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx())).result.remoteId as string;
    const o = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx('not-an-arn')));
    expect(o.result).toMatchObject({ changed: false, remoteId: arn });
  });

  it('same leaf with a different chain re-imports (the chain is part of what ACM serves)', async () => {
    const a = await mintCredential({ intermediates: 1 });
    const withRoot = { ...a.deployment, chainPem: [...a.deployment.chainPem, (await mintCredential({ withRoot: true })).deployment.chainPem.at(-1) as string] };
    const arn = ok(await deployOnce(acmConnector(moto.endpoint), a.deployment, ctx())).result.remoteId as string;
    const o = ok(await deployOnce(acmConnector(moto.endpoint), withRoot, ctx(arn)));
    expect(o.result).toMatchObject({ changed: true, remoteId: arn });
    expect((await acm.get(arn))?.chain).toHaveLength(3);
  });

  it('configured tags go on at the first import; a removed tag is restored without a re-import', async () => {
    const a = await mintCredential();
    const connector = () => acmConnector(moto.endpoint, { tags: { team: 'web', 'cost-center': '42' } });
    const arn = ok(await deployOnce(connector(), a.deployment, ctx())).result.remoteId as string;
    expect((await acm.get(arn))?.tags).toEqual({ [OWNER_TAG_KEY]: OWNER, team: 'web', 'cost-center': '42' });

    await acm.client.send(new RemoveTagsFromCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'team', Value: 'web' }] }));
    const healed = ok(await deployOnce(connector(), a.deployment, ctx(arn)));
    expect(healed.result.changed).toBe(true);
    expect(mutations(healed.operations)).toEqual(['AddTagsToCertificate']);
    expect((await acm.get(arn))?.tags).toEqual({ [OWNER_TAG_KEY]: OWNER, team: 'web', 'cost-center': '42' });

    const replay = ok(await deployOnce(connector(), a.deployment, ctx(arn)));
    expect(replay.result.changed).toBe(false);
    expect(mutations(replay.operations)).toEqual([]);
  });
});
