/** Installs Debian's slapd + ldap-utils when missing (as root, once across concurrent processes). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';

let installing: Promise<void> | undefined;

/** Installs slapd + ldap-utils with apt-get when missing and we are root; otherwise explains what to install. */
export async function ensureSlapdInstalled(): Promise<void> {
  if (existsSync(SLAPD) && existsSync(SLAPADD)) return;
  installing ??= installSlapd().finally(() => {
    installing = undefined;
  });
  return installing;
}

async function installSlapd(): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `slapd is not installed (${SLAPD} missing). Install OpenLDAP's server and tools, e.g. ` +
        '`sudo DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils`, or point LDAP_URL at a real directory.',
    );
  }
  // Several test workers may get here at once: one installs, the others wait (cross-process lock by mkdir).
  const lockDir = path.join('/tmp', 'apibibind-slapd-install.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch {
      if (existsSync(SLAPD) && existsSync(SLAPADD)) return;
      try {
        const st = await stat(lockDir);
        if (Date.now() - st.mtimeMs > 300_000) await rmdir(lockDir).catch(() => undefined);
      } catch {
        /* gone */
      }
      if (Date.now() > deadline) throw new Error('Timed out waiting for another process installing slapd');
      await sleep(500);
    }
  }
  try {
    if (existsSync(SLAPD) && existsSync(SLAPADD)) return;
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      execFileAsync('apt-get', ['install', '-y', '-o', 'DPkg::Lock::Timeout=120', '--no-install-recommends', 'slapd', 'ldap-utils'], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    try {
      await install();
    } catch {
      // Most often: package lists absent or stale. Refresh them, then retry once.
      await execFileAsync('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=120'], { env, maxBuffer: 64 * 1024 * 1024 });
      try {
        await install();
      } catch (e) {
        const err = e as { stderr?: string };
        throw new Error(`apt-get install slapd ldap-utils failed: ${String(err.stderr ?? e).slice(-2000)}`);
      }
    }
    if (!existsSync(SLAPD)) throw new Error(`apt-get installed slapd but ${SLAPD} is still missing`);
  } finally {
    await rmdir(lockDir).catch(() => undefined);
  }
}
