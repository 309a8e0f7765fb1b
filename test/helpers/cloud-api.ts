/**
 * The cloud surface on real local peers, in one process: dynalite, the OpenStack simulator, the Step
 * Functions emulator running the real `state-machines/*` with the real step Lambda
 * (`functions/steps/compute.handler`) invoked in-process, and the workflow-events consumer fed by the
 * emulator's status changes. HTTP handlers are called in-process (`api.call(handler, …)`).
 *
 * Call `startCloudApi()` in beforeAll, before any application module is imported (it sets the environment).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningOpenStackSimulator } from '../../local/openstack/index.js';
import type { RunningSfnEmulator } from '../../local/sfn/index.js';
import { generatePrivateJwk } from '../../lib/auth/keys.js';
import type { Platform } from '../../lib/platform.js';
import { startTestDynalite, waitFor, type TestDynalite } from './dynalite.js';
import { callHandler, type ApiAnswer, type Handler } from './http.js';
import { grantRole } from './acl.js';
import { freePort } from './slapd.js';
import { issueAccessToken } from './tokens.js';

export interface CloudApi {
  p: Platform;
  dyn: TestDynalite;
  cloud: RunningOpenStackSimulator;
  sfn: RunningSfnEmulator;
  baseDn: string;
  adminToken: string;
  tokenFor(dn: string, opts?: { groups?: string[] }): Promise<string>;
  call(
    handler: Handler,
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiAnswer>;
  /** Waits until the task ends; returns it. */
  task(id: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** A custom role + assignment (table partition `ACL`). */
  grant(subjectDn: string, permissions: string[], scope: { dn?: string; type: 'base' | 'subtree' }): Promise<void>;
  stop(): Promise<void>;
}

const STATE_MACHINES_DIR = fileURLToPath(new URL('../../state-machines', import.meta.url));
const ARN_PREFIX = 'arn:aws:states:us-east-1:000000000000:stateMachine:apibibind-local-';

export async function startCloudApi(opts: { transitionMs?: number } = {}): Promise<CloudApi> {
  const { startOpenStackSimulator } = await import('../../local/openstack/index.js');
  const [dynPort, sfnPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'apibibind-cloud-'));
  const cloud = await startOpenStackSimulator({ port: 0, transitionMs: opts.transitionMs ?? 30 });
  const baseDn = 'dc=example,dc=com';
  Object.assign(process.env, {
    STAGE: 'local',
    AWS_REGION: 'us-east-1',
    TABLE_NAME: `apibibind-cloud-${process.pid}`,
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynPort}`,
    SFN_ENDPOINT: `http://127.0.0.1:${sfnPort}`,
    STATE_MACHINE_ARN_PREFIX: ARN_PREFIX,
    LDAP_BASE_DN: baseDn,
    LOG_LEVEL: 'SILENT',
    JWT_PRIVATE_JWKS: JSON.stringify([await generatePrivateJwk()]),
    OS_AUTH_URL: cloud.url,
    OS_USERNAME: 'admin',
    OS_PASSWORD: 'admin',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_NAME: 'admin',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    CLOUD_POLL_SECONDS: '1',
    CLOUD_POLL_ROUNDS: '200',
  });
  (await import('../../lib/core/config.js')).resetConfig();
  (await import('../../lib/compute/cloud.js')).setCloud(undefined);
  const dyn = await startTestDynalite({ table: process.env.TABLE_NAME, port: dynPort });
  const { platform } = await import('../../lib/platform.js');
  const p = await platform();
  const step = (await import('../../functions/steps/compute.js')).handler;
  const events = await import('../../functions/events/workflow-events.js');
  const { onExecutionStatusChange } = await import('../../lib/tasks/execution-events.js');
  const { startSfnEmulator } = await import('../../local/sfn/index.js');
  const sfn = await startSfnEmulator({
    port: sfnPort,
    stateMachinesDir: STATE_MACHINES_DIR,
    dataDir,
    service: 'apibibind',
    stage: 'local',
    waitScale: 0.01,
    invoke: async (fn, payload) => {
      if (fn.endsWith('-computeStep')) return step(payload as never);
      throw new Error(`no in-process handler for ${fn}`);
    },
    onExecutionStatusChange: async (ev) => {
      await onExecutionStatusChange(p.db, ev as never, events.compensatorFor);
    },
    log: () => {},
  });
  const tokenFor = (dn: string, o?: { groups?: string[] }) => issueAccessToken(p, dn, o);
  const { getTask, TERMINAL } = await import('../../lib/tasks/task-store.js');
  return {
    p,
    dyn,
    cloud,
    sfn,
    baseDn,
    adminToken: await tokenFor(`uid=admin,ou=people,${baseDn}`),
    tokenFor,
    call: callHandler,
    async task(id, timeoutMs = 30_000) {
      return waitFor(
        `task ${id}`,
        async () => {
          const t = await getTask(p.db, id);
          return TERMINAL.includes(t.status) ? (t as unknown as Record<string, any>) : undefined;
        },
        timeoutMs,
        20,
      );
    },
    grant: (subjectDn, permissions, scope) => grantRole(p.db, subjectDn, permissions, scope),
    async stop() {
      await sfn.stop();
      await cloud.stop();
      await dyn.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type { ApiAnswer, Handler };
