import { randomUUID } from 'node:crypto';
import http from 'node:http';

/** What an emulator answers for a failed operation (AWS JSON 1.0 error shape). */
export interface AwsJsonFault {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

export interface AwsJsonServerOptions {
  /** `X-Amz-Target` prefix, e.g. `AWSStepFunctions.` or `AmazonSQS.`. */
  targetPrefix: string;
  /** Operations by name; `gone()` tells a long-polling operation that its client disconnected. */
  ops: Record<string, (body: Record<string, unknown>, gone: () => boolean) => unknown>;
  /** The fault for an unknown operation (or a non-POST request). */
  unknownOperation(description: string): Error;
  /** Maps any error an operation throws (and malformed JSON, a SyntaxError) to the service's fault. */
  fault(err: unknown): AwsJsonFault;
}

/**
 * The AWS JSON 1.0 protocol shared by the local emulators: POST, `X-Amz-Target: <Service>.<Operation>`,
 * JSON in and out, errors as `{"__type", "message"}` with the service's status and headers.
 */
export function createAwsJsonServer(o: AwsJsonServerOptions): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let gone = false;
    res.on('close', () => {
      gone = !res.writableFinished;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
          if (res.destroyed) return;
          const text = JSON.stringify(body);
          res.writeHead(status, {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(text),
            'x-amzn-requestid': randomUUID(),
            ...headers,
          });
          res.end(text);
        };
        try {
          const target = String(req.headers['x-amz-target'] ?? '');
          const op = target.startsWith(o.targetPrefix) ? target.slice(o.targetPrefix.length) : '';
          const handler = o.ops[op];
          if (req.method !== 'POST' || !handler) throw o.unknownOperation(target || `${req.method} ${req.url}`);
          const raw = Buffer.concat(chunks).toString('utf8');
          const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
          send(200, (await handler(body, () => gone)) ?? {});
        } catch (err) {
          const f = o.fault(err);
          send(f.status, { __type: f.type, message: f.message }, f.headers);
        }
      })();
    });
  });
}
