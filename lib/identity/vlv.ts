/**
 * One page of a sorted search, cut by the directory: Server Side Sorting (RFC 2891) + Virtual List View
 * (draft-ietf-ldapext-ldapv3-vlv-09), served by slapd's `sssvlv` overlay. The server sorts the candidates,
 * returns `limit` entries from `offset` and the total (`contentCount`): the API never loads the whole list.
 * The controls themselves are the provider's (lib/providers/ldap/controls.ts).
 */
import { ApiError, NotFoundError } from '../core/errors.js';
import {
  LDAP_OFFSET_RANGE_ERROR,
  ServerSideSortingRequestControl,
  VirtualListViewControl,
  type LdapClient,
  type LdapConnection,
  type LdapEntry,
} from '../providers/ldap/index.js';

export interface PageRequest {
  base: string;
  filter: string;
  scope?: 'base' | 'one' | 'sub';
  attributes?: string[];
  /** Sort key; compared with caseIgnoreOrderingMatch (uid and cn have no ORDERING rule of their own). */
  sortBy: string;
  limit: number;
  offset: number;
}

/**
 * Runs on one connection: both searches (the page, and the total when the offset is past the end) share it.
 * slapd's sssvlv keeps each VLV sort of a connection until it closes: the provider's pool never keeps a
 * connection that ran one (lib/providers/ldap/pool.ts), so each request's sort is freed with it.
 */
export async function searchPage(ldap: LdapConnection, req: PageRequest): Promise<{ entries: LdapEntry[]; total: number }> {
  const run = async (offset: number, count: number) => {
    const sort = new ServerSideSortingRequestControl({
      critical: true,
      value: { attributeType: req.sortBy, orderingRule: 'caseIgnoreOrderingMatch' },
    });
    const vlv = new VirtualListViewControl(offset + 1, count - 1);
    const entries = await ldap.search(req.base, {
      filter: req.filter,
      scope: req.scope ?? 'sub',
      attributes: req.attributes,
      controls: [sort, vlv],
    });
    return { entries, total: vlv.result?.contentCount ?? entries.length };
  };
  try {
    const { entries, total } = await run(req.offset, req.limit);
    // An offset at or past the end targets the last entry: nothing is on this page.
    return { entries: req.offset >= total ? [] : entries.slice(0, req.limit), total };
  } catch (e) {
    if (!(e instanceof ApiError) || e.details?.ldap_code !== LDAP_OFFSET_RANGE_ERROR) throw e;
    // Past the end: ask for the first entry only, to learn the total.
    const { total } = await run(0, 1);
    return { entries: [], total };
  }
}

/**
 * One page of a list endpoint: `searchPage` on a service-bound connection of its own. With
 * `emptyWhenNoBase`, a base that does not exist (a container created on the first object) is an empty list.
 */
export async function listPage(
  ldap: LdapClient,
  req: PageRequest,
  opts: { emptyWhenNoBase?: boolean } = {},
): Promise<{ entries: LdapEntry[]; total: number }> {
  try {
    return await ldap.withServiceBind((conn) => searchPage(conn, req));
  } catch (e) {
    if (opts.emptyWhenNoBase && e instanceof NotFoundError && e.code === 'LDAP_NO_SUCH_OBJECT') return { entries: [], total: 0 };
    throw e;
  }
}
