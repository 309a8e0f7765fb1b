/**
 * Loading of `state-machines/*.asl.yml` and the rewrite that makes them runnable by aws-local-stepfunctions:
 *   - `Resource: { Fn::GetAtt: [fnKey, Arn] }` (serverless-step-functions form) → a Lambda ARN for
 *     `${service}-${stage}-${fnKey}`; the Task is recorded so the emulator can route it to its invoker;
 *   - `arn:aws:states:::lambda:invoke` with `Parameters.FunctionName` (GetAtt or name/ARN) → same, with the
 *     optimized-integration result shape `{ Payload, StatusCode, ExecutedVersion }`;
 *   - `ResultPath: $` is dropped (same meaning; works around a library bug, see below);
 *   - Tasks without a timeout get 900 s (the Lambda maximum) instead of the library's 60 s;
 *   - when waits are scaled, `Wait` states with SecondsPath/TimestampPath become an emulator-internal Task
 *     that sleeps the scaled duration (the history still reports them as Wait states).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const SFN_REGION = 'us-east-1';
export const SFN_ACCOUNT_ID = '000000000000';
export const INTERNAL_WAIT_FN = '__sfn_emulator_wait';

export type TaskRoute =
  | { kind: 'lambda'; fnName: string }
  | { kind: 'lambdaInvoke' }
  | { kind: 'wait'; secondsPath?: string; timestampPath?: string }
  | { kind: 'unsupported'; resource: string };

export interface CompiledStateMachine {
  name: string;
  arn: string;
  file: string;
  mtimeMs: number;
  /** The definition as deployed (GetAtt resolved), for DescribeStateMachine. */
  deployedDefinition: Record<string, unknown>;
  /** The definition handed to aws-local-stepfunctions. */
  runnableDefinition: Record<string, unknown>;
  /** State name → how its Task is executed (names are global across Parallel branches/Map iterators). */
  tasks: Map<string, TaskRoute>;
  /** Wait state name → Seconds / Timestamp (for scaled overrides). */
  waits: Map<string, { seconds?: number; timestamp?: string }>;
  /** Retryable state name → its retriers (for scaled retry intervals). */
  retriers: Map<string, { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number }[]>;
  /** Names of Wait states that were rewritten into internal Tasks. */
  rewrittenWaits: Set<string>;
  creationDate: number;
}

export interface CompileOptions {
  service: string;
  stage: string;
  waitScale: number;
}

export function stateMachineArn(service: string, stage: string, name: string): string {
  return `arn:aws:states:${SFN_REGION}:${SFN_ACCOUNT_ID}:stateMachine:${service}-${stage}-${name}`;
}

export function lambdaArn(fnName: string): string {
  return `arn:aws:lambda:${SFN_REGION}:${SFN_ACCOUNT_ID}:function:${fnName}`;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** `{Fn::GetAtt: [fnKey, Arn]}` / `{Fn::GetAtt: 'fnKey.Arn'}` / ARN / plain name → function name. */
export function resolveFunctionName(ref: unknown, opts: Pick<CompileOptions, 'service' | 'stage'>): string | undefined {
  if (isObj(ref) && 'Fn::GetAtt' in ref) {
    const att = ref['Fn::GetAtt'];
    const key = Array.isArray(att) ? att[0] : typeof att === 'string' ? att.split('.')[0] : undefined;
    return typeof key === 'string' && key ? `${opts.service}-${opts.stage}-${key}` : undefined;
  }
  if (isObj(ref) && 'Ref' in ref && typeof ref.Ref === 'string') {
    return `${opts.service}-${opts.stage}-${ref.Ref.replace(/LambdaFunction$/, '').replace(/^./, (c) => c.toLowerCase())}`;
  }
  if (typeof ref === 'string') {
    const m = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::.*)?$/.exec(ref);
    if (m) return m[1];
    if (!ref.startsWith('arn:')) return ref;
  }
  return undefined;
}

function compileStates(
  states: Json,
  opts: CompileOptions,
  out: Pick<CompiledStateMachine, 'tasks' | 'waits' | 'retriers' | 'rewrittenWaits'>,
  deployed: Json,
): void {
  for (const [name, raw] of Object.entries(states)) {
    if (!isObj(raw)) continue;
    const st = raw;
    const dep = deployed[name] as Json;
    if (Array.isArray(st.Retry)) out.retriers.set(name, st.Retry as never);
    // aws-local-stepfunctions 3.0.0 treats `ResultPath: $` as a key named "$" (sets `{..., "$": result}`)
    // instead of replacing the input; `$` is the default, so dropping it is equivalent.
    if (st.ResultPath === '$') delete st.ResultPath;
    if (Array.isArray(st.Catch)) {
      for (const c of st.Catch as Json[]) if (isObj(c) && c.ResultPath === '$') delete c.ResultPath;
    }
    switch (st.Type) {
      case 'Task': {
        const res = st.Resource;
        if (res === 'arn:aws:states:::lambda:invoke' || res === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
          const params = isObj(st.Parameters) ? st.Parameters : {};
          if ('FunctionName' in params) {
            const fn = resolveFunctionName(params.FunctionName, opts);
            if (fn) {
              params.FunctionName = fn;
              (dep.Parameters as Json).FunctionName = lambdaArn(fn);
            }
          }
          st.Parameters = params;
          out.tasks.set(name, res === 'arn:aws:states:::lambda:invoke' ? { kind: 'lambdaInvoke' } : { kind: 'unsupported', resource: res });
        } else {
          const fn = resolveFunctionName(res, opts);
          if (fn) {
            st.Resource = lambdaArn(fn);
            dep.Resource = lambdaArn(fn);
            out.tasks.set(name, { kind: 'lambda', fnName: fn });
          } else {
            out.tasks.set(name, { kind: 'unsupported', resource: typeof res === 'string' ? res : JSON.stringify(res) });
            if (typeof res !== 'string') st.Resource = lambdaArn('__unsupported');
          }
        }
        if (st.TimeoutSeconds === undefined && st.TimeoutSecondsPath === undefined) st.TimeoutSeconds = 900;
        break;
      }
      case 'Wait': {
        if (typeof st.Seconds === 'number') out.waits.set(name, { seconds: st.Seconds });
        else if (typeof st.Timestamp === 'string') out.waits.set(name, { timestamp: st.Timestamp });
        else if (opts.waitScale !== 1 && (typeof st.SecondsPath === 'string' || typeof st.TimestampPath === 'string')) {
          const route: TaskRoute = { kind: 'wait' };
          if (typeof st.SecondsPath === 'string') route.secondsPath = st.SecondsPath;
          if (typeof st.TimestampPath === 'string') route.timestampPath = st.TimestampPath;
          out.tasks.set(name, route);
          out.rewrittenWaits.add(name);
          const task: Json = {
            Type: 'Task',
            Resource: lambdaArn(INTERNAL_WAIT_FN),
            TimeoutSeconds: 2_000_000,
          };
          for (const k of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) if (k in st) task[k] = st[k];
          states[name] = task;
        }
        break;
      }
      case 'Parallel': {
        const branches = Array.isArray(st.Branches) ? (st.Branches as Json[]) : [];
        const depBranches = dep.Branches as Json[];
        branches.forEach((b, i) => {
          if (isObj(b.States)) compileStates(b.States, opts, out, depBranches[i]!.States as Json);
        });
        break;
      }
      case 'Map': {
        const key = isObj(st.ItemProcessor) ? 'ItemProcessor' : 'Iterator';
        const proc = st[key];
        if (isObj(proc) && isObj(proc.States)) compileStates(proc.States, opts, out, (dep[key] as Json).States as Json);
        break;
      }
      default:
        break;
    }
  }
}

export function compileDefinition(
  name: string,
  file: string,
  mtimeMs: number,
  definition: unknown,
  opts: CompileOptions,
): CompiledStateMachine {
  if (!isObj(definition) || !isObj(definition.States) || typeof definition.StartAt !== 'string') {
    throw new Error(`${file}: not an Amazon States Language definition (StartAt/States missing)`);
  }
  const runnable = structuredClone(definition);
  const deployed = structuredClone(definition);
  const out = {
    tasks: new Map<string, TaskRoute>(),
    waits: new Map<string, { seconds?: number; timestamp?: string }>(),
    retriers: new Map<string, { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number }[]>(),
    rewrittenWaits: new Set<string>(),
  };
  compileStates(runnable.States as Json, opts, out, deployed.States as Json);
  return {
    name,
    arn: stateMachineArn(opts.service, opts.stage, name),
    file,
    mtimeMs,
    deployedDefinition: deployed,
    runnableDefinition: runnable,
    creationDate: mtimeMs,
    ...out,
  };
}

/** Reads `*.asl.yml|yaml|json` from a directory; returns compiled machines and per-file load errors. */
export async function loadStateMachines(
  dir: string,
  opts: CompileOptions,
  cache: Map<string, CompiledStateMachine> = new Map(),
): Promise<{ machines: Map<string, CompiledStateMachine>; errors: Map<string, string> }> {
  const machines = new Map<string, CompiledStateMachine>();
  const errors = new Map<string, string>();
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    return { machines, errors };
  }
  for (const entry of entries.sort()) {
    const m = /^(.+)\.asl\.(ya?ml|json)$/.exec(entry);
    if (!m) continue;
    const name = m[1]!;
    const file = path.join(dir, entry);
    try {
      const { mtimeMs } = await stat(file);
      const cached = cache.get(name);
      if (cached && cached.file === file && cached.mtimeMs === mtimeMs) {
        machines.set(name, cached);
        continue;
      }
      const text = await readFile(file, 'utf8');
      const def: unknown = m[2] === 'json' ? JSON.parse(text) : parseYaml(text);
      machines.set(name, compileDefinition(name, file, mtimeMs, def, opts));
    } catch (err) {
      errors.set(name, (err as Error).message);
    }
  }
  return { machines, errors };
}

/** Minimal JSONPath for reference paths (`$`, `$.a.b`, `$.a[0]`, `$['a']`). */
export function readReferencePath(data: unknown, p: string): unknown {
  if (p === '$') return data;
  if (!p.startsWith('$')) return undefined;
  const tokens = [...p.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)];
  let cur: unknown = data;
  for (const t of tokens) {
    if (cur === null || cur === undefined) return undefined;
    const key = t[1] ?? t[3] ?? t[4];
    if (key !== undefined) cur = (cur as Json)[key];
    else cur = (cur as unknown[])[Number(t[2])];
  }
  return cur;
}
