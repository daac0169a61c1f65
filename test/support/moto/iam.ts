/**
 * IAM users on a moto server started with `iamAuth: true`, created with boto3 from moto's own
 * venv (no IAM client is installed for Node). `bootstrapIam` spends the server's free
 * unauthenticated actions on an admin user; `createUser` then makes users whose policy allows
 * exactly the given actions, so tests see moto's real AccessDenied for anything else.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MotoServer } from './server.ts';

const run = promisify(execFile);

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const SCRIPT = `
import boto3, json, sys
ep, key, secret, user, actions = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
iam = boto3.client('iam', endpoint_url=ep, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=secret)
iam.create_user(UserName=user)
k = iam.create_access_key(UserName=user)['AccessKey']
doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': actions, 'Resource': '*'}]}
iam.put_user_policy(UserName=user, PolicyName='cert-deployer-test', PolicyDocument=json.dumps(doc))
print(json.dumps({'accessKeyId': k['AccessKeyId'], 'secretAccessKey': k['SecretAccessKey']}))
`;

async function createWith(moto: MotoServer, caller: AccessKey, user: string, actions: readonly string[]): Promise<AccessKey> {
  const { stdout } = await run(moto.python, ['-c', SCRIPT, moto.endpoint, caller.accessKeyId, caller.secretAccessKey, user, JSON.stringify(actions)], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as AccessKey;
}

/** Creates the admin user with the server's free actions (call once, first). */
export function bootstrapIam(moto: MotoServer): Promise<AccessKey> {
  return createWith(moto, { accessKeyId: 'AKIABOOTSTRAPBOOTSTR', secretAccessKey: 'bootstrap' }, 'admin', ['*']);
}

/** Creates `user` allowed exactly `actions` (e.g. `acm:ListCertificates`), signed by `admin`. */
export function createUser(moto: MotoServer, admin: AccessKey, user: string, actions: readonly string[]): Promise<AccessKey> {
  return createWith(moto, admin, user, actions);
}
