/**
 * What the identity use cases need from LDAP beyond the provider's API (lib/providers/ldap, being refactored):
 * a search with request controls (Server Side Sorting + Virtual List View) and the Password Modify extended
 * operation (RFC 3062). Both run on an ldapts connection bound as the service account; errors go through the
 * provider's `mapLdapError`. Meant to move into the provider once it exposes controls and extended operations.
 */
import { readFileSync } from 'node:fs';
import { BerWriter, Client, type Control, type Entry } from 'ldapts';
import { DependencyUnavailableError } from '../core/errors.js';
import { mapLdapError, parseFilter, type LdapClientConfig, type LdapEntry } from '../providers/ldap/index.js';

export interface RawSearch {
  base: string;
  filter: string;
  scope?: 'base' | 'one' | 'sub';
  attributes?: string[];
}

export interface RawLdap {
  /** Search with request controls (their response values are parsed into the same control instances). */
  searchWithControls(req: RawSearch, controls: Control[]): Promise<LdapEntry[]>;
  /** Sets `dn`'s password with the Password Modify extended operation: slapd hashes it (olcPasswordHash). */
  setPassword(dn: string, newPassword: string): Promise<void>;
}

export const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';

/** PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0] OCTET STRING, newPasswd [2] OCTET STRING } */
export function passwordModifyValue(dn: string, newPassword: string): Buffer {
  const w = new BerWriter();
  w.startSequence(0x30);
  w.writeString(dn, 0x80);
  w.writeString(newPassword, 0x82);
  w.endSequence();
  return w.buffer;
}

function toEntry(raw: Entry): LdapEntry {
  const attrs: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'dn') continue;
    const list = Array.isArray(v) ? v : [v];
    attrs[k] = list.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  }
  return { dn: raw.dn, attrs };
}

export function createRawLdap(cfg: LdapClientConfig): RawLdap {
  const timeout = cfg.timeoutMs ?? 5000;
  const tls = () => ({ ...(cfg.tlsCaFile ? { ca: readFileSync(cfg.tlsCaFile) } : {}) });
  const withClient = async <T>(op: string, dn: string | undefined, fn: (c: Client) => Promise<T>): Promise<T> => {
    if (!cfg.bindPassword) throw new DependencyUnavailableError('ldap', new Error('LDAP_BIND_PASSWORD is not configured'));
    const client = new Client({
      url: cfg.url,
      timeout,
      connectTimeout: timeout,
      ...(cfg.url.toLowerCase().startsWith('ldaps://') ? { tlsOptions: tls() } : {}),
    });
    try {
      if (cfg.startTls && !cfg.url.toLowerCase().startsWith('ldaps://')) await client.startTLS(tls());
      try {
        await client.bind(cfg.bindDn, cfg.bindPassword);
      } catch (e) {
        if ((e as { code?: number }).code === 49) throw new DependencyUnavailableError('ldap', new Error('LDAP service bind refused'));
        throw e;
      }
      return await fn(client);
    } catch (e) {
      throw mapLdapError(e, { dn, op });
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
  return {
    searchWithControls: (req, controls) =>
      withClient('search', req.base, async (c) => {
        const res = await c.search(
          req.base,
          { filter: parseFilter(req.filter), scope: req.scope ?? 'sub', attributes: req.attributes },
          controls,
        );
        return res.searchEntries.map(toEntry);
      }),
    setPassword: (dn, newPassword) =>
      withClient('passwordModify', dn, async (c) => {
        await c.exop(PASSWORD_MODIFY_OID, passwordModifyValue(dn, newPassword));
      }),
  };
}
