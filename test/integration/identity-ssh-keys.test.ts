import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSlapd, type TestSlapd } from '../helpers/slapd.js';
import { startTestDynalite, type TestDynalite } from '../helpers/dynalite.js';
import type { IdentityDeps } from '../../lib/identity/deps.js';
import { findUser } from '../../lib/identity/read-users.js';
import { toUserView } from '../../lib/identity/user-mapper.js';
import { addSshKey, deleteSshKey, listSshKeys } from '../../lib/identity/ssh-keys/ssh-keys.js';
import { sshFingerprint } from '../../lib/identity/ssh-keys/parse.js';
import { attrValues } from '../../lib/providers/ldap/index.js';
import { ApiError } from '../../lib/core/errors.js';

/** The SSH key use cases against a real slapd (with the project's openssh-lpk schema) and dynalite. */
let ldap: TestSlapd;
let dyn: TestDynalite;
let d: IdentityDeps;
const NOW = '2026-01-17T10:30:00Z';
const ACTOR = 'uid=admin,ou=people,dc=example,dc=com';

const str = (v: Buffer | string) => {
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
/** A fresh ed25519 public key line (OpenSSH format). */
function ed25519Line(comment?: string): { line: string; fingerprint: string } {
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([str('ssh-ed25519'), str(x)]);
  return { line: `ssh-ed25519 ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`, fingerprint: sshFingerprint(blob) };
}
function rsaLine(comment: string): { line: string; fingerprint: string } {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  const mp = (v: string) => {
    const b = Buffer.from(v, 'base64url');
    return str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const blob = Buffer.concat([str('ssh-rsa'), mp(jwk.e!), mp(jwk.n!)]);
  return { line: `ssh-rsa ${blob.toString('base64')} ${comment}`, fingerprint: sshFingerprint(blob) };
}

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

const entryOf = async (uid: string) => (await ldap.client.search(d.peopleDn, { filter: `(uid=${uid})`, attributes: ['*', '+'] }))[0]!;
const record = (uid: string, fp: string) => d.db.get({ TableName: d.db.table, Key: { pk: `SSHKEY#${uid}`, sk: fp } }).then((r) => r.Item);

beforeAll(async () => {
  [ldap, dyn] = await Promise.all([startTestSlapd(), startTestDynalite()]);
  d = {
    ldap: ldap.client,
    db: dyn.db,
    baseDn: ldap.baseDn,
    peopleDn: `ou=people,${ldap.baseDn}`,
    groupsDn: `ou=groups,${ldap.baseDn}`,
    now: () => new Date(NOW),
  } as IdentityDeps;
  for (const uid of ['alice', 'bob', 'carol']) {
    await ldap.client.add(`uid=${uid},${d.peopleDn}`, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid });
  }
});

afterAll(async () => {
  await Promise.all([ldap?.destroy(), dyn?.stop()]);
});

describe('openssh-lpk schema', () => {
  it('is loaded with the OpenSSH-LPK OIDs, and ldapPublicKey requires sshPublicKey', async () => {
    const [schema] = await ldap.client.search('cn=Subschema', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['attributeTypes', 'objectClasses'],
    });
    expect(attrValues(schema!, 'attributeTypes').find((a) => a.includes("'sshPublicKey'"))).toMatch(
      /^\( 1\.3\.6\.1\.4\.1\.24552\.500\.1\.1\.1\.13 /,
    );
    expect(attrValues(schema!, 'objectClasses').find((a) => a.includes("'ldapPublicKey'"))).toMatch(
      /^\( 1\.3\.6\.1\.4\.1\.24552\.500\.1\.1\.2\.0 .*AUXILIARY/,
    );
    const err = await rejects(
      ldap.client.modify(`uid=carol,${d.peopleDn}`, { operation: 'add', attribute: 'objectClass', values: ['ldapPublicKey'] }),
    );
    expect(err.code).toBe('LDAP_OBJECT_CLASS_VIOLATION');
  });
});

describe('ssh keys', () => {
  const first = ed25519Line('alice@laptop');
  const second = rsaLine('alice@desktop');

  it('adds a first key: the line in sshPublicKey, ldapPublicKey added, a record, the fingerprint audited', async () => {
    const { key, dn, changes } = await addSshKey(d, 'alice', `  ${first.line}\n`, ACTOR);
    expect(key).toEqual({
      id: first.fingerprint,
      type: 'ssh-ed25519',
      fingerprint: first.fingerprint,
      comment: 'alice@laptop',
      added_at: NOW,
    });
    expect(dn).toBe(`uid=alice,${d.peopleDn}`);
    expect(changes).toEqual([
      { attribute: 'sshPublicKey', old: null, new: first.fingerprint },
      { attribute: 'objectClass', old: null, new: 'ldapPublicKey' },
    ]);
    const entry = await entryOf('alice');
    expect(attrValues(entry, 'sshPublicKey')).toEqual([first.line]);
    expect(attrValues(entry, 'objectClass')).toContain('ldapPublicKey');
    expect(await record('alice', first.fingerprint)).toMatchObject({ added_at: NOW, added_by: ACTOR, type: 'ssh-ed25519' });
    expect(toUserView((await findUser(d, 'alice'))!).tabs).toMatchObject({ ssh: true });
    expect(toUserView((await findUser(d, 'bob'))!).tabs).toMatchObject({ ssh: false });
  });

  it('refuses the same key again, whatever its comment (409), and an invalid key (400) with nothing written', async () => {
    const withOtherComment = `${first.line.split(' ').slice(0, 2).join(' ')} other-comment`;
    const dup = await rejects(addSshKey(d, 'alice', withOtherComment, ACTOR));
    expect([dup.status, dup.code, dup.details]).toEqual([409, 'SSH_KEY_EXISTS', { uid: 'alice', fingerprint: first.fingerprint }]);
    const bad = await rejects(addSshKey(d, 'alice', `no-pty ${second.line}`, ACTOR));
    expect([bad.status, bad.code, bad.details?.reason]).toEqual([400, 'INVALID_SSH_KEY', 'options_not_allowed']);
    expect(attrValues(await entryOf('alice'), 'sshPublicKey')).toEqual([first.line]);
  });

  it('lists keys, added outside the API ones with the entry modifyTimestamp', async () => {
    await addSshKey(d, 'alice', second.line, ACTOR);
    const outside = ed25519Line();
    await ldap.client.modify(`uid=alice,${d.peopleDn}`, {
      operation: 'add',
      attribute: 'sshPublicKey',
      values: [`no-pty ${outside.line}`],
    });
    const keys = await listSshKeys(d, 'alice');
    expect(keys.map((k) => [k.id, k.type, k.comment])).toEqual([
      [first.fingerprint, 'ssh-ed25519', 'alice@laptop'],
      [second.fingerprint, 'ssh-rsa', 'alice@desktop'],
      [outside.fingerprint, 'ssh-ed25519', null],
    ]);
    expect(keys[0]!.added_at).toBe(NOW);
    expect(keys[2]!.added_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(keys[2]!.added_at).not.toBe(NOW);
    // …and deletes it by its fingerprint like any other.
    await deleteSshKey(d, 'alice', outside.fingerprint);
    expect(await listSshKeys(d, 'alice')).toHaveLength(2);
  });

  it('deletes by fingerprint (prefix optional, base64url accepted); the last key takes ldapPublicKey with it', async () => {
    const one = await deleteSshKey(d, 'alice', second.fingerprint.slice('SHA256:'.length).replace(/\+/g, '-').replace(/\//g, '_'));
    expect(one.changes).toEqual([{ attribute: 'sshPublicKey', old: second.fingerprint, new: null }]);
    expect(attrValues(await entryOf('alice'), 'objectClass')).toContain('ldapPublicKey');
    const again = await rejects(deleteSshKey(d, 'alice', second.fingerprint));
    expect([again.status, again.code]).toEqual([404, 'SSH_KEY_NOT_FOUND']);
    expect((await rejects(deleteSshKey(d, 'alice', 'not-a-fingerprint'))).code).toBe('SSH_KEY_NOT_FOUND');

    const last = await deleteSshKey(d, 'alice', first.fingerprint);
    expect(last.changes).toEqual([
      { attribute: 'sshPublicKey', old: first.fingerprint, new: null },
      { attribute: 'objectClass', old: 'ldapPublicKey', new: null },
    ]);
    const entry = await entryOf('alice');
    expect(attrValues(entry, 'sshPublicKey')).toEqual([]);
    expect(attrValues(entry, 'objectClass')).not.toContain('ldapPublicKey');
    expect(await record('alice', first.fingerprint)).toBeUndefined();
    expect(await listSshKeys(d, 'alice')).toEqual([]);
    expect(toUserView((await findUser(d, 'alice'))!).tabs).toMatchObject({ ssh: false });
  });

  it('answers USER_NOT_FOUND for an unknown user', async () => {
    const calls = [
      () => listSshKeys(d, 'ghost'),
      () => addSshKey(d, 'ghost', first.line, ACTOR),
      () => deleteSshKey(d, 'ghost', first.fingerprint),
    ];
    for (const call of calls) {
      const e = await rejects(call());
      expect([e.status, e.code]).toEqual([404, 'USER_NOT_FOUND']);
    }
  });

  it('adds concurrent first keys and deletes concurrent last keys of one user (retries on directory races)', async () => {
    const keys = [ed25519Line('a'), ed25519Line('b'), ed25519Line('c')];
    await Promise.all(keys.map((k) => addSshKey(d, 'bob', k.line, ACTOR)));
    expect((await listSshKeys(d, 'bob')).map((k) => k.id).sort()).toEqual(keys.map((k) => k.fingerprint).sort());
    await Promise.all(keys.map((k) => deleteSshKey(d, 'bob', k.fingerprint)));
    const entry = await entryOf('bob');
    expect([attrValues(entry, 'sshPublicKey'), attrValues(entry, 'objectClass')]).toEqual([[], ['inetOrgPerson']]);
  });
});
