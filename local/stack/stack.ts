import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DEV_BOOTSTRAP_ADMIN_PASSWORD, DEV_LDAP_BIND_PASSWORD } from '../../lib/core/config.js';
import { generatePrivateJwk } from '../../lib/auth/keys.js';
import { createDb, ensureTable } from '../../lib/store/dynamo.js';
import { startSlapd } from '../slapd/slapd.js';
import { startSfnEmulator } from '../sfn/index.js';
import { startSqsEmulator, startSqsPoller } from '../sqs/index.js';
import { startOpenStackSimulator } from '../openstack/index.js';
import { startDynalite } from './dynamodb.js';
import { portInUse, waitForPortClosed } from './ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICE = 'apibibind';
const STAGE = 'local';
const CREDS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface StackOptions {
  port: number;
  lambdaPort: number;
  ldapPort: number;
  dynamoPort: number;
  sfnPort: number;
  sqsPort: number;
  /** The OpenStack simulator's port; unused when OS_AUTH_URL points at a real cloud. */
  openstackPort: number;
  dataDir: string;
  adminPassword: string;
  ldapBindPassword: string;
  sfnWaitScale: number;
  log: (line: string) => void;
  /** Extra environment for the Lambdas. */
  env?: Record<string, string>;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): StackOptions {
  const num = (name: string, dflt: number) => (env[name] ? Number(env[name]) : dflt);
  return {
    port: num('PORT', 3000),
    lambdaPort: num('LAMBDA_PORT', 3002),
    ldapPort: num('LDAP_PORT', 3389),
    dynamoPort: num('DYNAMODB_PORT', 4567),
    sfnPort: num('SFN_PORT', 4584),
    sqsPort: num('SQS_PORT', 4576),
    openstackPort: num('OPENSTACK_PORT', 5100),
    dataDir: path.resolve(env.DATA_DIR ?? path.join(ROOT, '.data')),
    adminPassword: env.BOOTSTRAP_ADMIN_PASSWORD ?? DEV_BOOTSTRAP_ADMIN_PASSWORD,
    ldapBindPassword: env.LDAP_BIND_PASSWORD ?? DEV_LDAP_BIND_PASSWORD,
    sfnWaitScale: env.SFN_WAIT_SCALE ? Number(env.SFN_WAIT_SCALE) : 1,
    log: (line) => process.stdout.write(`${line}\n`),
  };
}

/** The dev JWT signing key, generated once and kept under .data/ so tokens survive restarts. */
async function devSigningKeys(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'jwt-keys.json');
  try {
    return JSON.stringify(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    const keys = JSON.stringify([await generatePrivateJwk()]);
    await writeFile(file, keys, { mode: 0o600 });
    return keys;
  }
}

export interface RunningStack {
  apiUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole offline stack: dynalite, slapd, the SQS and Step Functions emulators, `serverless
 * offline` with every function, and the SQS poller. Stops everything it started, in reverse order.
 * `stops` receives each piece's stop as soon as it runs, so a signal during start-up can still stop it.
 */
export async function startStack(o: StackOptions, stops: (() => Promise<void>)[] = []): Promise<RunningStack> {
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => o.log(`stop failed: ${(e as Error).message}`));
    stops.length = 0;
  };
  try {
    const simulateCloud = !process.env.OS_AUTH_URL;
    const ports: Record<string, number> = {
      PORT: o.port,
      LAMBDA_PORT: o.lambdaPort,
      LDAP_PORT: o.ldapPort,
      DYNAMODB_PORT: o.dynamoPort,
      SFN_PORT: o.sfnPort,
      SQS_PORT: o.sqsPort,
      ...(simulateCloud ? { OPENSTACK_PORT: o.openstackPort } : {}),
    };
    for (const [variable, port] of Object.entries(ports)) {
      if (await portInUse(port)) throw new Error(`port ${port} is already in use: set ${variable} or stop what listens there`);
    }
    await mkdir(o.dataDir, { recursive: true });
    const jwks = await devSigningKeys(o.dataDir);

    const [dynamo, slapd, sqs] = await Promise.all([
      startDynalite({ port: o.dynamoPort, dataDir: path.join(o.dataDir, 'dynamodb') }),
      startSlapd({
        port: o.ldapPort,
        dataDir: path.join(o.dataDir, 'slapd'),
        adminPassword: o.adminPassword,
        bindPassword: o.ldapBindPassword,
      }),
      startSqsEmulator({ port: o.sqsPort }),
    ]);
    stops.push(dynamo.stop, slapd.stop, sqs.stop);
    o.log(`  dynamodb  ${dynamo.url}  (dynalite, data in ${path.relative(process.cwd(), path.join(o.dataDir, 'dynamodb')) || '.'})`);
    o.log(`  ldap      ${slapd.url}  (slapd, suffix dc=example,dc=com)`);

    const tableName = `${SERVICE}-${STAGE}`;
    await ensureTable(createDb({ table: tableName, endpoint: dynamo.url, region: 'us-east-1' }));

    const sqsClient = new SQSClient({ region: 'us-east-1', endpoint: sqs.url, credentials: CREDS });
    const dlq = await sqsClient.send(new CreateQueueCommand({ QueueName: `${SERVICE}-${STAGE}-workflow-events-dlq` }));
    const dlqArn = (await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;
    const queue = await sqsClient.send(
      new CreateQueueCommand({
        QueueName: `${SERVICE}-${STAGE}-workflow-events`,
        Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
      }),
    );
    o.log(`  sqs       ${sqs.url}  (workflow-events + DLQ)`);

    const lambdaEndpoint = `http://127.0.0.1:${o.lambdaPort}`;
    const sfn = await startSfnEmulator({
      port: o.sfnPort,
      stateMachinesDir: path.join(ROOT, 'state-machines'),
      dataDir: path.join(o.dataDir, 'sfn'),
      service: SERVICE,
      stage: STAGE,
      waitScale: o.sfnWaitScale,
      lambdaEndpoint,
      // What EventBridge does in AWS: execution status changes go to the workflow-events queue.
      onExecutionStatusChange: async (ev: unknown) => {
        await sqsClient.send(new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: JSON.stringify(ev) }));
      },
    });
    stops.push(sfn.stop);
    o.log(`  sfn       ${sfn.url}  (Step Functions emulator, state-machines/*.asl.yml)`);

    // The default cloud: the OpenStack simulator, unless OS_AUTH_URL names a real one.
    let cloudEnv: Record<string, string> = {};
    if (simulateCloud) {
      const cloud = await startOpenStackSimulator({
        port: o.openstackPort,
        dataDir: path.join(o.dataDir, 'openstack'),
        // Status transitions take 300 ms by default (BUILD → ACTIVE…); OPENSTACK_TRANSITION_MS=0 settles at once.
        ...(process.env.OPENSTACK_TRANSITION_MS && { transitionMs: Number(process.env.OPENSTACK_TRANSITION_MS) }),
        ...(process.env.OPENSTACK_LATENCY_MS && { latencyMs: Number(process.env.OPENSTACK_LATENCY_MS) }),
      });
      stops.push(cloud.stop);
      cloudEnv = {
        OS_AUTH_URL: cloud.url,
        OS_USERNAME: 'admin',
        OS_PASSWORD: 'admin',
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_NAME: 'admin',
        OS_PROJECT_DOMAIN_NAME: 'Default',
        OS_REGION_NAME: 'RegionOne',
      };
      o.log(`  openstack ${cloud.url}  (OpenStack simulator: Keystone, Nova, Neutron, Cinder, Glance, Octavia)`);
    } else {
      o.log(`  openstack ${process.env.OS_AUTH_URL}  (real cloud from OS_AUTH_URL)`);
    }

    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: String(o.port),
      LAMBDA_PORT: String(o.lambdaPort),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      DYNAMODB_ENDPOINT: dynamo.url,
      SFN_ENDPOINT: sfn.url,
      SQS_ENDPOINT: sqs.url,
      STATE_MACHINE_ARN_PREFIX: `arn:aws:states:us-east-1:000000000000:stateMachine:${SERVICE}-${STAGE}-`,
      LDAP_URL: slapd.url,
      LDAP_BIND_PASSWORD: o.ldapBindPassword,
      BOOTSTRAP_ADMIN_PASSWORD: o.adminPassword,
      JWT_PRIVATE_JWKS: jwks,
      // Stable across restarts and ports: tokens issued before a restart stay valid after it.
      JWT_ISSUER: process.env.JWT_ISSUER ?? 'urn:apibibind:local',
      // Locally the workflows poll the cloud every second (5 s when deployed).
      CLOUD_POLL_SECONDS: process.env.CLOUD_POLL_SECONDS ?? '1',
      ...cloudEnv,
      ...(o.env ?? {}),
    };
    // Stale bundles of an earlier build (another output extension) would shadow the new ones.
    await rm(path.join(ROOT, '.esbuild'), { recursive: true, force: true });
    const child = await startServerlessOffline(env, o);
    stops.push(async () => {
      await stopChild(child);
      await waitForPortClosed(o.port).catch(() => undefined);
    });

    const lambda = new LambdaClient({ region: 'us-east-1', endpoint: lambdaEndpoint, credentials: CREDS });
    const poller = startSqsPoller({
      sqsEndpoint: sqs.url,
      bindings: [
        {
          queueName: `${SERVICE}-${STAGE}-workflow-events`,
          invoke: async (event) => {
            const out = await lambda.send(
              new InvokeCommand({ FunctionName: `${SERVICE}-${STAGE}-workflowEvents`, Payload: Buffer.from(JSON.stringify(event)) }),
            );
            const payload = out.Payload ? JSON.parse(Buffer.from(out.Payload).toString('utf8') || 'null') : null;
            if (out.FunctionError) throw new Error(`workflowEvents failed: ${JSON.stringify(payload)}`);
            return payload ?? undefined;
          },
        },
      ],
      batchSize: 10,
    });
    stops.push(async () => poller.stop());

    // The schedules of serverless.yml (EventBridge in AWS): the cloud drift reconciliation, every
    // CLOUD_RECONCILE_SECONDS (default 300, as deployed), invoked like AWS would, one run at a time.
    const every = Number(process.env.CLOUD_RECONCILE_SECONDS ?? 300) * 1000;
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      lambda
        .send(new InvokeCommand({ FunctionName: `${SERVICE}-${STAGE}-cloudReconcile`, Payload: Buffer.from('{}') }))
        .catch((e: unknown) => o.log(`  cloud reconciliation failed: ${(e as Error).message}`))
        .finally(() => (running = false));
    }, every);
    timer.unref();
    stops.push(async () => clearInterval(timer));

    return { apiUrl: `http://localhost:${o.port}/api/v1`, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

function startServerlessOffline(env: Record<string, string>, o: StackOptions): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/osls/bin/serverless.js'), 'offline', 'start', '--stage', STAGE], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    // serverless logs to stderr; both streams are watched for its "Server ready" line.
    const onData = (buf: Buffer) => {
      const text = buf.toString();
      output = (output + text).slice(-20_000);
      if (process.env.STACK_VERBOSE) process.stderr.write(text);
      if (!ready && /Server ready: http:\/\/[^\s]+:(\d+)/.test(output)) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serverless offline exited (${code}):\n${output.slice(-3000)}`)));
    setTimeout(() => reject(new Error(`serverless offline did not start in 120 s:\n${output.slice(-3000)}`)), 120_000).unref();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
