/**
 * How a user's password reaches the directory ("hashed as configured", §3.3). The `password.hash` setting
 * of the config store (§15) chooses the scheme per write:
 *
 * - `SSHA512` (default): the LDAP Password Modify extended operation. slapd hashes the value with its
 *   `olcPasswordHash` ({SSHA512}, module pw-sha2) and applies its password policy (quality, history).
 * - `ARGON2`: the API hashes with argon2id (hash-wasm: WebAssembly, no native addon) and writes
 *   `{ARGON2}$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`, the PHC string slapd's `argon2` module verifies on
 *   bind (local/slapd loads it; a production slapd needs `olcModuleLoad: argon2` too). slapd cannot judge
 *   the quality of a value it receives hashed: the API's own rules (password-rules.ts) are the ones applied.
 *
 * The cleartext never leaves this module except towards slapd, and is never logged.
 */
import { randomBytes } from 'node:crypto';
import hashWasmArgon2 from 'hash-wasm/dist/argon2.umd.min.js';
import { settingValue } from '../config-store/store.js';
import type { IdentityDeps } from './deps.js';

export type PasswordScheme = 'ARGON2' | 'SSHA512';

/** argon2id cost: OWASP's password-storage minimum (19 MiB, 2 passes, 1 lane); ~50 ms per hash here. */
export const ARGON2_PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32, saltLength: 16 } as const;

/**
 * The `{ARGON2}` userPassword value of `password` (argon2id, ARGON2_PARAMS, a fresh random salt).
 *
 * @example await argon2Password('Correct-Horse-42') // → '{ARGON2}$argon2id$v=19$m=19456,t=2,p=1$…$…'
 */
export async function argon2Password(password: string, salt: Uint8Array = randomBytes(ARGON2_PARAMS.saltLength)): Promise<string> {
  const encoded = await hashWasmArgon2.argon2id({
    password,
    salt,
    memorySize: ARGON2_PARAMS.memorySize,
    iterations: ARGON2_PARAMS.iterations,
    parallelism: ARGON2_PARAMS.parallelism,
    hashLength: ARGON2_PARAMS.hashLength,
    outputType: 'encoded',
  });
  return `{ARGON2}${encoded}`;
}

/** Sets the password of the entry `dn` with the configured scheme; answers the scheme used. */
export async function setPassword(d: Pick<IdentityDeps, 'ldap' | 'db'>, dn: string, password: string): Promise<PasswordScheme> {
  const scheme = await settingValue<PasswordScheme>(d.db, 'password.hash');
  if (scheme === 'ARGON2') {
    await d.ldap.modify(dn, { operation: 'replace', attribute: 'userPassword', values: [await argon2Password(password)] });
  } else {
    await d.ldap.passwordModify(dn, password);
  }
  return scheme;
}
