/**
 * Reads ACM state from moto with the AWS SDK directly (its own HTTP handler, not the
 * sandbox), so tests check what the connector did without trusting the connector: how many
 * certificates exist, which leaf and chain each holds, and its tags.
 */
import { createHash, X509Certificate } from 'node:crypto';
import {
  ACMClient,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  KeyAlgorithm,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from '@aws-sdk/client-acm';
import type { MotoServer } from './server.ts';

/** A syntactically valid access key; moto accepts any, real AWS none of these. */
export const TEST_ACCESS_KEY = { accessKeyId: 'AKIACERTDEPLOYERTEST', secretAccessKey: 'cert-deployer-moto-secret-access-key-test' } as const;

export interface AcmCertificateState {
  readonly arn: string;
  /** SHA-256 of the stored leaf. */
  readonly fingerprint: string;
  /** Leaf first, then the stored chain without the root moto appends. */
  readonly chain: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly keyAlgorithm: string | undefined;
  readonly type: string | undefined;
}

export interface AcmReader {
  readonly client: ACMClient;
  /** Every certificate in the region, all key types, sorted by ARN. */
  list(): Promise<AcmCertificateState[]>;
  count(): Promise<number>;
  /** The certificates whose `certdeployer.io/owner` tag is `ownerId`. */
  owned(ownerId: string): Promise<AcmCertificateState[]>;
  get(arn: string): Promise<AcmCertificateState | null>;
  /** Imports a certificate the way another tool would (for "not ours" tests). */
  importForeign(certificatePem: string, keyPem: string, tags: Record<string, string>): Promise<string>;
}

const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const certs = (text: string | undefined): string[] => (text ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

/** A reader for `region` of `moto`. */
export function acmReader(moto: MotoServer, region = 'us-east-1'): AcmReader {
  const client = new ACMClient({ region, endpoint: moto.endpoint, credentials: TEST_ACCESS_KEY, maxAttempts: 1 });

  async function get(arn: string): Promise<AcmCertificateState | null> {
    try {
      const c = await client.send(new GetCertificateCommand({ CertificateArn: arn }));
      const tags = await client.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
      const d = await client.send(new DescribeCertificateCommand({ CertificateArn: arn }));
      const chain = certs(c.CertificateChain).map(fp);
      if (chain.at(-1) === moto.rootFingerprint) chain.pop();
      return {
        arn,
        fingerprint: fp(c.Certificate ?? ''),
        chain: [fp(c.Certificate ?? ''), ...chain],
        tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        keyAlgorithm: d.Certificate?.KeyAlgorithm,
        type: d.Certificate?.Type,
      };
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return null;
      throw err;
    }
  }

  async function arns(): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListCertificatesCommand({ Includes: { keyTypes: Object.values(KeyAlgorithm) }, ...(token ? { NextToken: token } : {}) }));
      for (const s of page.CertificateSummaryList ?? []) if (s.CertificateArn) out.push(s.CertificateArn);
      token = page.NextToken || undefined;
    } while (token);
    return out.sort();
  }

  return {
    client,
    async list() {
      const out: AcmCertificateState[] = [];
      for (const arn of await arns()) {
        const s = await get(arn);
        if (s) out.push(s);
      }
      return out;
    },
    async count() {
      return (await arns()).length;
    },
    async owned(ownerId) {
      return (await this.list()).filter((c) => c.tags['certdeployer.io/owner'] === ownerId);
    },
    get,
    async importForeign(certificatePem, keyPem, tags) {
      const out = await client.send(new ImportCertificateCommand({
        Certificate: Buffer.from(certificatePem),
        PrivateKey: Buffer.from(keyPem),
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }));
      return out.CertificateArn as string;
    },
  };
}
