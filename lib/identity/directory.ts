import type { Config } from '../core/config.js';
import { createLdapClient, ldapConfigFromEnv } from '../providers/ldap/client.js';
import { eq, or } from '../providers/ldap/escape.js';
import type { Directory } from '../auth/service.js';

export interface LdapDirectory {
  /** Round-trip latency of a service bind + base read, for health checks. */
  ping(): Promise<number>;
}

/** The directory over LDAP: login binds as the user; groups are groupOfNames `member` or posixGroup `memberUid`. */
export function createLdapDirectory(cfg: Config): Directory & LdapDirectory {
  const client = createLdapClient(ldapConfigFromEnv(cfg));
  return {
    async authenticate(username, password) {
      const u = await client.authenticate(username, password);
      return { dn: u.dn, uid: u.uid, cn: u.cn, mail: u.mail ?? undefined };
    },
    async groupsOf(dn, uid) {
      const entries = await client.withServiceBind((c) =>
        // The base's groups and every department's.
        c.search(cfg.LDAP_BASE_DN, {
          scope: 'sub',
          filter: or(eq('member', dn), eq('uniqueMember', dn), eq('memberUid', uid)),
          attributes: ['dn'],
        }),
      );
      return entries.map((e) => e.dn);
    },
    ping: () => client.ping(),
  };
}
