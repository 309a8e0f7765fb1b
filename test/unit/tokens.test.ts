import { describe, expect, it, vi } from 'vitest';
import { SignJWT, UnsecuredJWT, importJWK } from 'jose';
import { generatePrivateJwk, loadKeyRing } from '../../lib/auth/keys.js';
import { signToken, verifyToken, type TokenSettings } from '../../lib/auth/tokens.js';
import { UnauthorizedError } from '../../lib/core/errors.js';

const settings: TokenSettings = { issuer: 'urn:test', audience: 'apibibind', accessTtl: 60, refreshTtl: 600 };
const claims = { sub: 'uid=jdoe,ou=people,dc=example,dc=com', sid: 's-1', kind: 'user' as const, uid: 'jdoe' };

async function rejects(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthorizedError);
  expect((err as UnauthorizedError).code).toBe('INVALID_TOKEN');
}

describe('platform tokens', () => {
  it('verifies a token it signed and returns its claims', async () => {
    const ring = await loadKeyRing([await generatePrivateJwk()]);
    const { token, jti } = await signToken(ring, settings, { ...claims, typ: 'access' });
    const verified = await verifyToken(ring, settings, token, 'access');
    expect(verified).toMatchObject({ sub: claims.sub, sid: 's-1', jti, typ: 'access', uid: 'jdoe' });
  });

  it('keeps verifying tokens of the previous key after a rotation, and publishes no private part', async () => {
    const oldKey = await generatePrivateJwk();
    const newKey = await generatePrivateJwk();
    const before = await loadKeyRing([oldKey]);
    const { token } = await signToken(before, settings, { ...claims, typ: 'access' });
    const after = await loadKeyRing([newKey, oldKey]);
    await expect(verifyToken(after, settings, token, 'access')).resolves.toMatchObject({ sid: 's-1' });
    expect(after.signing.kid).toBe(newKey.kid);
    expect(after.publicJwks.keys.map((k) => k.kid)).toEqual([newKey.kid, oldKey.kid]);
    expect(after.publicJwks.keys.every((k) => k.d === undefined)).toBe(true);
    // Once the old key is dropped, its tokens stop verifying.
    await rejects(verifyToken(await loadKeyRing([newKey]), settings, token, 'access'));
  });

  it('refuses the wrong type, issuer, audience, an expired token and a tampered payload', async () => {
    const ring = await loadKeyRing([await generatePrivateJwk()]);
    const { token: refresh } = await signToken(ring, settings, { ...claims, typ: 'refresh' });
    await rejects(verifyToken(ring, settings, refresh, 'access'));
    const { token } = await signToken(ring, settings, { ...claims, typ: 'access' });
    await rejects(verifyToken(ring, { ...settings, issuer: 'urn:other' }, token, 'access'));
    await rejects(verifyToken(ring, { ...settings, audience: 'other' }, token, 'access'));
    const { token: expired } = await signToken(ring, settings, { ...claims, typ: 'access', ttl: -10 });
    await rejects(verifyToken(ring, settings, expired, 'access'));
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'uid=admin,ou=people,dc=example,dc=com' })).toString('base64url');
    await rejects(verifyToken(ring, settings, `${h}.${forged}.${s}`, 'access'));
  });

  it('refuses alg none, HS256 signed with the public key, and unknown kids', async () => {
    const jwk = await generatePrivateJwk();
    const ring = await loadKeyRing([jwk]);
    const now = Math.floor(Date.now() / 1000);
    const body = { ...claims, typ: 'access', jti: 'x', iss: settings.issuer, aud: settings.audience, iat: now, exp: now + 60 };
    const unsecured = new UnsecuredJWT(body).encode();
    await rejects(verifyToken(ring, settings, unsecured, 'access'));
    const hmacKey = new TextEncoder().encode(JSON.stringify(ring.publicJwks.keys[0]));
    const hs = await new SignJWT(body).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(hmacKey);
    await rejects(verifyToken(ring, settings, hs, 'access'));
    const stranger = await generatePrivateJwk();
    const foreign = await new SignJWT(body)
      .setProtectedHeader({ alg: 'ES256', kid: stranger.kid })
      .sign(await importJWK(stranger, 'ES256'));
    await rejects(verifyToken(ring, settings, foreign, 'access'));
    await rejects(verifyToken(ring, settings, 'not-a-jwt', 'access'));
  });

  it('remembers a verified token only for what was verified: its type, settings, key and lifetime', async () => {
    const jwk = await generatePrivateJwk();
    const ring = await loadKeyRing([jwk]);
    const { token } = await signToken(ring, settings, { ...claims, typ: 'access', ttl: 30 });
    await expect(verifyToken(ring, settings, token, 'access')).resolves.toMatchObject({ sid: 's-1' });
    await expect(verifyToken(ring, settings, token, 'access')).resolves.toMatchObject({ sid: 's-1' });
    // Verified as an access token for these settings: not a refresh token, nor for another issuer/audience.
    await rejects(verifyToken(ring, settings, token, 'refresh'));
    await rejects(verifyToken(ring, { ...settings, issuer: 'urn:other' }, token, 'access'));
    await rejects(verifyToken(ring, { ...settings, audience: 'other' }, token, 'access'));
    // Its key dropped from the ring: refused although it was verified before.
    const key = ring.verification.get(jwk.kid!)!;
    ring.verification.delete(jwk.kid!);
    await rejects(verifyToken(ring, settings, token, 'access'));
    ring.verification.set(jwk.kid!, key);
    await expect(verifyToken(ring, settings, token, 'access')).resolves.toMatchObject({ sid: 's-1' });
    // Past its exp: refused.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      await rejects(verifyToken(ring, settings, token, 'access'));
    } finally {
      vi.useRealTimers();
    }
  });
});
