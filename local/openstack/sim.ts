/** The runtime shared by the services: state, clock, ids, the job queue and fault injection. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { emptyState, type State } from './model.js';
import { createIds, isoNow, seededRandom, type Ids } from './util.js';

/** The catalog types a fault rule can target (the simulator's services). */
export type FaultService = 'identity' | 'compute' | 'network' | 'volumev3' | 'image' | 'load-balancer' | 'placement';

/**
 * A targeted fault: the matching calls are answered with `status` in the service's own fault body (Nova's
 * `{"conflictingRequest":{…}}`, Neutron's `NeutronError`, Octavia's `faultstring`…) instead of being served.
 */
export interface FaultRule {
  /** HTTP method (any case); unset, every method. */
  method?: string;
  /**
   * Regular expression source tested against the path of the call below the service's version root
   * (`/servers`, `/servers/ID/action`, `/volumes/detail` — Cinder's project segment dropped —, `/networks`,
   * `/images`, `/lbaas/loadbalancers`, `/auth/tokens`) and against the full path under the service
   * (`/v2.1/servers`); it matches when either matches. The query string is not part of it.
   */
  path: string;
  /** Only this service; unset, any service. */
  service?: FaultService;
  status: number;
  /** The fault message; unset, a generic one (for 5xx, the service's own internal-error text). */
  message?: string;
  /** How many matching calls fail (default 1); the rule is dropped once used up. */
  times?: number;
  /** Matching calls to let through before failing (default 0). */
  skip?: number;
}

export type BuildKind = 'server' | 'volume' | 'snapshot' | 'loadbalancer';

/** The next `times` (default 1) builds of `kind` end in ERROR (server `fault`, volume/snapshot `error`, LB `ERROR`). */
export interface BuildErrorFor {
  kind: BuildKind;
  times?: number;
}

export interface Faults {
  /** Fraction (0..1) of mutating calls answered with a 500 in the service's fault shape. */
  errorRate?: number;
  /** Fraction (0..1) of servers/volumes/snapshots/load balancers whose build ends in ERROR. */
  buildErrorRate?: number;
  /**
   * Targeted faults, consulted in order before the call is served: the first rule that matches and has
   * failures left answers the call; a matching rule with `skip` left counts the call down and lets the next
   * rules decide. Used-up rules are dropped (GET /_sim/faults shows what is left).
   */
  rules?: FaultRule[];
  /** Forced build failures, consumed before `buildErrorRate` is drawn. */
  buildErrorFor?: BuildErrorFor | BuildErrorFor[];
}

const BUILD_KINDS: readonly BuildKind[] = ['server', 'volume', 'snapshot', 'loadbalancer'];
const SERVICES: readonly FaultService[] = ['identity', 'compute', 'network', 'volumev3', 'image', 'load-balancer', 'placement'];

/** Checks and normalizes a faults object (from code or from `PUT /_sim/faults`); throws a readable Error. */
export function normalizeFaults(input: unknown): Faults {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(input)) throw new Error('faults must be an object');
  const known = ['errorRate', 'buildErrorRate', 'rules', 'buildErrorFor'];
  const extra = Object.keys(input).filter((k) => !known.includes(k));
  if (extra.length) throw new Error(`unknown fault option(s): ${extra.join(', ')} (known: ${known.join(', ')})`);
  const out: Faults = {};
  for (const k of ['errorRate', 'buildErrorRate'] as const) {
    const v = input[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${k} must be a number between 0 and 1`);
    out[k] = v;
  }
  const count = (v: unknown, what: string, min: number): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}`);
    return v;
  };
  if (input.rules !== undefined) {
    if (!Array.isArray(input.rules)) throw new Error('rules must be an array');
    out.rules = input.rules.map((raw: unknown, i) => {
      const at = `rules[${i}]`;
      if (!isObj(raw)) throw new Error(`${at} must be an object`);
      // Cinder's newer catalog type is an alias of volumev3.
      const r = raw.service === 'block-storage' ? { ...raw, service: 'volumev3' } : raw;
      const allowed = ['method', 'path', 'service', 'status', 'message', 'times', 'skip'];
      const bad = Object.keys(r).filter((k) => !allowed.includes(k));
      if (bad.length) throw new Error(`${at}: unknown field(s) ${bad.join(', ')}`);
      if (typeof r.path !== 'string') throw new Error(`${at}.path must be a regular expression source`);
      try {
        new RegExp(r.path);
      } catch (e) {
        throw new Error(`${at}.path: ${(e as Error).message}`);
      }
      if (typeof r.status !== 'number' || !Number.isInteger(r.status) || r.status < 400 || r.status > 599)
        throw new Error(`${at}.status must be an HTTP error status (400-599)`);
      if (r.method !== undefined && typeof r.method !== 'string') throw new Error(`${at}.method must be a string`);
      if (r.message !== undefined && typeof r.message !== 'string') throw new Error(`${at}.message must be a string`);
      if (r.service !== undefined && !SERVICES.includes(r.service as FaultService))
        throw new Error(`${at}.service must be one of ${SERVICES.join(', ')}`);
      const rule: FaultRule = { path: r.path, status: r.status };
      if (r.method !== undefined) rule.method = r.method.toUpperCase();
      if (r.service !== undefined) rule.service = r.service as FaultService;
      if (r.message !== undefined) rule.message = r.message;
      rule.times = count(r.times, `${at}.times`, 1) ?? 1;
      const skip = count(r.skip, `${at}.skip`, 0);
      if (skip) rule.skip = skip;
      return rule;
    });
  }
  if (input.buildErrorFor !== undefined) {
    const list = Array.isArray(input.buildErrorFor) ? input.buildErrorFor : [input.buildErrorFor];
    out.buildErrorFor = list.map((b: unknown, i) => {
      const at = `buildErrorFor[${i}]`;
      if (!isObj(b) || !BUILD_KINDS.includes(b.kind as BuildKind)) throw new Error(`${at}.kind must be one of ${BUILD_KINDS.join(', ')}`);
      const bad = Object.keys(b).filter((k) => k !== 'kind' && k !== 'times');
      if (bad.length) throw new Error(`${at}: unknown field(s) ${bad.join(', ')}`);
      return { kind: b.kind as BuildKind, times: count(b.times, `${at}.times`, 1) ?? 1 };
    });
  }
  return out;
}

/** What a rule is matched against. */
export interface FaultCall {
  service: FaultService;
  method: string;
  /** Path below the version root (`/servers/ID`). */
  path: string;
  /** Path under the service prefix (`/v2.1/servers/ID`). */
  fullPath: string;
}

export type JobHandler = (id: string, arg?: string) => void;

export class Sim {
  state: State = emptyState();
  ids: Ids;
  private readonly faultRand: () => number;
  private readonly handlers = new Map<string, JobHandler>();
  faults: Faults;

  constructor(readonly opts: { seed: number; transitionMs: number; tokenTtlSeconds: number; faults: Faults; dataDir?: string }) {
    this.ids = createIds(seededRandom(opts.seed));
    // A separate stream: fault draws must not shift the ids of the resources created afterwards.
    this.faultRand = seededRandom(opts.seed ^ 0x5bd1e995);
    this.faults = normalizeFaults(opts.faults);
  }

  now(): number {
    return Date.now();
  }

  iso(): string {
    return isoNow(this.now());
  }

  nextSeq(): number {
    return ++this.state.seq;
  }

  /** Registers what a job kind does when due. */
  handle(kind: string, fn: JobHandler): void {
    this.handlers.set(kind, fn);
  }

  /** Schedules `kind` for resource `id` after `factor` × transitionMs; replaces a pending job of the same kind. */
  later(kind: string, id: string, factor = 1, arg?: string): void {
    this.cancel(id, kind);
    this.state.jobs.push({ at: this.now() + this.opts.transitionMs * factor, seq: this.nextSeq(), kind, id, arg });
  }

  cancel(id: string, kind?: string): void {
    this.state.jobs = this.state.jobs.filter((j) => !(j.id === id && (kind === undefined || j.kind === kind)));
  }

  pending(id: string): boolean {
    return this.state.jobs.some((j) => j.id === id);
  }

  /** Applies every due job in time order, including jobs that due jobs schedule in the past. */
  settle(): void {
    for (;;) {
      const now = this.now();
      const due = this.state.jobs.filter((j) => j.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) return;
      this.state.jobs.splice(this.state.jobs.indexOf(due), 1);
      this.handlers.get(due.kind)?.(due.id, due.arg);
    }
  }

  /** True when this mutating call should fail with a 500. */
  drawApiError(): boolean {
    const rate = this.faults.errorRate ?? 0;
    return rate > 0 && this.faultRand() < rate;
  }

  /** The rule that fails this call, if any (consuming it); rules with `skip` left count the call down. */
  takeRule(call: FaultCall): FaultRule | undefined {
    const rules = this.faults.rules;
    if (!rules?.length) return undefined;
    for (const rule of rules) {
      if (rule.service && rule.service !== call.service) continue;
      if (rule.method && rule.method.toUpperCase() !== call.method.toUpperCase()) continue;
      const re = new RegExp(rule.path);
      if (!re.test(call.path) && !re.test(call.fullPath)) continue;
      if (rule.skip) {
        rule.skip -= 1;
        continue;
      }
      rule.times = (rule.times ?? 1) - 1;
      this.faults.rules = rules.filter((r) => (r.times ?? 1) > 0);
      return rule;
    }
    return undefined;
  }

  /** True when this build of `kind` should end in ERROR: a `buildErrorFor` entry first, then `buildErrorRate`. */
  drawBuildError(kind: BuildKind): boolean {
    const forced = this.faults.buildErrorFor;
    const list = forced === undefined ? [] : Array.isArray(forced) ? forced : [forced];
    const entry = list.find((b) => b.kind === kind && (b.times ?? 1) > 0);
    if (entry) {
      entry.times = (entry.times ?? 1) - 1;
      const left = list.filter((b) => (b.times ?? 1) > 0);
      if (left.length) this.faults.buildErrorFor = left;
      else delete this.faults.buildErrorFor;
      return true;
    }
    const rate = this.faults.buildErrorRate ?? 0;
    return rate > 0 && this.faultRand() < rate;
  }

  private get file(): string | undefined {
    return this.opts.dataDir ? path.join(this.opts.dataDir, 'openstack.json') : undefined;
  }

  load(): boolean {
    const f = this.file;
    if (!f || !existsSync(f)) return false;
    this.state = { ...emptyState(), ...(JSON.parse(readFileSync(f, 'utf8')) as Partial<State>) };
    // Ids restart from the seed: shift the stream so new resources do not collide with persisted ones.
    this.ids = createIds(seededRandom(this.opts.seed + this.state.seq * 7919));
    return true;
  }

  save(): void {
    const f = this.file;
    if (!f) return;
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, JSON.stringify(this.state));
  }
}
