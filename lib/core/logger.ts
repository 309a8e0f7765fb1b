import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values never reach a log line, whatever their nesting. */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|private|credential|api[-_]?key|^key$/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[REDACTED]' : redact(v, depth + 1);
  }
  return out;
}

export const logger = new Logger({
  serviceName: process.env.SERVICE_NAME ?? 'apibibind',
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? (process.env.VITEST ? 'SILENT' : 'INFO'),
});
