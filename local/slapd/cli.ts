/**
 * Starts the local slapd of the offline stack: `npx tsx local/slapd/cli.ts`.
 * LDAP_PORT (default 3389), SLAPD_DATA_DIR (default .data/slapd), LDAP_BASE_DN, LDAP_BIND_PASSWORD and
 * BOOTSTRAP_ADMIN_PASSWORD (dev defaults). Stops on SIGINT/SIGTERM.
 */
import { DEV_BOOTSTRAP_ADMIN_PASSWORD, DEV_LDAP_BIND_PASSWORD } from '../../lib/core/config.js';
import { startSlapd } from './slapd.js';

const port = Number.parseInt(process.env.LDAP_PORT ?? '3389', 10);
const dataDir = process.env.SLAPD_DATA_DIR ?? '.data/slapd';
const baseDn = process.env.LDAP_BASE_DN ?? 'dc=example,dc=com';

const started = Date.now();
const slapd = await startSlapd({
  port,
  dataDir,
  baseDn,
  bindPassword: process.env.LDAP_BIND_PASSWORD ?? DEV_LDAP_BIND_PASSWORD,
  adminPassword: process.env.BOOTSTRAP_ADMIN_PASSWORD ?? DEV_BOOTSTRAP_ADMIN_PASSWORD,
});
console.log(`slapd listening on ${slapd.url} (base ${slapd.baseDn}, data ${dataDir}, pid ${slapd.pid}) in ${Date.now() - started} ms`);
console.log(`  service bind: ${slapd.rootDn}   bootstrap admin: ${slapd.adminDn}`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping slapd`);
  await slapd.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
