/**
 * Request controls for `LdapConnection.search(base, { controls })`: Server Side Sorting (RFC 2891, ldapts'
 * encoder) and Virtual List View (draft-ietf-ldapext-ldapv3-vlv-09), served by slapd's `sssvlv` overlay.
 * Response controls are parsed back into the request instances (ldapts matches them by `responseType`).
 */
import { BerReader, BerWriter, Control } from 'ldapts';

export { Control, ServerSideSortingRequestControl } from 'ldapts';

export const VLV_REQUEST_OID = '2.16.840.1.113730.3.4.9';
export const VLV_RESPONSE_OID = '2.16.840.1.113730.3.4.10';
/** LDAP result code of a VLV target outside the list (offsetRangeError, draft-ietf-ldapext-ldapv3-vlv §6). */
export const LDAP_OFFSET_RANGE_ERROR = 76;

/**
 * VLV request by offset (beforeCount 0, contentCount 0: "use your own count"); after the search `result`
 * holds the server's VirtualListViewResponse (`targetPosition`, `contentCount`, `resultCode`).
 */
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
