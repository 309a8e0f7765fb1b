/**
 * GET /api/v1/users?limit=50&offset=…&filter=… through the full stack (the `users` function handler,
 * in-process, with an admin access token against dynalite) vs the same page fetched directly with ldapts
 * from slapd (the same Server Side Sorting + Virtual List View controls, the same filter), in one run, for
 * directories of 1,000, 10,000 and 100,000 users.
 *
 * - Each size gets a fresh test slapd (test/helpers/slapd.ts, seeded with the bootstrap admin), stopped,
 *   loaded OFFLINE with `slapadd -q` from a generated LDIF, and started again.
 * - The API takes a service-bound connection from its pool (lib/providers/ldap/pool.ts): one opened ahead
 *   of the request (a connection that ran a VLV search is closed afterwards, sssvlv keeps its sorts, and a
 *   replacement is opened in the background), so the request itself pays no connect + bind. "Direct" is a
 *   naive client: a new connection per request (connect + bind + search + unbind); connect + bind + unbind
 *   alone is measured too, and the breakdown times the use case with and without the pool.
 * - Since users live in departments too, the API lists below the base; the direct search does the same.
 * - The three are alternated sample by sample (rotating the order) so machine noise hits them alike;
 *   medians are compared.
 * - One child process per size (the platform and the identity deps are built once per process from the
 *   environment, like a Lambda container), stdout discarded (the INFO access logs are paid for, not shown).
 */
import { execFile } from 'node:child_process';
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, ServerSideSortingRequestControl } from 'ldapts';

const execFileAsync = promisify(execFile);
const PAGE = 50;

export interface UsersListCell {
  n: number;
  filter: string;
  /** How many entries the filter matches (the `total` of the page). */
  matches: number;
  offset: number;
  samples: number;
  fullMs: number;
  directNewMs: number;
  /** connect + service bind + unbind alone (no search): the per-request connection cost inside directNewMs. */
  connectBindMs: number;
  /** full / direct with a new connection per request (the same protocol work as the API). */
  ratio: number;
}

export interface UsersListSize {
  n: number;
  /** Generating the LDIF + slapadd, seconds. */
  loadSeconds: number;
  /** slapd start after the load (index/DB open), seconds. */
  startSeconds: number;
  /** What slapd answered a second SSS+VLV search on one kept connection ('' if it served it). */
  keptRefused: string;
  /** Medians of the full stack's parts, on the selective filter's first page. */
  breakdown: { name: string; ms: number }[];
  cells: UsersListCell[];
}

/** The entries as the API creates them with `posix` (inetOrgPerson + posixAccount + shadowAccount). */
function usersLdif(n: number, peopleDn: string): string {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const uid = `user${String(i).padStart(6, '0')}`;
    out.push(
      `dn: uid=${uid},${peopleDn}\n` +
        'objectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: shadowAccount\n' +
        `uid: ${uid}\ncn: User ${i}\nsn: User${i}\ngivenName: User\nmail: ${uid}@example.com\n` +
        `uidNumber: ${20000 + i}\ngidNumber: ${20000 + i}\nhomeDirectory: /home/${uid}\nloginShell: /bin/bash\n`,
    );
  }
  return `${out.join('\n')}\n`;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/** One size, in this process (call once per process: the platform is cached from the environment). */
/** dynalite in a child process (in memory), ready when it listens. */
async function startDynaliteProcess(port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const code = `require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }).listen(${port}, '127.0.0.1', () => console.log('ready'))`;
  const child = spawn(process.execPath, ['-e', code], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`dynalite exited ${c}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

export async function measureUsersListAt(n: number, samples = 200): Promise<UsersListSize> {
  const { startTestSlapd, freePort } = await import('../test/helpers/slapd.js');
  const { createDb, ensureTable } = await import('../lib/store/dynamo.js');
  const { generatePrivateJwk } = await import('../lib/auth/keys.js');
  const { httpEvent, lambdaContext } = await import('../test/helpers/http.js');
  const { issueAccessToken } = await import('../test/helpers/tokens.js');

  // 1. A fresh slapd, stopped, loaded offline, started again.
  const ldap = await startTestSlapd();
  const peopleDn = `ou=people,${ldap.baseDn}`;
  let t0 = performance.now();
  await ldap.stop();
  const ldifFile = path.join(ldap.dataDir, 'users.ldif');
  await writeFile(ldifFile, usersLdif(n, peopleDn));
  await execFileAsync('/usr/sbin/slapadd', ['-q', '-F', path.join(ldap.dataDir, 'slapd.d'), '-b', ldap.baseDn, '-l', ldifFile], {
    maxBuffer: 16 * 1024 * 1024,
  });
  await rm(ldifFile, { force: true });
  const loadSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await ldap.restart();
  const startSeconds = (performance.now() - t0) / 1000;

  // 2. The platform, pointed at this slapd and dynalite in a process of its own (DynamoDB is a remote service:
  //    in this process dynalite's ~3 ms of CPU per read would serialise with the handler's own work and hide
  //    the overlap of the session read with the directory search); an admin session + access token.
  const dynamo = await startDynaliteProcess(await freePort());
  Object.assign(process.env, ldap.env, {
    DYNAMODB_ENDPOINT: dynamo.url,
    TABLE_NAME: 'bench',
    JWT_PRIVATE_JWKS: JSON.stringify([await generatePrivateJwk()]),
  });
  process.env.LOG_LEVEL ??= 'SILENT';
  const { platform } = await import('../lib/platform.js');
  const { handler } = await import('../functions/http/users.js');
  const { clausesToLdap } = await import('../lib/identity/list-filter.js');
  const { eq } = await import('../lib/providers/ldap/index.js');
  const { USER_READ_ATTRIBUTES } = await import('../lib/identity/user-mapper.js');
  const { VirtualListViewControl } = await import('../lib/providers/ldap/controls.js');
  const p = await platform();
  await ensureTable(createDb({ table: 'bench', endpoint: dynamo.url, region: 'us-east-1' }));
  const token = await issueAccessToken(p, ldap.adminDn, { cn: 'Administrator' });

  // 3. The three ways to get one page.
  const full = (query: string) => async () => {
    const res = await handler(
      httpEvent('GET', `/api/v1/users?${query}`, { headers: { authorization: `Bearer ${token}` } }),
      lambdaContext(),
    );
    if (res.statusCode !== 200) throw new Error(`GET /users?${query} answered ${res.statusCode}: ${res.body}`);
    return JSON.parse(res.body as string) as { data: { uid: string }[]; pagination: { total: number } };
  };
  const newClient = () => new Client({ url: ldap.url, timeout: 5000, connectTimeout: 5000 });
  /** Exactly the request controls of lib/identity/vlv.ts searchPage (1-based VLV offset, afterCount limit-1). */
  const search = async (c: Client, filter: string, offset: number) => {
    const sort = new ServerSideSortingRequestControl({
      critical: true,
      value: { attributeType: 'uid', orderingRule: 'caseIgnoreOrderingMatch' },
    });
    const vlv = new VirtualListViewControl(offset + 1, PAGE - 1);
    const res = await c.search(ldap.baseDn, { scope: 'sub', filter, attributes: USER_READ_ATTRIBUTES }, [sort, vlv]);
    return { entries: res.searchEntries, total: vlv.result?.contentCount ?? res.searchEntries.length };
  };
  const directNew = (filter: string, offset: number) => async () => {
    const c = newClient();
    try {
      await c.bind(ldap.bindDn, ldap.bindPassword);
      return await search(c, filter, offset);
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };
  const PERSON = eq('objectClass', 'inetOrgPerson');
  const filters = [
    { api: 'mail:ends:@example.com', ldap: clausesToLdap(PERSON, [{ attr: 'mail', op: 'ends', value: '@example.com' }]) },
    { api: 'uid:starts:user0001', ldap: clausesToLdap(PERSON, [{ attr: 'uid', op: 'starts', value: 'user0001' }]) },
  ];
  // A kept, bound connection cannot serve these requests for long: slapd's sssvlv keeps each VLV sort of a
  // connection until the connection closes (no context id is sent back), and once olcSssVlvMaxPerConn of them
  // are open it refuses the next SSS + VLV search with busy (51) "Other sort requests already in progress".
  // Checked here; the per-request connection cost is measured apart instead (connect + bind + unbind).
  const kept = newClient();
  await kept.bind(ldap.bindDn, ldap.bindPassword);
  let keptRefused = '';
  for (let i = 1; i <= 40 && !keptRefused; i++) {
    await search(kept, filters[1]!.ldap, 0).catch((e: { code?: number; message?: string }) => {
      keptRefused = `search #${i} on the connection refused: ${e.message}`;
    });
  }
  await kept.unbind().catch(() => undefined);
  const connectBind = () => async () => {
    const c = newClient();
    try {
      await c.bind(ldap.bindDn, ldap.bindPassword);
      return { entries: [] as Record<string, unknown>[], total: 0 };
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };

  const cells: UsersListCell[] = [];
  for (const f of filters) {
    // The number of matches, from the API itself (bootstrap admin included for the mail filter).
    const matches = (await full(`limit=1&filter=${encodeURIComponent(f.api)}`)()).pagination.total;
    // Offsets 0, middle, last page — of what the filter matches (N/2 of a 100-entry result is past the end).
    const offsets = [...new Set([0, Math.floor(matches / 2), Math.max(0, matches - PAGE)])];
    for (const offset of offsets) {
      const query = `limit=${PAGE}&offset=${offset}&filter=${encodeURIComponent(f.api)}`;
      const fns: (() => Promise<unknown>)[] = [full(query), directNew(f.ldap, offset), connectBind()];
      // The same page from both (uids in the same order, same total), then warm-up.
      const a = await full(query)();
      const b = await directNew(f.ldap, offset)();
      const ua = a.data.map((e) => e.uid).join();
      const ub = b.entries.map((e) => String(e.uid)).join();
      if (ua !== ub || a.pagination.total !== b.total || a.data.length !== Math.min(PAGE, matches - offset))
        throw new Error(`pages differ at N=${n} ${query}: ${ua.slice(0, 60)} / ${ub.slice(0, 60)}`);
      for (let i = 0; i < 10; i++) for (const fn of fns) await fn();
      const s: number[][] = [[], [], []];
      for (let i = 0; i < samples; i++) {
        for (let k = 0; k < 3; k++) {
          const j = (i + k) % 3;
          const t = performance.now();
          await fns[j]!();
          s[j]!.push(performance.now() - t);
        }
      }
      const [fullMs, directNewMs, connectBindMs] = s.map(median) as [number, number, number];
      cells.push({
        n,
        filter: f.api,
        matches,
        offset,
        samples,
        fullMs,
        directNewMs,
        connectBindMs,
        ratio: fullMs / directNewMs,
      });
    }
  }
  // Where the full stack's time goes, on the selective filter's first page (a small sort).
  const { identity } = await import('../lib/identity/identity-platform.js');
  const { listUsers } = await import('../lib/identity/read-users.js');
  const { createLdapClient } = await import('../lib/providers/ldap/index.js');
  const { d } = await identity();
  const unpooled = { ...d, ldap: createLdapClient({ ...ldap.clientConfig, pool: false }) };
  const actor = await p.http.authenticate(token, { sourceIp: '127.0.0.1', requestId: 'bench' });
  const sel = filters[1]!;
  const selective = [{ attr: 'uid', op: 'starts', value: 'user0001' }] as const;
  const parts: Record<string, () => Promise<unknown>> = {
    'full stack': full(`limit=${PAGE}&offset=0&filter=${encodeURIComponent(sel.api)}`),
    'authenticate (token check + one BatchGetItem: session and ACL version)': () =>
      p.http.authenticate(token, { sourceIp: '127.0.0.1', requestId: 'bench' }),
    "authorize (the container's ACL copy + evaluate)": () => p.authorize(actor, { action: 'read', objectType: 'user', objectDn: d.baseDn }),
    'listUsers use case, pooled connection (SSS/VLV search + mapping)': () =>
      listUsers(d, { limit: PAGE, offset: 0, filter: [...selective] }),
    'listUsers use case, new connection per request (connect + bind + search + mapping + unbind)': () =>
      listUsers(unpooled, { limit: PAGE, offset: 0, filter: [...selective] }),
    'direct ldapts (new conn + bind + search + unbind)': directNew(sel.ldap, 0),
  };
  const names = Object.keys(parts);
  const ps: number[][] = names.map(() => []);
  for (let i = 0; i < samples; i++)
    for (let k = 0; k < names.length; k++) {
      const j = (i + k) % names.length;
      const t = performance.now();
      await parts[names[j]!]!();
      ps[j]!.push(performance.now() - t);
    }
  const breakdown = names.map((name, j) => ({ name, ms: median(ps[j]!) }));

  await dynamo.stop();
  await ldap.destroy();
  return { n, loadSeconds, startSeconds, keptRefused, cells, breakdown };
}

/** Every size, each in its own child process whose stdout (the Lambda logs, at INFO) is discarded. */
export async function measureUsersList(sizes = [1000, 10000, 100000], samples = 200): Promise<UsersListSize[]> {
  const { spawn } = await import('node:child_process');
  const results: UsersListSize[] = [];
  for (const n of sizes) {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', String(n), String(samples)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO' },
    });
    results.push(
      await new Promise<UsersListSize>((resolve, reject) => {
        child.once('message', (m) => resolve(m as UsersListSize));
        child.once('exit', (code) => (code ? reject(new Error(`users-list bench (N=${n}) exited ${code}`)) : undefined));
      }),
    );
  }
  return results;
}

/** The Markdown tables of `npm run bench -- users`. */
export function printUsersList(sizes: UsersListSize[]): void {
  const samples = sizes[0]?.cells[0]?.samples ?? 0;
  console.log(
    `| GET /api/v1/users?limit=${PAGE} (in-process handler; dynalite in its own process + slapd, ${samples} alternating samples each, INFO logs) — N | filter (matches) | offset | full stack median ms (pooled service connection) | direct ldapts median ms (new conn + bind + search + unbind) | ratio (target ≤ 1.5×) | of which connect + bind + unbind ms |`,
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|');
  for (const s of sizes)
    for (const c of s.cells)
      console.log(
        `| ${c.n.toLocaleString('en-US')} | \`${c.filter}\` (${c.matches.toLocaleString('en-US')}) | ${c.offset.toLocaleString('en-US')} | ${c.fullMs.toFixed(2)} | ${c.directNewMs.toFixed(2)} | ${c.ratio.toFixed(2)}× | ${c.connectBindMs.toFixed(2)} |`,
      );
  console.log('\n| N users | LDIF + slapadd (s) | slapd start after load (s) |');
  console.log('|---:|---:|---:|');
  for (const s of sizes) console.log(`| ${s.n.toLocaleString('en-US')} | ${s.loadSeconds.toFixed(1)} | ${s.startSeconds.toFixed(1)} |`);
  console.log(
    `\n| where the time goes: \`filter=uid:starts:user0001\`, offset 0, median ms — part | ${sizes.map((s) => `N = ${s.n.toLocaleString('en-US')}`).join(' | ')} |`,
  );
  console.log(`|---|${sizes.map(() => '---:').join('|')}|`);
  for (const [j, b] of (sizes[0]?.breakdown ?? []).entries())
    console.log(`| ${b.name} | ${sizes.map((s) => s.breakdown[j]!.ms.toFixed(2)).join(' | ')} |`);
  const refused = sizes.find((s) => s.keptRefused)?.keptRefused;
  if (refused)
    console.log(
      `\nA connection that ran an SSS + VLV search cannot be kept for the next one: slapd (sssvlv) keeps every VLV sort of a connection until it closes (sending its context id back only replays the old sort), and refuses more than olcSssVlvMaxPerConn (16) of them: ${refused}. The pool therefore closes such a connection after the request and opens its replacement in the background.`,
    );
  console.log(
    '\nSame request controls on both: Server Side Sorting on uid (caseIgnoreOrderingMatch) + VLV (offset+1, afterCount 49), the same filter, the same attributes. slapd sorts every match on each request (no VLV context id is sent), so the cost grows with what the filter matches, for the API and for ldapts alike.\n',
  );
}

if (process.argv.includes('--child')) {
  const i = process.argv.indexOf('--child');
  const result = await measureUsersListAt(Number(process.argv[i + 1]), Number(process.argv[i + 2] ?? 200));
  process.send?.(result);
  process.exit(0);
}
