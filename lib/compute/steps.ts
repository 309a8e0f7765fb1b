/** Every step the cloud step Lambda can run, by name (`{step, state}` from the state machines). */
import { instanceHooks, instanceSteps } from './instances/steps.js';
import { loadBalancerHooks, loadBalancerSteps } from './load-balancers/steps.js';
import { genericSteps, type KindHooks } from './kinds.js';
import { volumeHooks, volumeSteps } from './volumes/steps.js';
import { snapshotHooks, snapshotSteps } from './snapshots/steps.js';
import { networkHooks } from './networks/delete.js';
import type { CloudKind } from './records.js';
import type { Step } from './workflow.js';

export const KINDS: Partial<Record<CloudKind, KindHooks>> = {
  instance: instanceHooks,
  volume: volumeHooks,
  snapshot: snapshotHooks,
  'load-balancer': loadBalancerHooks,
  network: networkHooks,
};

export const STEPS: Record<string, Step> = {
  ...genericSteps(KINDS),
  ...instanceSteps,
  ...volumeSteps,
  ...snapshotSteps,
  ...loadBalancerSteps,
};
