import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeStoredKey,
  InvalidSshKeyError,
  normalizeFingerprint,
  parseSshPublicKey,
  sshFingerprint,
  type SshKeyProblem,
} from '../../lib/identity/ssh-keys/parse.js';

// --- An OpenSSH public key encoder (SSH wire format) over node:crypto keys --------------------------------

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (v: Buffer | string) => {
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  return Buffer.concat([u32(b.length), b]);
};
/** Unsigned big-endian magnitude → mpint (a leading zero byte when the high bit is set). */
const mpint = (b64url: string) => {
  let b = Buffer.from(b64url, 'base64url');
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
};
const CURVE = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' } as const;

function blobOf(key: KeyObject, sk = false): { type: string; blob: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') return { type: 'ssh-rsa', blob: Buffer.concat([str('ssh-rsa'), mpint(jwk.e!), mpint(jwk.n!)]) };
  if (jwk.kty === 'OKP') {
    const type = sk ? 'sk-ssh-ed25519@openssh.com' : 'ssh-ed25519';
    return { type, blob: Buffer.concat([str(type), str(Buffer.from(jwk.x!, 'base64url')), ...(sk ? [str('ssh:')] : [])]) };
  }
  const curve = CURVE[jwk.crv as keyof typeof CURVE];
  const type = sk ? 'sk-ecdsa-sha2-nistp256@openssh.com' : `ecdsa-sha2-${curve}`;
  const q = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { type, blob: Buffer.concat([str(type), str(curve), str(q), ...(sk ? [str('ssh:')] : [])]) };
}

const line = (type: string, blob: Buffer, comment?: string) => `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;

const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).publicKey;
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).publicKey;
const ed = () => generateKeyPairSync('ed25519').publicKey;

const KEYS = {
  'ssh-rsa': blobOf(rsa(2048)),
  'ssh-ed25519': blobOf(ed()),
  'ecdsa-sha2-nistp256': blobOf(ec('P-256')),
  'ecdsa-sha2-nistp384': blobOf(ec('P-384')),
  'ecdsa-sha2-nistp521': blobOf(ec('P-521')),
  'sk-ssh-ed25519@openssh.com': blobOf(ed(), true),
  'sk-ecdsa-sha2-nistp256@openssh.com': blobOf(ec('P-256'), true),
};
const BITS: Record<string, number> = {
  'ssh-rsa': 2048,
  'ssh-ed25519': 256,
  'ecdsa-sha2-nistp256': 256,
  'ecdsa-sha2-nistp384': 384,
  'ecdsa-sha2-nistp521': 521,
  'sk-ssh-ed25519@openssh.com': 256,
  'sk-ecdsa-sha2-nistp256@openssh.com': 256,
};

function problem(input: string): SshKeyProblem {
  try {
    parseSshPublicKey(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidSshKeyError);
    const err = e as InvalidSshKeyError;
    expect([err.status, err.code, err.details?.field]).toEqual([400, 'INVALID_SSH_KEY', 'public_key']);
    return err.reason;
  }
  throw new Error(`accepted: ${input.slice(0, 60)}`);
}

const ed25519 = KEYS['ssh-ed25519'];

describe('parseSshPublicKey: valid keys', () => {
  it.each(Object.entries(KEYS))('accepts %s with its type, size, comment and fingerprint', (type, { blob }) => {
    const k = parseSshPublicKey(`  ${line(type, blob, 'jdoe@laptop')}\n`);
    expect(k).toMatchObject({ type, comment: 'jdoe@laptop', bits: BITS[type], line: line(type, blob, 'jdoe@laptop') });
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(k.fingerprint).toBe(sshFingerprint(blob));
  });

  it('keeps no comment as null, a comment with spaces as one comment, and accepts tabs as separators', () => {
    expect(parseSshPublicKey(line('ssh-ed25519', ed25519.blob)).comment).toBeNull();
    const k = parseSshPublicKey(`ssh-ed25519\t${ed25519.blob.toString('base64')}  John Doe's  key`);
    expect(k.comment).toBe("John Doe's key");
    expect(k.line).toBe(`ssh-ed25519 ${ed25519.blob.toString('base64')} John Doe's key`);
  });

  it('accepts a 4096-bit RSA key', () => {
    expect(parseSshPublicKey(line('ssh-rsa', blobOf(rsa(4096)).blob)).bits).toBe(4096);
  });
});

describe('parseSshPublicKey: refusals', () => {
  const b64 = ed25519.blob.toString('base64');

  it('refuses an options prefix with a message saying what to send', () => {
    expect(problem(`from="10.0.0.0/8",no-pty ssh-ed25519 ${b64} x`)).toBe('options_not_allowed');
    expect(problem(`command="/bin/true" ssh-ed25519 ${b64}`)).toBe('options_not_allowed');
    expect(() => parseSshPublicKey(`no-pty ssh-ed25519 ${b64}`)).toThrow(/options .* not accepted/);
  });

  it('refuses unknown and unsupported types (ssh-dss included), empty input, several lines', () => {
    expect(problem(`ssh-dss ${b64}`)).toBe('unsupported_type');
    expect(problem('hello world')).toBe('unsupported_type');
    expect(problem('   ')).toBe('empty');
    expect(problem(`ssh-ed25519 ${b64} a\nssh-ed25519 ${b64} b`)).toBe('multiple_lines');
    expect(problem('ssh-ed25519')).toBe('missing_key_data');
  });

  it('refuses bad base64', () => {
    expect(problem('ssh-ed25519 AAAA!!!!')).toBe('invalid_base64');
    expect(problem(`ssh-ed25519 ${b64.slice(0, -1)}`)).toBe('invalid_base64'); // length not a multiple of 4
    expect(problem('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI=')).toBe('invalid_base64');
  });

  it('refuses a blob whose embedded type differs from the declared one', () => {
    expect(problem(`ssh-rsa ${b64}`)).toBe('type_mismatch');
    expect(problem(`ecdsa-sha2-nistp384 ${KEYS['ecdsa-sha2-nistp256'].blob.toString('base64')}`)).toBe('type_mismatch');
    try {
      parseSshPublicKey(`ssh-rsa ${b64}`);
    } catch (e) {
      expect((e as InvalidSshKeyError).details).toMatchObject({ declared_type: 'ssh-rsa', embedded_type: 'ssh-ed25519' });
    }
  });

  it('refuses truncated blobs and trailing bytes', () => {
    for (const type of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
      const blob = KEYS[type].blob;
      const cut = blob.subarray(0, blob.length - 3);
      expect([type, problem(line(type, cut))]).toEqual([type, 'truncated_blob']);
    }
    expect(problem(line('ssh-ed25519', ed25519.blob.subarray(0, 2)))).toBe('truncated_blob');
    expect(problem(line('ssh-ed25519', Buffer.concat([ed25519.blob, Buffer.from([0, 0, 0, 0])])))).toBe('invalid_key_material');
  });

  it('refuses RSA keys under 2048 bits', () => {
    const short = blobOf(rsa(1024)).blob;
    expect(problem(line('ssh-rsa', short))).toBe('rsa_key_too_short');
    expect(() => parseSshPublicKey(line('ssh-rsa', short))).toThrow(/at least 2048 bits \(this one has 1024\)/);
  });

  it('refuses an ed25519 key that is not 32 bytes, an EC point off its curve, a wrong curve name', () => {
    expect(problem(line('ssh-ed25519', Buffer.concat([str('ssh-ed25519'), str(Buffer.alloc(31, 7))])))).toBe('invalid_key_material');
    const q = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]);
    expect(problem(line('ecdsa-sha2-nistp256', Buffer.concat([str('ecdsa-sha2-nistp256'), str('nistp256'), str(q)])))).toBe(
      'invalid_key_material',
    );
    const good = KEYS['ecdsa-sha2-nistp256'].blob;
    const renamed = Buffer.concat([str('ecdsa-sha2-nistp256'), str('nistp384'), good.subarray(4 + 19 + 4 + 8)]);
    expect(problem(line('ecdsa-sha2-nistp256', renamed))).toBe('invalid_key_material');
  });

  it('refuses a security key without its application', () => {
    const sk = KEYS['sk-ssh-ed25519@openssh.com'].blob;
    expect(problem(line('sk-ssh-ed25519@openssh.com', sk.subarray(0, sk.length - 8)))).toBe('truncated_blob');
  });
});

describe('fingerprints', () => {
  it('normalizes ids given with or without the prefix, padded, or base64url', () => {
    const fp = sshFingerprint(KEYS['ssh-rsa'].blob);
    const bare = fp.slice(7);
    expect(normalizeFingerprint(fp)).toBe(fp);
    expect(normalizeFingerprint(bare)).toBe(fp);
    expect(normalizeFingerprint(`sha256:${bare}=`)).toBe(fp);
    expect(normalizeFingerprint(bare.replace(/\+/g, '-').replace(/\//g, '_'))).toBe(fp);
    expect(normalizeFingerprint('MD5:aa:bb')).toBeNull();
    expect(normalizeFingerprint('SHA256:short')).toBeNull();
  });

  it('reads values written by other tools leniently (options prefix, any comment)', () => {
    const b64 = ed25519.blob.toString('base64');
    expect(describeStoredKey(`no-pty,from="a b" ssh-ed25519 ${b64} me@host`)).toEqual({
      type: 'ssh-ed25519',
      fingerprint: sshFingerprint(ed25519.blob),
      comment: 'me@host',
    });
    expect(describeStoredKey('garbage')).toBeNull();
  });

  const keygen = (() => {
    try {
      execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
    }
    return 'ssh-keygen';
  })();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssh-fp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!keygen).each(Object.keys(KEYS))('equals `ssh-keygen -lf` for %s', (type) => {
    const { blob } = KEYS[type as keyof typeof KEYS];
    const file = path.join(dir, `${type}.pub`);
    writeFileSync(file, `${line(type, blob, 'fp-test')}\n`);
    const out = execFileSync(keygen!, ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
    const [bits, fingerprint] = out.trim().split(/\s+/);
    const k = parseSshPublicKey(line(type, blob, 'fp-test'));
    expect([k.fingerprint, k.bits]).toEqual([fingerprint, Number(bits)]);
  });

  it.skipIf(!keygen)('accepts keys ssh-keygen generated (ed25519, ecdsa, rsa)', () => {
    for (const [t, extra] of [
      ['ed25519', []],
      ['ecdsa', ['-b', '384']],
      ['rsa', ['-b', '3072']],
    ] as const) {
      const file = path.join(dir, `gen-${t}`);
      execFileSync(keygen!, ['-q', '-t', t, ...extra, '-N', '', '-C', `gen-${t}`, '-f', file]);
      const pub = readFileSync(`${file}.pub`, 'utf8');
      const fp = execFileSync(keygen!, ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(/\s+/)[1];
      expect(parseSshPublicKey(pub)).toMatchObject({ comment: `gen-${t}`, fingerprint: fp, line: pub.trim() });
    }
  });
});
