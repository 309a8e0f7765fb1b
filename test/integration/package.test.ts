/**
 * The deployable artefact: `serverless package --stage ci` (offline, no AWS account) and assertions on the
 * CloudFormation template it produces. Runs with the secrets removed from the environment, as CI would.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../lib/store/table.js';
import { loadConfig } from '../../lib/core/config.js';
import { ALL_ROUTES } from '../../functions/http/registry.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAGE = 'ci';

type Json = Record<string, any>;
interface Resource {
  Type: string;
  Properties?: Json;
  [k: string]: unknown;
}

let outDir: string;
let templateText: string;
let createTemplateText: string;
let resources: Record<string, Resource>;

const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);

/** `{Fn::GetAtt: [id, Arn]}` / `{Ref: id}` → id. */
function logicalIdOf(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Json;
  if (Array.isArray(o['Fn::GetAtt'])) return String(o['Fn::GetAtt'][0]);
  if (typeof o['Fn::GetAtt'] === 'string') return o['Fn::GetAtt'].split('.')[0];
  if (typeof o.Ref === 'string') return o.Ref;
  return undefined;
}

/** A state machine's definition (string or Fn::Sub [string, vars]) → parsed ASL + its substitutions. */
function definitionOf(sm: Resource): { asl: Json; subs: Record<string, unknown> } {
  const d = sm.Properties?.DefinitionString ?? sm.Properties?.Definition;
  if (typeof d === 'string') return { asl: JSON.parse(d), subs: {} };
  if (d && Array.isArray(d['Fn::Sub'])) return { asl: JSON.parse(d['Fn::Sub'][0]), subs: d['Fn::Sub'][1] ?? {} };
  if (d && typeof d['Fn::Sub'] === 'string') return { asl: JSON.parse(d['Fn::Sub']), subs: {} };
  if (d && typeof d === 'object' && d.States) return { asl: d, subs: {} };
  throw new Error(`unsupported definition shape: ${JSON.stringify(d).slice(0, 200)}`);
}

/** Every Task state, in nested Parallel branches and Map processors too. */
function taskStates(states: Json, prefix = ''): [string, Json][] {
  const out: [string, Json][] = [];
  for (const [name, st] of Object.entries(states ?? {})) {
    if (st.Type === 'Task') out.push([`${prefix}${name}`, st]);
    for (const b of st.Branches ?? []) out.push(...taskStates(b.States, `${prefix}${name}/`));
    const proc = st.ItemProcessor ?? st.Iterator;
    if (proc) out.push(...taskStates(proc.States, `${prefix}${name}/`));
  }
  return out;
}

/** `${var}` of an Fn::Sub, or a literal ARN, → the logical id of the resource it designates. */
function resolveResource(ref: unknown, subs: Record<string, unknown>): string | undefined {
  if (typeof ref !== 'string') return logicalIdOf(ref);
  const m = /^\$\{([^}]+)\}$/.exec(ref);
  if (m) {
    const v = subs[m[1]!];
    if (v !== undefined) return logicalIdOf(v);
    // ${Id.Arn} / ${Id} written inline
    return m[1]!.split('.')[0];
  }
  const fn = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(ref)?.[1];
  if (fn) return ofType('AWS::Lambda::Function').find(([, r]) => r.Properties?.FunctionName === fn)?.[0];
  return undefined;
}

/** serverless.yml, with CloudFormation short tags (!GetAtt, !Sub, …) read as plain values. */
async function readServerlessYml(): Promise<Json> {
  const text = await readFile(path.join(ROOT, 'serverless.yml'), 'utf8');
  return parseDocument(text, { logLevel: 'silent' }).toJS({ maxAliasCount: -1 }) as Json;
}

function httpApiRoutes(sls: Json): string[] {
  const out: string[] = [];
  for (const fn of Object.values<Json>(sls.functions ?? {})) {
    for (const ev of fn.events ?? []) {
      if (!ev || !('httpApi' in ev)) continue;
      const h = ev.httpApi;
      out.push(typeof h === 'string' ? h.trim().replace(/\s+/, ' ') : `${String(h.method).toUpperCase()} ${h.path}`);
    }
  }
  return out;
}

const SHELL_SECRET = 'shell-secret-must-not-deploy';

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'apibibind-package-'));
  // A deployer's shell may hold secrets: they must not reach a non-local template (stage params).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    LDAP_BIND_PASSWORD: SHELL_SECRET,
    BOOTSTRAP_ADMIN_PASSWORD: SHELL_SECRET,
    JWT_PRIVATE_JWKS: SHELL_SECRET,
    OS_PASSWORD: SHELL_SECRET,
  };
  // No local endpoints in the environment, as in CI.
  for (const k of [
    'DYNAMODB_ENDPOINT',
    'SFN_ENDPOINT',
    'SQS_ENDPOINT',
    'STATE_MACHINE_ARN_PREFIX',
    'VITEST',
    'VITEST_POOL_ID',
    'VITEST_WORKER_ID',
  ]) {
    delete env[k];
  }
  try {
    await promisify(execFile)('npx', ['serverless', 'package', '--stage', STAGE, '--package', outDir], {
      cwd: ROOT,
      env,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`serverless package failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
  templateText = await readFile(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8');
  createTemplateText = await readFile(path.join(outDir, 'cloudformation-template-create-stack.json'), 'utf8');
  resources = (JSON.parse(templateText) as { Resources: Record<string, Resource> }).Resources;
}, 150_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('serverless package (CloudFormation template)', () => {
  it('stays under the 500-resource limit of a CloudFormation stack', () => {
    const count = Object.keys(resources).length;
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(500);
  });

  it('declares one state machine per state-machines/*.asl.yml, with the same states', async () => {
    // Prepare
    const files = (await readdir(path.join(ROOT, 'state-machines'))).filter((f) => f.endsWith('.asl.yml'));
    const machines = ofType('AWS::StepFunctions::StateMachine');
    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(machines).toHaveLength(files.length);
    for (const f of files) {
      const name = `apibibind-${STAGE}-${f.replace(/\.asl\.yml$/, '')}`;
      const sm = machines.find(([, r]) => r.Properties?.StateMachineName === name);
      expect(sm, `state machine ${name}`).toBeDefined();
      const source = parse(await readFile(path.join(ROOT, 'state-machines', f), 'utf8')) as Json;
      const { asl } = definitionOf(sm![1]);
      expect(asl.StartAt).toBe(source.StartAt);
      expect(Object.keys(asl.States).sort()).toEqual(Object.keys(source.States).sort());
    }
  });

  it('resolves every Task Resource of every state machine to a Lambda function of the template', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    let tasks = 0;
    for (const [smId, sm] of machines) {
      const { asl, subs } = definitionOf(sm);
      for (const [stateName, st] of taskStates(asl.States)) {
        tasks++;
        const ref = String(st.Resource).startsWith('arn:aws:states:::lambda:invoke') ? st.Parameters?.FunctionName : st.Resource;
        const id = resolveResource(ref, subs);
        expect(id, `${smId}.${stateName} Resource ${JSON.stringify(ref)}`).toBeDefined();
        expect(resources[id!]?.Type, `${smId}.${stateName} → ${id}`).toBe('AWS::Lambda::Function');
      }
    }
    expect(tasks).toBeGreaterThan(0);
  });

  it('declares the DynamoDB table with the keys and GSIs of tableDefinition()', () => {
    // Prepare
    const expected = tableDefinition('ignored');
    const tables = ofType('AWS::DynamoDB::Table');
    // Assess
    expect(tables).toHaveLength(1);
    const p = tables[0]![1].Properties!;
    expect(p.BillingMode).toBe(expected.BillingMode);
    expect(p.KeySchema).toEqual(expected.KeySchema);
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));
    expect([...p.AttributeDefinitions].sort(byName)).toEqual([...expected.AttributeDefinitions!].sort(byName));
    const gsis = (list: Json[]) => Object.fromEntries(list.map((g) => [g.IndexName, { KeySchema: g.KeySchema, Projection: g.Projection }]));
    expect(gsis(p.GlobalSecondaryIndexes ?? [])).toEqual(gsis(expected.GlobalSecondaryIndexes as Json[]));
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('gives the workflow-events queue a RedrivePolicy to its dead-letter queue, consumed by a Lambda', () => {
    // Prepare
    const queues = ofType('AWS::SQS::Queue');
    const withRedrive = queues.filter(([, q]) => q.Properties?.RedrivePolicy);
    // Assess
    expect(withRedrive).toHaveLength(1);
    const [queueId, queue] = withRedrive[0]!;
    const redrive = queue.Properties!.RedrivePolicy;
    const dlqId = logicalIdOf(redrive.deadLetterTargetArn);
    expect(dlqId).toBeDefined();
    expect(dlqId).not.toBe(queueId);
    expect(resources[dlqId!]?.Type).toBe('AWS::SQS::Queue');
    expect(Number(redrive.maxReceiveCount)).toBeGreaterThan(0);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => logicalIdOf(m.Properties?.EventSourceArn) === queueId);
    expect(mappings).toHaveLength(1);
    expect(resources[logicalIdOf(mappings[0]![1].Properties!.FunctionName)!]?.Type).toBe('AWS::Lambda::Function');
  });

  it('routes Step Functions status changes to that queue with an EventBridge rule', () => {
    // Prepare
    const queueId = ofType('AWS::SQS::Queue').find(([, q]) => q.Properties?.RedrivePolicy)?.[0];
    const rules = ofType('AWS::Events::Rule');
    // Assess
    const rule = rules.find(([, r]) => (r.Properties?.Targets ?? []).some((t: Json) => logicalIdOf(t.Arn) === queueId));
    expect(rule, 'a rule targeting the workflow-events queue').toBeDefined();
    const pattern = rule![1].Properties!.EventPattern;
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(pattern.detail.status).toEqual(expect.arrayContaining(['FAILED', 'TIMED_OUT', 'ABORTED']));
    // EventBridge may send to the queue
    const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) =>
      (p.Properties?.Queues ?? []).some((q: unknown) => logicalIdOf(q) === queueId),
    );
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0]![1].Properties!.PolicyDocument)).toContain('events.amazonaws.com');
  });

  it('runs every Lambda function on nodejs22.x', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.length).toBeGreaterThan(0);
    for (const [id, fn] of fns) expect(fn.Properties?.Runtime, id).toBe('nodejs22.x');
  });

  it('contains no plaintext secret: no dev password, no private JWK member', () => {
    for (const text of [templateText, createTemplateText]) {
      expect(text).not.toContain('admin-dev-password');
      expect(text).not.toContain(SHELL_SECRET);
      expect(text).not.toContain('ldap-dev-password');
      // `"d":` also when escaped inside a JSON string (a definition, an environment value)
      expect(text).not.toMatch(/\\*"d\\*"\s*:/);
    }
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const vars = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      for (const k of ['LDAP_BIND_PASSWORD', 'BOOTSTRAP_ADMIN_PASSWORD', 'JWT_PRIVATE_JWKS', 'OS_PASSWORD']) {
        if (k in vars) expect(String(vars[k]), `${id}.${k}`).toMatch(/^\{\{resolve:secretsmanager:/);
      }
    }
  });

  it('gives every Lambda function an environment the app configuration accepts', () => {
    // Prepare: intrinsic values (Fn::Sub …) stand for the strings CloudFormation resolves at deploy
    const resolved = 'arn:aws:states:eu-west-3:123456789012:stateMachine:apibibind-ci-';
    const fns = ofType('AWS::Lambda::Function');
    // Act + Assess
    for (const [id, fn] of fns) {
      const vars = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : resolved]));
      expect(() => loadConfig(env), id).not.toThrow();
    }
  });

  it('lists the same HTTP routes in serverless.yml, in the template and in the route registry', async () => {
    // Prepare
    const sls = await readServerlessYml();
    const declared = httpApiRoutes(sls);
    const fromYml = declared.filter((r) => r !== '*').sort();
    const fromTemplate = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => String(r.Properties?.RouteKey))
      .filter((k) => k !== '$default')
      .sort();
    const fromRegistry = ALL_ROUTES.map((r) => `${r.spec.method} ${r.spec.path}`).sort();
    // Assess
    expect(declared).toContain('*');
    expect(ofType('AWS::ApiGatewayV2::Route').some(([, r]) => r.Properties?.RouteKey === '$default')).toBe(true);
    expect(new Set(fromYml).size).toBe(fromYml.length);
    expect(fromYml).toEqual(fromRegistry);
    expect(fromTemplate).toEqual(fromRegistry);
  });

  it("lets every function serving an authenticated route make the request path's table reads", async () => {
    const sls = await readServerlessYml();
    const routes = new Map(ALL_ROUTES.map((r) => [`${r.spec.method} ${r.spec.path}`, r.spec]));
    const checked: string[] = [];
    for (const [name, fn] of Object.entries<Json>(sls.functions ?? {})) {
      const authenticated = httpApiRoutes({ functions: { [name]: fn } }).some((k) => routes.get(k) && routes.get(k)!.auth !== 'public');
      if (!authenticated) continue;
      const id = `${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`;
      const role = resources[logicalIdOf(resources[id]?.Properties?.Role) ?? '']!;
      const actions = (role.Properties?.Policies ?? []).flatMap((p: Json) =>
        (p.PolicyDocument.Statement as Json[]).filter((st) => st.Effect === 'Allow').flatMap((st) => [st.Action].flat()),
      );
      // The session and the ACL version in one BatchGetItem (lib/store/batch-get.ts), the ACL copy by Query.
      expect(actions, name).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:Query']));
      checked.push(name);
    }
    expect(checked.length).toBeGreaterThan(10);
  });
});
