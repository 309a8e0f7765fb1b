/**
 * OpenSSH public keys (one `authorized_keys`-style line: `<type> <base64 blob> [comment]`): parsing,
 * validation of the key material and the OpenSSH fingerprint (`SHA256:<unpadded base64 of sha256(blob)>`,
 * what `ssh-keygen -lf` prints). Pure: no LDAP, no table.
 *
 * The blob is the SSH wire encoding (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709, PROTOCOL.u2f): a sequence of
 * `string` (uint32 length + bytes) and `mpint` fields whose first field repeats the key type.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { BadRequestError } from '../../core/errors.js';

export const SSH_KEY_TYPES = [
  'ssh-rsa',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 16384;
/** Longer than any accepted key (a 16384-bit RSA key line is ~2.8 KB) with a generous comment. */
export const MAX_KEY_LINE = 8192;
export const MAX_COMMENT = 1024;

export type SshKeyProblem =
  | 'empty'
  | 'too_long'
  | 'multiple_lines'
  | 'options_not_allowed'
  | 'unsupported_type'
  | 'missing_key_data'
  | 'invalid_base64'
  | 'truncated_blob'
  | 'type_mismatch'
  | 'invalid_key_material'
  | 'rsa_key_too_short'
  | 'rsa_key_too_long'
  | 'invalid_comment';

/** 400 INVALID_SSH_KEY with `details.reason` (one of SshKeyProblem) and the field. */
export class InvalidSshKeyError extends BadRequestError {
  readonly reason: SshKeyProblem;
  constructor(reason: SshKeyProblem, message: string, extra: Record<string, unknown> = {}) {
    super('INVALID_SSH_KEY', message, { field: 'public_key', reason, ...extra });
    this.name = 'InvalidSshKeyError';
    this.reason = reason;
  }
}

export interface ParsedSshKey {
  type: SshKeyType;
  /** The decoded wire blob. */
  blob: Buffer;
  comment: string | null;
  /** `SHA256:<unpadded base64>`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Key size as `ssh-keygen -l` reports it (RSA modulus bits; 256 for ed25519 keys; the curve size). */
  bits: number;
  /** The canonical line stored in the directory: type, re-encoded blob, comment. */
  line: string;
}

export const isSshKeyType = (t: string): t is SshKeyType => (SSH_KEY_TYPES as readonly string[]).includes(t);

export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A fingerprint as given in a URL: with or without the `SHA256:` prefix (any case), padded or not,
 * base64 or base64url. Answers the canonical `SHA256:…` form, or null when it cannot be one.
 */
export function normalizeFingerprint(id: string): string | null {
  let v = id.trim();
  if (/^sha256:/i.test(v)) v = v.slice(7);
  v = v.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  // sha256 = 32 bytes = 43 unpadded base64 characters, the last one carrying 2 bits (A, E, I, …, 4, 8).
  return /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$/.test(v) ? `SHA256:${v}` : null;
}

/** Reads SSH wire fields; any read past the end is a truncated blob. */
class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  string(what: string): Buffer {
    if (this.pos + 4 > this.buf.length) throw truncated(what);
    const len = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    if (len > this.buf.length - this.pos) throw truncated(what);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  text(what: string): string {
    return this.string(what).toString('latin1');
  }
  /** An mpint as an unsigned big-endian magnitude (leading zero bytes removed); negative ones refused. */
  mpint(what: string): Buffer {
    const raw = this.string(what);
    if (raw.length > 0 && (raw[0]! & 0x80) !== 0) throw material(`${what} is negative`);
    let i = 0;
    while (i < raw.length && raw[i] === 0) i++;
    return raw.subarray(i);
  }
  end(): void {
    if (this.pos !== this.buf.length) throw material(`${this.buf.length - this.pos} unexpected trailing byte(s) in the key data`);
  }
}

const truncated = (what: string) => new InvalidSshKeyError('truncated_blob', `The key data is truncated (reading ${what})`);
const material = (why: string) => new InvalidSshKeyError('invalid_key_material', `Invalid key material: ${why}`);

const bitLength = (magnitude: Buffer): number =>
  magnitude.length === 0 ? 0 : (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]!));

const CURVES = {
  nistp256: { jwk: 'P-256', bytes: 32, bits: 256 },
  nistp384: { jwk: 'P-384', bytes: 48, bits: 384 },
  nistp521: { jwk: 'P-521', bytes: 66, bits: 521 },
} as const;

/** An uncompressed EC point (0x04 ‖ X ‖ Y) on the named curve: node:crypto (OpenSSL) checks it is on it. */
function checkEcPoint(curve: keyof typeof CURVES, q: Buffer): number {
  const c = CURVES[curve];
  if (q.length !== 1 + 2 * c.bytes || q[0] !== 0x04) throw material(`the ${curve} public point is not an uncompressed point`);
  const b64url = (b: Buffer) => b.toString('base64url');
  try {
    createPublicKey({
      key: { kty: 'EC', crv: c.jwk, x: b64url(q.subarray(1, 1 + c.bytes)), y: b64url(q.subarray(1 + c.bytes)) },
      format: 'jwk',
    });
  } catch {
    throw material(`the public point is not on ${curve}`);
  }
  return c.bits;
}

/** Checks the blob's fields for `type`; answers the key size in bits. */
function checkBlob(type: SshKeyType, blob: Buffer): number {
  const r = new WireReader(blob);
  const embedded = r.text('the key type');
  if (embedded !== type) {
    throw new InvalidSshKeyError('type_mismatch', `The key data is of type '${embedded.slice(0, 64)}', not '${type}'`, {
      declared_type: type,
      embedded_type: embedded.slice(0, 64),
    });
  }
  let bits: number;
  switch (type) {
    case 'ssh-rsa': {
      const e = r.mpint('the RSA exponent');
      const n = r.mpint('the RSA modulus');
      bits = bitLength(n);
      if (bitLength(e) < 2 || (e[e.length - 1]! & 1) === 0) throw material('the RSA public exponent must be odd and greater than 1');
      if ((n[n.length - 1]! & 1) === 0) throw material('the RSA modulus is even');
      if (bits < MIN_RSA_BITS) {
        throw new InvalidSshKeyError('rsa_key_too_short', `RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${bits})`, {
          bits,
          min_bits: MIN_RSA_BITS,
        });
      }
      if (bits > MAX_RSA_BITS) {
        throw new InvalidSshKeyError('rsa_key_too_long', `RSA keys may have at most ${MAX_RSA_BITS} bits (this one has ${bits})`, {
          bits,
          max_bits: MAX_RSA_BITS,
        });
      }
      break;
    }
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      const pk = r.string('the ed25519 public key');
      if (pk.length !== 32) throw material(`an ed25519 public key is 32 bytes, not ${pk.length}`);
      bits = 256;
      break;
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const expected = type.startsWith('sk-') ? 'nistp256' : (type.slice('ecdsa-sha2-'.length) as keyof typeof CURVES);
      const curve = r.text('the curve name');
      if (curve !== expected) throw material(`the curve '${curve.slice(0, 32)}' does not match the type '${type}'`);
      bits = checkEcPoint(expected, r.string('the public point'));
      break;
    }
  }
  if (type.startsWith('sk-')) {
    const application = r.text('the security key application');
    if (!application.startsWith('ssh:')) throw material("the security key application does not start with 'ssh:'");
  }
  r.end();
  return bits;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict base64 (canonical padding, the length a multiple of 4): what `ssh-keygen` writes. */
function decodeBase64(data: string): Buffer {
  if (!BASE64.test(data) || data.length % 4 !== 0) throw new InvalidSshKeyError('invalid_base64', 'The key data is not valid base64');
  const blob = Buffer.from(data, 'base64');
  if (blob.toString('base64') !== data) throw new InvalidSshKeyError('invalid_base64', 'The key data is not valid base64');
  return blob;
}

/**
 * Parses and validates one OpenSSH public key line. Refused (400 INVALID_SSH_KEY, `details.reason`):
 * several lines, an `authorized_keys` options prefix (`from="…",no-pty ssh-ed25519 …`: options are
 * the server's business, not a key's), an unsupported type (ssh-dss included), bad base64, a blob that is
 * truncated, carries trailing bytes or embeds another type than the declared one, key material that is
 * not a key (RSA < 2048 bits, an ed25519 key that is not 32 bytes, a point off its curve).
 */
export function parseSshPublicKey(input: string): ParsedSshKey {
  const text = input.replace(/^\uFEFF/, '').trim();
  if (!text) throw new InvalidSshKeyError('empty', 'The public key is empty');
  if (text.length > MAX_KEY_LINE) throw new InvalidSshKeyError('too_long', `The public key line is longer than ${MAX_KEY_LINE} characters`);
  if (/[\r\n]/.test(text)) throw new InvalidSshKeyError('multiple_lines', 'Send one public key (one line) per request');
  const [type, data, ...rest] = text.split(/[ \t]+/);
  if (!isSshKeyType(type!)) {
    const declared = text.split(/[ \t]+/).find(isSshKeyType);
    if (declared) {
      throw new InvalidSshKeyError(
        'options_not_allowed',
        `authorized_keys options before the key type are not accepted: send the key alone ('${declared} AAAA… comment')`,
      );
    }
    throw new InvalidSshKeyError('unsupported_type', `Unsupported or unknown key type '${type!.slice(0, 64)}'`, {
      supported: SSH_KEY_TYPES,
    });
  }
  if (!data) throw new InvalidSshKeyError('missing_key_data', 'The key data (base64) is missing after the key type');
  const blob = decodeBase64(data);
  const bits = checkBlob(type, blob);
  const comment = rest.join(' ') || null;
  if (comment !== null) {
    if (comment.length > MAX_COMMENT)
      throw new InvalidSshKeyError('invalid_comment', `The comment is longer than ${MAX_COMMENT} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(comment)) throw new InvalidSshKeyError('invalid_comment', 'The comment contains control characters');
  }
  return { type, blob, comment, fingerprint: sshFingerprint(blob), bits, line: comment ? `${type} ${data} ${comment}` : `${type} ${data}` };
}

/**
 * What a value already in the directory holds, leniently (it may have been written by another tool, with an
 * options prefix or a key the API would refuse today): the type and blob tokens and the comment, with the
 * fingerprint of the decoded blob. Null when no `<known type> <base64>` pair is found.
 */
export function describeStoredKey(value: string): { type: string; fingerprint: string; comment: string | null } | null {
  const tokens = value.trim().split(/[ \t]+/);
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (!isSshKeyType(t) && !/^(ssh-dss|ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9-]+@openssh\.com)$/.test(t)) continue;
    const data = tokens[i + 1]!;
    if (!BASE64.test(data)) continue;
    const blob = Buffer.from(data, 'base64');
    if (blob.length < 8) continue;
    return { type: t, fingerprint: sshFingerprint(blob), comment: tokens.slice(i + 2).join(' ') || null };
  }
  return null;
}
