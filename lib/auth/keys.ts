import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { randomUUID, type webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;

export const JWT_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface KeyRing {
  /** The first key signs; every key verifies (rotation: add the new key first, drop the old after the longest token TTL). */
  signing: SigningKey;
  verification: Map<string, CryptoKey>;
  publicJwks: { keys: JWK[] };
}

/** A fresh private JWK (EC P-256) with a kid: used by the offline stack and by `npm run keys`. */
export async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(JWT_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: JWT_ALG, use: 'sig' };
}

export async function loadKeyRing(privateJwks: JWK[]): Promise<KeyRing> {
  if (privateJwks.length === 0) throw new Error('No JWT signing key configured');
  const verification = new Map<string, CryptoKey>();
  const publicKeys: JWK[] = [];
  let signing: SigningKey | undefined;
  for (const jwk of privateJwks) {
    if (!jwk.kid) throw new Error('Every JWT key needs a kid');
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error(`JWT key ${jwk.kid} is not an EC P-256 key`);
    const { d: _d, ...pub } = jwk;
    const publicKey = (await importJWK({ ...pub, alg: JWT_ALG }, JWT_ALG)) as CryptoKey;
    verification.set(jwk.kid, publicKey);
    publicKeys.push({ kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y, kid: jwk.kid, alg: JWT_ALG, use: 'sig' });
    if (!signing) {
      if (!jwk.d) throw new Error(`JWT key ${jwk.kid} has no private part`);
      signing = { kid: jwk.kid, privateKey: (await importJWK({ ...jwk, alg: JWT_ALG }, JWT_ALG)) as CryptoKey };
    }
  }
  return { signing: signing!, verification, publicJwks: { keys: publicKeys } };
}

/** JWT_PRIVATE_JWKS holds a JSON array of private JWKs, or a JWKS object `{keys:[…]}`. */
export function parsePrivateJwks(text: string): JWK[] {
  const parsed = JSON.parse(text) as JWK[] | { keys: JWK[] };
  return Array.isArray(parsed) ? parsed : parsed.keys;
}
