/**
 * One page of a sorted search, cut by the directory: Server Side Sorting (RFC 2891) + Virtual List View
 * (draft-ietf-ldapext-ldapv3-vlv-09), served by slapd's `sssvlv` overlay. The server sorts the candidates,
 * returns `limit` entries from `offset` and the total (`contentCount`): the API never loads the whole list.
 */
import { BerReader, BerWriter, Control, ServerSideSortingRequestControl } from 'ldapts';
import { ApiError } from '../core/errors.js';
import type { LdapEntry } from '../providers/ldap/index.js';
import type { RawLdap, RawSearch } from './ldap-raw.js';

export const VLV_REQUEST_OID = '2.16.840.1.113730.3.4.9';
export const VLV_RESPONSE_OID = '2.16.840.1.113730.3.4.10';
/** LDAP result code of a VLV target outside the list (offsetRangeError). */
const OFFSET_RANGE_ERROR = 76;

export class VirtualListViewControl extends Control {
  result?: { targetPosition: number; contentCount: number; resultCode: number };

  /** `offset` is 1-based (the first entry is 1), as the draft defines it. */
  constructor(
    readonly offset: number,
    readonly afterCount: number,
  ) {
    super(VLV_REQUEST_OID, { critical: true, responseType: VLV_RESPONSE_OID });
  }

  protected override writeControl(writer: BerWriter): void {
    this.result = undefined;
    const w = new BerWriter();
    w.startSequence(0x30);
    w.writeInt(0); // beforeCount
    w.writeInt(this.afterCount);
    w.startSequence(0xa0); // byOffset
    w.writeInt(this.offset);
    w.writeInt(0); // contentCount 0: "use your own count"
    w.endSequence();
    w.endSequence();
    writer.writeBuffer(w.buffer, 4);
  }

  protected override parseControl(reader: BerReader): void {
    if (!reader.readSequence()) return;
    const targetPosition = reader.readInt() ?? 0;
    const contentCount = reader.readInt() ?? 0;
    const resultCode = reader.readEnumeration() ?? 0;
    this.result = { targetPosition, contentCount, resultCode };
  }
}

export interface PageRequest extends RawSearch {
  /** Sort key; compared with caseIgnoreOrderingMatch (uid and cn have no ORDERING rule of their own). */
  sortBy: string;
  limit: number;
  offset: number;
}

export async function searchPage(raw: RawLdap, req: PageRequest): Promise<{ entries: LdapEntry[]; total: number }> {
  const run = async (offset: number, count: number) => {
    const sort = new ServerSideSortingRequestControl({
      critical: true,
      value: { attributeType: req.sortBy, orderingRule: 'caseIgnoreOrderingMatch' },
    });
    const vlv = new VirtualListViewControl(offset + 1, count - 1);
    const entries = await raw.searchWithControls(req, [sort, vlv]);
    return { entries, total: vlv.result?.contentCount ?? entries.length };
  };
  try {
    const { entries, total } = await run(req.offset, req.limit);
    // An offset at or past the end targets the last entry: nothing is on this page.
    return { entries: req.offset >= total ? [] : entries.slice(0, req.limit), total };
  } catch (e) {
    if (!(e instanceof ApiError) || e.details?.ldap_code !== OFFSET_RANGE_ERROR) throw e;
    // Past the end: ask for the first entry only, to learn the total.
    const { total } = await run(0, 1);
    return { entries: [], total };
  }
}
