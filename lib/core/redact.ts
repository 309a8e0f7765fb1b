/** Keys whose values never reach a log line or an audit event, whatever their nesting. */
export const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|private|credential|api[-_]?key|key_?hash|^key$/i;
export const REDACTED = '[REDACTED]';

/**
 * A copy of `value` where every property whose name looks secret is replaced by `[REDACTED]`, at any depth.
 *
 * @example redact({ user: 'jdoe', auth: { password: 'x' } }) // → { user: 'jdoe', auth: { password: '[REDACTED]' } }
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 16) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
