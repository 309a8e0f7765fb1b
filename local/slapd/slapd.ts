/**
 * Launcher of a real Debian slapd for the offline stack and the tests.
 *
 * - cn=config is project-owned: regenerated on every start from `config.ldif.tmpl` (+ the system schemas
 *   core, cosine, inetorgperson, nis and any `schema/*.ldif` of the project) with `slapadd -n0`.
 * - the directory data lives in `${dataDir}/db` and persists across restarts; it is seeded on first start
 *   from `seed.ldif.tmpl` with `slapadd` (offline, fast).
 * - slapd listens only on `ldap://127.0.0.1:<port>/`, in the foreground (`-d config`: startup and config errors only on stderr), pid file under dataDir.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { ensureSlapdInstalled, SLAPADD, SLAPD } from './install.js';

export { ensureSlapdInstalled } from './install.js';

const execFileAsync = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SLAPMODIFY = '/usr/sbin/slapmodify';
const SYSTEM_SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];
const START_TIMEOUT_MS = 15_000;

export interface StartSlapdOptions {
  port: number;
  dataDir: string;
  /** Password of the bootstrap user uid=admin,ou=people,<baseDn> (re-applied when it changes). */
  adminPassword: string;
  /** Password of the rootdn cn=admin,<baseDn> (the service bind). */
  bindPassword: string;
  baseDn?: string;
}

export interface RunningSlapd {
  url: string;
  baseDn: string;
  rootDn: string;
  adminDn: string;
  pid: number;
  stop(): Promise<void>;
}

/** Salted SHA-1 as slapd's {SSHA}. */
export function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

export function sshaVerify(password: string, hashed: string): boolean {
  if (!hashed.startsWith('{SSHA}')) return false;
  const raw = Buffer.from(hashed.slice(6), 'base64');
  if (raw.length <= 20) return false;
  const digest = raw.subarray(0, 20);
  const salt = raw.subarray(20);
  const expected = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return timingSafeEqual(digest, expected);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------
// Config and seed

function stripComments(ldif: string): string {
  return ldif
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function render(template: string, vars: Record<string, string>): string {
  return `${stripComments(template).replace(/\{\{([A-Z_]+)\}\}/g, (m, k: string) => vars[k] ?? m)}\n`;
}

async function schemasLdif(): Promise<string> {
  const files = SYSTEM_SCHEMAS.map((s) => `/etc/ldap/schema/${s}.ldif`);
  const projectDir = path.join(HERE, 'schema');
  if (existsSync(projectDir)) {
    const extra = (await readdir(projectDir)).filter((f) => f.endsWith('.ldif')).sort();
    files.push(...extra.map((f) => path.join(projectDir, f)));
  }
  const parts: string[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    // Drop comments; entries are separated by blank lines.
    parts.push(stripComments(text));
  }
  return parts.join('\n\n');
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  try {
    await execFileAsync(cmd, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`${what} failed: ${String(err.stderr || err.stdout || e).slice(-3000)}`);
  }
}

function firstRdnValue(dn: string): string {
  const m = /^\s*[A-Za-z0-9-]+=([^,]+)/.exec(dn);
  if (!m?.[1]) throw new Error(`Invalid baseDn: ${dn}`);
  return m[1];
}

// ---------------------------------------------------------------------------------------------------------
// Process management

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killStale(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'slapd.pid');
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, 'utf8')).trim(), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
  } catch {
    return;
  }
  if (!cmdline.includes('slapd') || !cmdline.includes(path.join(dataDir, 'slapd.d'))) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

async function tryBind(url: string, dn: string, password: string): Promise<'ok' | 'invalid' | 'down'> {
  const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
  try {
    await client.bind(dn, password);
    return 'ok';
  } catch (e) {
    return (e as { code?: unknown }).code === 49 ? 'invalid' : 'down';
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------

export async function startSlapd(opts: StartSlapdOptions): Promise<RunningSlapd> {
  const baseDn = opts.baseDn ?? 'dc=example,dc=com';
  const dataDir = path.resolve(opts.dataDir);
  const rootDn = `cn=admin,${baseDn}`;
  const adminDn = `uid=admin,ou=people,${baseDn}`;
  const adminsGroup = `cn=admins,ou=groups,${baseDn}`;
  const policyDn = `cn=default,ou=policies,${baseDn}`;
  const url = `ldap://127.0.0.1:${opts.port}`;
  if (!opts.bindPassword || !opts.adminPassword) throw new Error('startSlapd: bindPassword and adminPassword are required');

  await ensureSlapdInstalled();
  await mkdir(dataDir, { recursive: true });
  await killStale(dataDir);

  // 1. cn=config, regenerated from the project's template on every start.
  const configDir = path.join(dataDir, 'slapd.d');
  await rm(configDir, { recursive: true, force: true });
  await mkdir(configDir, { recursive: true });
  await mkdir(path.join(dataDir, 'db'), { recursive: true });
  const configLdif = render(await readFile(path.join(HERE, 'config.ldif.tmpl'), 'utf8'), {
    DATA_DIR: dataDir,
    BASE_DN: baseDn,
    ROOT_DN: rootDn,
    ROOT_PW: sshaHash(opts.bindPassword),
    ADMINS_GROUP: adminsGroup,
    POLICY_DN: policyDn,
    SCHEMAS: await schemasLdif(),
  });
  const configFile = path.join(dataDir, 'config.ldif');
  await writeFile(configFile, configLdif, { mode: 0o600 });
  await run(SLAPADD, ['-n0', '-F', configDir, '-l', configFile], 'slapadd -n0 (cn=config)');

  // 2. Seed on first start; re-apply the bootstrap admin password when it changed.
  const seededMarker = path.join(dataDir, 'seeded');
  const adminPwFile = path.join(dataDir, 'bootstrap-admin.ssha');
  if (!existsSync(seededMarker) || !existsSync(path.join(dataDir, 'db', 'data.mdb'))) {
    await rm(path.join(dataDir, 'db'), { recursive: true, force: true });
    await mkdir(path.join(dataDir, 'db'), { recursive: true });
    const seed = render(await readFile(path.join(HERE, 'seed.ldif.tmpl'), 'utf8'), {
      BASE_DN: baseDn,
      DC: firstRdnValue(baseDn),
      ADMIN_DN: adminDn,
      ADMIN_PW: sshaHash(opts.adminPassword),
      ADMINS_GROUP: adminsGroup,
      POLICY_DN: policyDn,
    });
    const seedFile = path.join(dataDir, 'seed.ldif');
    await writeFile(seedFile, seed, { mode: 0o600 });
    await run(SLAPADD, ['-q', '-F', configDir, '-b', baseDn, '-l', seedFile], 'slapadd (seed)');
    await rm(seedFile, { force: true });
    await writeFile(adminPwFile, sshaHash(opts.adminPassword), { mode: 0o600 });
    await writeFile(seededMarker, new Date().toISOString());
  } else {
    let applied = '';
    try {
      applied = (await readFile(adminPwFile, 'utf8')).trim();
    } catch {
      /* never recorded */
    }
    if (!sshaVerify(opts.adminPassword, applied)) {
      const modFile = path.join(dataDir, 'admin-password.ldif');
      await writeFile(
        modFile,
        `dn: ${adminDn}\nchangetype: modify\nreplace: userPassword\nuserPassword: ${sshaHash(opts.adminPassword)}\n-\n`,
        { mode: 0o600 },
      );
      try {
        await run(SLAPMODIFY, ['-F', configDir, '-b', baseDn, '-l', modFile], 'slapmodify (bootstrap admin password)');
      } finally {
        await rm(modFile, { force: true });
      }
      await writeFile(adminPwFile, sshaHash(opts.adminPassword), { mode: 0o600 });
    }
  }
  await rm(configFile, { force: true });

  // 3. Start in the foreground, listening on loopback only.
  if (await portOpen(opts.port)) {
    throw new Error(`Cannot start slapd: port ${opts.port} on 127.0.0.1 is already in use`);
  }
  const child: ChildProcess = spawn(SLAPD, ['-d', 'config', '-h', `${url}/`, '-F', configDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  child.once('error', (e) => collect(Buffer.from(`\n${e.message}`)));

  const stop = async (): Promise<void> => {
    if (!exited && child.pid) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(t);
    }
    for (let i = 0; i < 100 && (await portOpen(opts.port)); i++) await sleep(50);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      throw new Error(`slapd exited during start (code ${exited.code}, signal ${exited.signal}):\n${output.trim() || '(no output)'}`);
    }
    const r = await tryBind(url, rootDn, opts.bindPassword);
    if (r === 'ok') break;
    if (r === 'invalid') {
      await stop();
      throw new Error('slapd started but refused the rootdn bind (invalid credentials)');
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`slapd did not answer a bind within ${START_TIMEOUT_MS} ms:\n${output.trim() || '(no output)'}`);
    }
    await sleep(50);
  }

  return { url, baseDn, rootDn, adminDn, pid: child.pid ?? -1, stop };
}
