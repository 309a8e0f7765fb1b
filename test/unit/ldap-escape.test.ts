import fc from 'fast-check';
import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../lib/core/errors.js';
import { parseFilter } from '../../lib/providers/ldap/client.js';
import {
  and,
  dnEquals,
  eq,
  escapeDnValue,
  escapeFilterValue,
  normalizeDn,
  not,
  or,
  parseDn,
  present,
  substr,
  unescapeDnValue,
} from '../../lib/providers/ldap/escape.js';

/** RFC 4515 unescape: `\XX` → byte, decoded as UTF-8. */
function unescapeFilterValue(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 4514 unescape of one attribute value. */
function unescapeDnValueRef(s: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x5c) {
      const next = String.fromCharCode(raw[i + 1] as number, raw[i + 2] as number);
      if (/^[0-9a-fA-F]{2}$/.test(next)) {
        bytes.push(Number.parseInt(next, 16));
        i += 2;
      } else {
        bytes.push(raw[i + 1] as number);
        i += 1;
      }
    } else bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the filter specials', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('(')).toBe('\\28');
    expect(escapeFilterValue(')')).toBe('\\29');
    expect(escapeFilterValue('\\')).toBe('\\5c');
    expect(escapeFilterValue('\0')).toBe('\\00');
    expect(escapeFilterValue('plain.user-1_x@example.com')).toBe('plain.user-1_x@example.com');
  });

  it('neutralises injection attempts', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(eq('uid', '*)(uid=*')).toBe('(uid=\\2a\\29\\28uid=\\2a)');
    expect(eq('uid', 'admin)(|(objectClass=*')).toBe('(uid=admin\\29\\28|\\28objectClass=\\2a)');
    // parses as ONE equality filter whose value is the literal input
    const parsed = parseFilter(eq('uid', '*)(uid=*')) as unknown as { attribute: string; value: Buffer | string };
    expect(parsed.constructor.name).toBe('EqualityFilter');
    expect(parsed.attribute).toBe('uid');
    expect(String(parsed.value)).toBe('*)(uid=*');
  });

  it('escapes non-ASCII as UTF-8 bytes', () => {
    expect(escapeFilterValue('é')).toBe('\\c3\\a9');
    expect(escapeFilterValue('Zoë 日本')).toBe('Zo\\c3\\ab \\e6\\97\\a5\\e6\\9c\\ac');
    expect(escapeFilterValue(Buffer.from([0x00, 0xff, 0x41]))).toBe('\\00\\ffA');
  });

  it('round-trips any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const escaped = escapeFilterValue(s);
        expect(escaped).not.toMatch(/[*()\0]/);
        expect(/^[\x20-\x7e]*$/.test(escaped)).toBe(true);
        expect(unescapeFilterValue(escaped)).toBe(Buffer.from(s, 'utf8').toString('utf8'));
        // always parses as a single equality filter
        expect(() => FilterParser.parseString(eq('cn', s))).not.toThrow();
      }),
    );
  });

  it('keeps non-ASCII values intact through the ldapts filter parser', () => {
    const f = parseFilter(eq('cn', 'Zoë')) as unknown as { value: Buffer | string };
    expect(Buffer.from(f.value as Buffer).toString('utf8')).toBe('Zoë');
    const s = parseFilter(substr('cn', { initial: 'Zo', any: ['ë'], final: '日' })) as unknown as {
      initial: string;
      any: string[];
      final: string;
    };
    expect([s.initial, ...s.any, s.final]).toEqual(['Zo', 'ë', '日']);
    // raw (unescaped) non-ASCII in a hand-written filter works too
    const raw = parseFilter('(cn=Zoë)') as unknown as { value: Buffer | string };
    expect(Buffer.from(raw.value as Buffer).toString('utf8')).toBe('Zoë');
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it('escapes DN specials', () => {
    expect(escapeDnValue('a,b')).toBe('a\\,b');
    expect(escapeDnValue('a+b"c\\d<e>f;g=h')).toBe('a\\+b\\"c\\\\d\\<e\\>f\\;g\\=h');
    expect(escapeDnValue('#hash')).toBe('\\#hash');
    expect(escapeDnValue(' lead')).toBe('\\ lead');
    expect(escapeDnValue('trail ')).toBe('trail\\ ');
    expect(escapeDnValue(' ')).toBe('\\ ');
    expect(escapeDnValue('mid#dle sp')).toBe('mid#dle sp');
    expect(escapeDnValue('nul\0')).toBe('nul\\00');
    expect(escapeDnValue('Zoë')).toBe('Zoë');
  });

  it('blocks DN injection', () => {
    const dn = `uid=${escapeDnValue('x,ou=admins,dc=example,dc=com')},ou=people,dc=example,dc=com`;
    expect(dn).toBe('uid=x\\,ou\\=admins\\,dc\\=example\\,dc\\=com,ou=people,dc=example,dc=com');
  });

  it('round-trips and never leaves an unescaped separator (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const escaped = escapeDnValue(s);
        expect(unescapeDnValueRef(escaped)).toBe(s);
        // no unescaped , + ; = < > " left
        expect(escaped.replace(/\\(?:[0-9a-fA-F]{2}|.)/gs, '')).not.toMatch(/[,+;=<>"\\\0]/);
      }),
    );
  });
});

describe('filter builder', () => {
  it('composes', () => {
    expect(and(eq('objectClass', 'inetOrgPerson'), or(eq('uid', 'a'), eq('mail', 'a@b')))).toBe(
      '(&(objectClass=inetOrgPerson)(|(uid=a)(mail=a@b)))',
    );
    expect(present('mail')).toBe('(mail=*)');
    expect(not(eq('uid', 'x'))).toBe('(!(uid=x))');
    expect(and(eq('uid', 'x'))).toBe('(uid=x)');
    expect(substr('cn', { initial: 'Jo*', any: ['a(b'], final: ')' })).toBe('(cn=Jo\\2a*a\\28b*\\29)');
    expect(substr('cn', { any: ['x'] })).toBe('(cn=*x*)');
    expect(substr('cn', { final: 'x' })).toBe('(cn=*x)');
  });

  it('validates attribute names', () => {
    for (const bad of ['', '1cn', 'uid)(x', 'u id', 'cn=*', 'cn;binary', '-x', 'ü']) {
      expect(() => eq(bad, 'x')).toThrow(BadRequestError);
      expect(() => present(bad)).toThrow(BadRequestError);
    }
    expect(eq('x-custom-Attr9', 'v')).toBe('(x-custom-Attr9=v)');
  });

  it('refuses an empty substring and raw strings in combinators', () => {
    expect(() => substr('cn', {})).toThrow(BadRequestError);
    expect(() => and('uid=x' as string)).toThrow(BadRequestError);
  });
});

describe('DN parsing', () => {
  it('parses, unescapes and normalises', () => {
    expect(parseDn('cn=Zoë\\2c the (tester),ou=people,dc=example,dc=com')[0]).toEqual([{ type: 'cn', value: 'Zoë, the (tester)' }]);
    expect(parseDn('cn=a\\+b+uid=x,dc=com')[0]).toEqual([
      { type: 'cn', value: 'a+b' },
      { type: 'uid', value: 'x' },
    ]);
    expect(dnEquals('CN=Zoë\\2C the,OU=People,DC=example,DC=com', 'cn=zoë\\, the,ou=people,dc=example,dc=com')).toBe(true);
    expect(dnEquals('uid=a,dc=com', 'uid=b,dc=com')).toBe(false);
    expect(normalizeDn('uid=x+cn=y, dc=com')).toBe('cn=y+uid=x,dc=com');
  });

  it('round-trips escaped values (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(unescapeDnValue(escapeDnValue(s))).toBe(s);
        const dn = `cn=${escapeDnValue(s)},dc=example,dc=com`;
        expect(parseDn(dn)[0]).toEqual([{ type: 'cn', value: s }]);
      }),
    );
  });
});
