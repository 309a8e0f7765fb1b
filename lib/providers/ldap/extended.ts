/**
 * Encoders of the extended operations the provider runs (`LdapConnection.exop` / `passwordModify`).
 */
import { BerWriter } from 'ldapts';

/** Password Modify extended operation (RFC 3062). */
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
