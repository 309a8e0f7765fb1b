import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './slapd.js';

export interface DevStack {
  api: string;
  dataDir: string;
  adminPassword: string;
  ldapUrl: string;
  ldapBindPassword: string;
  /** The OpenStack simulator's origin (http://127.0.0.1:PORT): its `/_sim/faults` and its OpenStack APIs. */
  openstack: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the stack exactly as a user does (`npm run dev`), on free ports and a temporary data directory,
 * and waits for its "ready" line.
 */
export async function startDevStack(env: Record<string, string> = {}, opts: { dataDir?: string } = {}): Promise<DevStack> {
  const ports = {
    PORT: await freePort(),
    LAMBDA_PORT: await freePort(),
    LDAP_PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    SFN_PORT: await freePort(),
    SQS_PORT: await freePort(),
    OPENSTACK_PORT: await freePort(),
  };
  // A caller-provided data directory is kept (restart tests); a temporary one is removed on stop.
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'apibibind-e2e-')));
  const adminPassword = 'e2e-Admin-Pass-1';
  const ldapBindPassword = 'e2e-bind-pass';
  const child: ChildProcess = spawn('npm', ['run', 'dev'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      DATA_DIR: dataDir,
      BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      LDAP_BIND_PASSWORD: ldapBindPassword,
      SFN_WAIT_SCALE: '0.01',
      LOG_LEVEL: 'WARN',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/ApiBibind is ready/.test(out)) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`npm run dev exited ${code}:\n${out.slice(-4000)}`));
    });
    setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`npm run dev not ready in 150 s:\n${out.slice(-4000)}`));
    }, 150_000).unref();
  });
  return {
    api: `http://localhost:${ports.PORT}/api/v1`,
    dataDir,
    adminPassword,
    ldapUrl: `ldap://127.0.0.1:${ports.LDAP_PORT}`,
    ldapBindPassword,
    openstack: `http://127.0.0.1:${ports.OPENSTACK_PORT}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.pid) {
        // SIGTERM to the whole group (npm, sh, node) as a terminal's Ctrl-C would; npm may exit at once,
        // so completion is the stack's own "Stopped." line, not npm's exit.
        process.kill(-child.pid, 'SIGTERM');
        const deadline = Date.now() + 30_000;
        while (!/\nStopped\./.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small JSON client over fetch. */
export function client(api: string) {
  return async function call(
    method: string,
    p: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) {
    const res = await fetch(`${api}${p}`, {
      method,
      headers: {
        ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.headers ?? {}),
      },
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}
