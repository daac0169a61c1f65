/**
 * The handful of ACM calls the connector makes, on an `ACMClient` whose every request goes
 * through the sandbox (`sandboxHttpHandler`) to the one granted endpoint. Each call maps
 * "not found" to a value (the callers decide what absence means) and every other failure to a
 * classified error (`acmError`). An aborted deploy rethrows the abort unchanged.
 *
 * The client is configured explicitly (region, endpoint, retry mode, FIPS/dual-stack off,
 * credentials) so that the SDK reads no credential files and no endpoint environment
 * variables, and never runs its default credential chain (whose container and instance
 * metadata lookups open their own sockets): ambient credentials come from a provider that
 * looks them up through the same sandbox (ambient-credentials.ts).
 */
import type * as AcmModule from '@aws-sdk/client-acm';
import type { ACMClient } from '@aws-sdk/client-acm';
import type { Sandbox } from '@cert-deployer/connector-sdk';
import { acmError, isAwsError } from './acm-errors.ts';
import { ambientCredentialProvider } from './ambient-credentials.ts';
import type { CredentialSource } from './credentials.ts';
import type { AcmEndpoint } from './endpoint.ts';
import { sandboxHttpHandler } from './sandbox-http-handler.ts';
import type { AcmTag } from './tags.ts';

/** Per-request timeout. ACM answers in well under a second; an import may take a few. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Attempts per call: the SDK retries throttling and 5xx only; everything else fails at once. */
export const MAX_ATTEMPTS = 3;
/** The largest page ListCertificates allows. */
const PAGE_SIZE = 1000;

/** What GetCertificate returns: PEM text. */
export interface StoredCertificate {
  readonly certificate: string;
  readonly chain: string;
}

/** What the connector imports. `privateKey` is revealed only into the request body. */
export interface ImportInput {
  readonly arn?: string;
  readonly certificate: string;
  readonly chain?: string;
  readonly privateKey: string;
  /** Only on a first import: ACM refuses tags on a re-import. */
  readonly tags?: readonly AcmTag[];
}

export interface AcmApi {
  /** The certificate's tags; `null` when it does not exist. */
  listTags(arn: string): Promise<AcmTag[] | null>;
  /** The stored certificate and chain; `null` when it does not exist. */
  getCertificate(arn: string): Promise<StoredCertificate | null>;
  /** Imports (or re-imports into `arn`) and returns the ARN. */
  importCertificate(input: ImportInput): Promise<string>;
  addTags(arn: string, tags: readonly AcmTag[]): Promise<void>;
  /** Deletes; says so when it was already gone or when ACM refuses because a service uses it. */
  deleteCertificate(arn: string): Promise<'deleted' | 'absent' | 'in-use'>;
  /** The resources using the certificate (load balancers, distributions). */
  inUseBy(arn: string): Promise<readonly string[]>;
  /** ARNs of every imported certificate in the region, all key types, page by page. */
  importedCertificateArns(): AsyncGenerator<string>;
}

export interface AcmApiOptions {
  readonly region: string;
  readonly endpoint: AcmEndpoint;
  readonly credentials: CredentialSource;
}

const encoder = new TextEncoder();

type AcmSdk = typeof AcmModule;
let sdkModule: Promise<AcmSdk> | undefined;
/**
 * The AWS SDK, loaded on the first ACM call of the process rather than at start-up: a
 * controller with no ACM target never pays its memory (issue 13, lean runtime).
 */
const loadSdk = (): Promise<AcmSdk> => (sdkModule ??= import('@aws-sdk/client-acm'));

/** An AcmApi for one deploy: its requests go through `sandbox` and stop when `signal` aborts. */
export function createAcmApi(sandbox: Sandbox, signal: AbortSignal, opts: AcmApiOptions): AcmApi {
  let loaded: Promise<{ sdk: AcmSdk; client: ACMClient }> | undefined;
  const acm = () => (loaded ??= loadSdk().then((sdk) => ({ sdk, client: newClient(sdk) })));
  const newClient = (sdk: AcmSdk): ACMClient => new sdk.ACMClient({
    region: opts.region,
    endpoint: opts.endpoint.url,
    credentials: opts.credentials.kind === 'static' ? opts.credentials.credentials : ambientCredentialProvider(opts.credentials.source, sandbox, signal),
    requestHandler: sandboxHttpHandler(sandbox, { timeoutMs: REQUEST_TIMEOUT_MS }),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    defaultsMode: 'standard',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    userAgentAppId: 'cert-deployer',
    authSchemePreference: [],
  });

  /** Runs one call; `notFound` is returned for ResourceNotFoundException when given. */
  async function call<T, N = never>(action: string, run: () => Promise<T>, notFound?: { value: N }): Promise<T | N> {
    signal.throwIfAborted();
    try {
      return await run();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (notFound !== undefined && isAwsError(err, 'ResourceNotFoundException')) return notFound.value;
      throw acmError(err, action);
    }
  }
  const send = { abortSignal: signal };

  return {
    listTags: (arn) =>
      call('ListTagsForCertificate', async () => {
        const { sdk, client } = await acm();
        const out = await client.send(new sdk.ListTagsForCertificateCommand({ CertificateArn: arn }), send);
        return (out.Tags ?? []).map((t) => ({ Key: t.Key ?? '', ...(t.Value === undefined ? {} : { Value: t.Value }) }));
      }, { value: null }),
    getCertificate: (arn) =>
      call('GetCertificate', async () => {
        const { sdk, client } = await acm();
        const out = await client.send(new sdk.GetCertificateCommand({ CertificateArn: arn }), send);
        return { certificate: out.Certificate ?? '', chain: out.CertificateChain ?? '' };
      }, { value: null }),
    importCertificate: (input) =>
      call('ImportCertificate', async () => {
        const { sdk, client } = await acm();
        const out = await client.send(
          new sdk.ImportCertificateCommand({
            ...(input.arn === undefined ? {} : { CertificateArn: input.arn }),
            Certificate: encoder.encode(input.certificate),
            ...(input.chain === undefined ? {} : { CertificateChain: encoder.encode(input.chain) }),
            PrivateKey: encoder.encode(input.privateKey),
            ...(input.tags === undefined ? {} : { Tags: input.tags.map((t) => ({ ...t })) }),
          }),
          send,
        );
        if (out.CertificateArn === undefined || out.CertificateArn === '') throw new Error('ImportCertificate returned no CertificateArn');
        return out.CertificateArn;
      }),
    addTags: async (arn, tags) => {
      await call('AddTagsToCertificate', async () => {
        const { sdk, client } = await acm();
        return client.send(new sdk.AddTagsToCertificateCommand({ CertificateArn: arn, Tags: tags.map((t) => ({ ...t })) }), send);
      });
    },
    deleteCertificate: async (arn) =>
      call('DeleteCertificate', async () => {
        const { sdk, client } = await acm();
        try {
          await client.send(new sdk.DeleteCertificateCommand({ CertificateArn: arn }), send);
          return 'deleted' as const;
        } catch (err) {
          if (isAwsError(err, 'ResourceInUseException')) return 'in-use' as const;
          throw err;
        }
      }, { value: 'absent' as const }),
    inUseBy: (arn) =>
      call('DescribeCertificate', async () => {
        const { sdk, client } = await acm();
        return (await client.send(new sdk.DescribeCertificateCommand({ CertificateArn: arn }), send)).Certificate?.InUseBy ?? [];
      }, { value: [] as string[] }),
    async *importedCertificateArns() {
      let token: string | undefined;
      do {
        const page = await call('ListCertificates', async () => {
          const { sdk, client } = await acm();
          return client.send(
            new sdk.ListCertificatesCommand({
              // Without keyTypes, ACM lists RSA_2048 certificates only: an EC certificate would never be found.
              Includes: { keyTypes: Object.values(sdk.KeyAlgorithm) },
              MaxItems: PAGE_SIZE,
              ...(token === undefined ? {} : { NextToken: token }),
            }),
            send,
          );
        });
        for (const s of page.CertificateSummaryList ?? []) {
          if (s.CertificateArn !== undefined && (s.Type === undefined || s.Type === 'IMPORTED')) yield s.CertificateArn;
        }
        token = page.NextToken === '' ? undefined : page.NextToken;
      } while (token !== undefined);
    },
  };
}
