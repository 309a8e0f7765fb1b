/** The provider's configuration from the validated environment, and the TLS CA bundle it reads once. */
import { readFileSync } from 'node:fs';
import { config, type Config } from '../../core/config.js';
import type { LdapClientConfig } from './types.js';

export function ldapConfigFromEnv(c: Config = config()): LdapClientConfig {
  return {
    url: c.LDAP_URL,
    baseDn: c.LDAP_BASE_DN,
    bindDn: c.LDAP_BIND_DN,
    bindPassword: c.LDAP_BIND_PASSWORD,
    startTls: c.LDAP_STARTTLS === 'true',
    tlsCaFile: c.LDAP_TLS_CA_FILE,
    timeoutMs: c.LDAP_TIMEOUT_MS,
  };
}

const caCache = new Map<string, Buffer>();
export function readCa(file: string): Buffer {
  let ca = caCache.get(file);
  if (!ca) {
    ca = readFileSync(file);
    caCache.set(file, ca);
  }
  return ca;
}
