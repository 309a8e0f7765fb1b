/**
 * How the Step Functions emulator calls a Lambda function, normalised to the Lambda Invoke result:
 * either a payload, or a function error `{errorType, errorMessage, trace}` (what AWS puts in `Cause`),
 * or a service error (`Lambda.<Exception>`, as Step Functions names them).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

export type InProcessInvoke = (fnName: string, payload: unknown) => Promise<unknown>;

export type LambdaOutcome =
  | { ok: true; payload: unknown }
  | { ok: false; kind: 'function'; errorType: string; errorMessage: string; trace: string[] }
  | { ok: false; kind: 'service'; error: string; cause: string };

const NAME_FROM_TRACE = /^([A-Za-z_$][\w$.]*)(?::|$)/;

/**
 * serverless-offline (v13) always reports `errorType: "Error"` for a thrown error, whatever its class;
 * the real Node.js runtime reports `error.name`. The first trace line is `${name}: ${message}`, so the
 * real name is recovered from it.
 */
export function normaliseFunctionError(payload: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  let errorType = typeof p.errorType === 'string' ? p.errorType : 'Error';
  const errorMessage = typeof p.errorMessage === 'string' ? p.errorMessage : typeof p.Message === 'string' ? p.Message : '';
  const trace = Array.isArray(p.trace) ? p.trace.map(String) : Array.isArray(p.stackTrace) ? p.stackTrace.map(String) : [];
  if (errorType === 'Error' && trace[0]) {
    const m = NAME_FROM_TRACE.exec(trace[0]);
    if (m && m[1] !== 'Error') errorType = m[1]!;
  }
  return { errorType, errorMessage, trace };
}

function toJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

export function inProcessInvoker(invoke: InProcessInvoke): (fn: string, payload: unknown) => Promise<LambdaOutcome> {
  return async (fn, payload) => {
    try {
      return { ok: true, payload: toJson(await invoke(fn, toJson(payload))) };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return {
        ok: false,
        kind: 'function',
        errorType: e.name || 'Error',
        errorMessage: e.message,
        trace: (e.stack ?? '').split('\n'),
      };
    }
  };
}

export function httpInvoker(endpoint: string): {
  invoke: (fn: string, payload: unknown) => Promise<LambdaOutcome>;
  destroy(): void;
} {
  const client = new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    destroy: () => client.destroy(),
    async invoke(fn, payload) {
      try {
        const res = await client.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload ?? null)) }));
        const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
        let body: unknown = null;
        if (text) {
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
        }
        if (res.FunctionError) return { ok: false, kind: 'function', ...normaliseFunctionError(body) };
        return { ok: true, payload: body };
      } catch (err) {
        const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const name = e.$metadata?.httpStatusCode && e.name && e.name !== 'Error' ? e.name : 'ServiceException';
        return {
          ok: false,
          kind: 'service',
          error: `Lambda.${name}`,
          cause: `Lambda.${name}: invoking ${fn} at ${endpoint} failed: ${e.message ?? String(err)}`,
        };
      }
    },
  };
}
