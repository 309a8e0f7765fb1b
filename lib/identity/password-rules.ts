/** Password complexity rules of the API (checked before the directory's own ppolicy quality rules). */
import { settingValue } from '../config-store/store.js';
import type { Db } from '../store/dynamo.js';

export type PasswordRule = 'min_length' | 'character_classes' | 'contains_uid';

export interface PasswordPolicy {
  /** Minimum length, in characters (`password.min_length`, default 12). */
  minLength: number;
  /** How many of the 4 classes (lower, upper, digit, other) are needed (`password.require_classes`, default 3). */
  classes: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, classes: 3 };

/** The rules as configured in the config store (§15). */
export async function passwordPolicy(db: Db): Promise<PasswordPolicy> {
  const [minLength, classes] = await Promise.all([
    settingValue<number>(db, 'password.min_length'),
    settingValue<number>(db, 'password.require_classes'),
  ]);
  return { minLength, classes };
}

/**
 * The rules `password` breaks: at least `minLength` characters, `classes` of the 4 classes (lower, upper,
 * digit, other), and not containing the uid (case-insensitive).
 *
 * @example passwordViolations('short', 'jdoe') // → ['min_length', 'character_classes']
 */
export function passwordViolations(password: string, uid: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): PasswordRule[] {
  const out: PasswordRule[] = [];
  if ([...password].length < policy.minLength) out.push('min_length');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < policy.classes) out.push('character_classes');
  if (uid && password.toLowerCase().includes(uid.toLowerCase())) out.push('contains_uid');
  return out;
}
