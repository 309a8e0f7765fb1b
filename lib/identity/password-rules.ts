/** Password complexity rules of the API (checked before the directory's own ppolicy quality rules). */
export const PASSWORD_MIN_LENGTH = 12;

export type PasswordRule = 'min_length' | 'character_classes' | 'contains_uid';

/**
 * The rules `password` breaks: at least 12 characters, 3 of the 4 classes (lower, upper, digit, other),
 * and not containing the uid (case-insensitive).
 *
 * @example passwordViolations('short', 'jdoe') // → ['min_length', 'character_classes']
 */
export function passwordViolations(password: string, uid: string): PasswordRule[] {
  const out: PasswordRule[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) out.push('min_length');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) out.push('character_classes');
  if (uid && password.toLowerCase().includes(uid.toLowerCase())) out.push('contains_uid');
  return out;
}
