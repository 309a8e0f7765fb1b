/** The runtime shared by the services: state, clock, ids, the job queue and fault injection. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { emptyState, type State } from './model.js';
import { createIds, isoNow, seededRandom, type Ids } from './util.js';

export interface Faults {
  /** Fraction (0..1) of mutating calls answered with a 500 in the service's fault shape. */
  errorRate?: number;
  /** Fraction (0..1) of servers/volumes/snapshots/load balancers whose build ends in ERROR. */
  buildErrorRate?: number;
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
    this.faults = { ...opts.faults };
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

  /** True when this build should end in ERROR. */
  drawBuildError(): boolean {
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
