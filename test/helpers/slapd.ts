/**
 * One real slapd per test file: `const ldap = await startTestSlapd()` in beforeAll, `await ldap.stop()` in
 * afterAll; or `useSlapd()` which registers both hooks and returns a getter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startSlapd, type RunningSlapd } from '../../local/slapd/slapd.js';
import { createLdapClient, type LdapClient, type LdapClientConfig } from '../../lib/providers/ldap/client.js';

export const TEST_BASE_DN = 'dc=example,dc=com';
export const TEST_BIND_DN = `cn=admin,${TEST_BASE_DN}`;
export const TEST_BIND_PASSWORD = 'test-bind-password';
export const TEST_ADMIN_DN = `uid=admin,ou=people,${TEST_BASE_DN}`;
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestSlapd {
  url: string;
  port: number;
  dataDir: string;
  baseDn: string;
  bindDn: string;
  bindPassword: string;
  adminDn: string;
  adminPassword: string;
  slapd: RunningSlapd;
  /** Client config pointing at this slapd (service bind = rootdn). */
  clientConfig: LdapClientConfig;
  client: LdapClient;
  /** Environment variables for code that reads config() (call resetConfig() after applying them). */
  env: Record<string, string>;
  /** Stops slapd (keeps the data). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops slapd and removes its data. */
  destroy(): Promise<void>;
}

export async function startTestSlapd(opts: { adminPassword?: string; bindPassword?: string } = {}): Promise<TestSlapd> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'apibibind-slapd-'));
  const port = await freePort();
  const adminPassword = opts.adminPassword ?? TEST_ADMIN_PASSWORD;
  const bindPassword = opts.bindPassword ?? TEST_BIND_PASSWORD;
  const start = () => startSlapd({ port, dataDir, adminPassword, bindPassword, baseDn: TEST_BASE_DN });
  let slapd = await start();
  const clientConfig: LdapClientConfig = {
    url: slapd.url,
    baseDn: TEST_BASE_DN,
    bindDn: TEST_BIND_DN,
    bindPassword,
    timeoutMs: 5000,
  };
  const t: TestSlapd = {
    url: slapd.url,
    port,
    dataDir,
    baseDn: TEST_BASE_DN,
    bindDn: TEST_BIND_DN,
    bindPassword,
    adminDn: TEST_ADMIN_DN,
    adminPassword,
    slapd,
    clientConfig,
    client: createLdapClient(clientConfig),
    env: {
      LDAP_URL: slapd.url,
      LDAP_BASE_DN: TEST_BASE_DN,
      LDAP_BIND_DN: TEST_BIND_DN,
      LDAP_BIND_PASSWORD: bindPassword,
      BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
    },
    stop: () => slapd.stop(),
    async restart() {
      await slapd.stop();
      slapd = await start();
      t.slapd = slapd;
    },
    async destroy() {
      await slapd.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Registers beforeAll/afterAll for one slapd in the current file; call the returned getter inside tests. */
export function useSlapd(opts: { adminPassword?: string; bindPassword?: string } = {}): () => TestSlapd {
  let current: TestSlapd | undefined;
  beforeAll(async () => {
    current = await startTestSlapd(opts);
  });
  afterAll(async () => {
    await current?.destroy();
  });
  return () => {
    if (!current) throw new Error('slapd not started (useSlapd() must be called at file or describe level)');
    return current;
  };
}
