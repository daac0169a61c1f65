/**
 * Plan mode for BIG-IP, pure: from the profile decision deploy makes (`planProfile`), the
 * objects it would create and the profile swap and saves it would make. The reads behind the
 * decision are HTTP Basic GETs, which the plan sandbox lets through; deploy's own token login
 * and everything after it are what this lists. The sweep of previous objects is listed as
 * unpredictable: which objects are left to delete is decided after the save succeeds.
 */
import type { PlanAction } from '@cert-deployer/connector-sdk';
import type { DesiredObjects } from './profile-plan.ts';

export interface F5PlanInput {
  readonly profilePath: string;
  readonly entryName: string;
  readonly desired: DesiredObjects;
  readonly saveConfig: boolean;
}

/** Pure: the mutating steps of a deploy that swaps the profile to `desired`. */
export function f5SwapActions(input: F5PlanInput): PlanAction[] {
  const { desired } = input;
  const objects: PlanAction[] = [
    { kind: 'import', into: desired.cert, resource: 'ssl certificate object (upload + install)' },
    { kind: 'import', into: desired.key, resource: 'ssl key object (upload + install)' },
    ...(desired.chain === null ? [] : [{ kind: 'import' as const, into: desired.chain, resource: 'ssl chain object (upload + install)' }]),
  ];
  const swap: PlanAction = { kind: 'http', method: 'PATCH', url: `client-ssl profile ${input.profilePath}`, resource: `certKeyChain ${input.entryName} → ${desired.cert} (one transaction)` };
  const save: PlanAction[] = input.saveConfig
    ? [
        { kind: 'http', method: 'POST', url: '/mgmt/tm/sys/config', resource: 'save sys config' },
        { kind: 'unpredictable', what: "deleting this target's previous objects (and saving again)", why: 'decided after the save, from what the profile no longer uses' },
      ]
    : [];
  return [...objects, swap, ...save];
}
