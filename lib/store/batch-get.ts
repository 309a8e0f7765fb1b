/**
 * The request path's table read — BatchGetItem of a few items, strongly consistent — spoken directly in
 * DynamoDB's JSON protocol (one signed HTTPS POST), without the SDK client's middleware stack.
 *
 * Every authenticated request makes this read (its session and the ACL version, lib/auth/sessions.ts), and
 * only this one: measured on the same machine, the SDK client spends ~0.9 ms of CPU per BatchGetItem where
 * the same signed request costs ~0.45 ms (bench/README "Identity"). Everything else keeps the SDK.
 *
 * What it keeps of the SDK's behaviour:
 * - Signature Version 4 by `@smithy/signature-v4` (the SDK's own signer), with the Lambda role's credentials
 *   from the environment, or else the SDK client's credential chain;
 * - retries (3 attempts, exponential backoff with jitter) on network errors, 5xx and throttling;
 * - keys left unprocessed are asked again (up to 5 rounds, with backoff);
 * - network failures, 5xx and throttling that outlast the retries → 503 DEPENDENCY_UNAVAILABLE (database),
 *   like every other table call (`guarded`); any other error keeps the service's error name and message.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SignatureV4 } from '@smithy/signature-v4';
import { DependencyUnavailableError } from '../core/errors.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface BatchGetOptions {
  table: string;
  region: string;
  /** A local endpoint (dynalite); otherwise the region's public endpoint. */
  endpoint?: string;
  credentials: () => Promise<Credentials>;
  /** Per attempt (default 3 s): a read that hangs must not hold the request for the Lambda's whole timeout. */
  timeoutMs?: number;
}

export type Item = Record<string, unknown>;
export interface Key {
  pk: string;
  sk: string;
}

/** The error a DynamoDB answer carries (`__type`: `com.amazonaws.dynamodb.v20120810#ValidationException`). */
export class DynamoServiceError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);
const ATTEMPTS = 3;
const ROUNDS = 5;

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData) =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The signer's hash, on node:crypto. */
class Sha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.h.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

export function publicEndpoint(region: string): string {
  return `https://dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (attempt: number) => sleep(Math.random() * 25 * 2 ** attempt);

export function createBatchGet(opts: BatchGetOptions): (keys: Key[]) => Promise<(Item | undefined)[]> {
  const url = new URL(opts.endpoint ?? publicEndpoint(opts.region));
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 50 }) : new http.Agent({ keepAlive: true, maxSockets: 50 });
  const timeoutMs = opts.timeoutMs ?? 3000;
  let signer: Promise<SignatureV4> | undefined;
  const getSigner = () =>
    (signer ??= import('@smithy/signature-v4').then(
      ({ SignatureV4 }) => new SignatureV4({ credentials: opts.credentials, region: opts.region, service: 'dynamodb', sha256: Sha256 }),
    ));
  const unmarshalled = import('@aws-sdk/util-dynamodb');
  unmarshalled.catch(() => undefined);

  /** One signed POST; resolves with the parsed answer or rejects (DynamoServiceError, or a network error). */
  const post = async (target: string, payload: unknown): Promise<any> => {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      host: url.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${target}`,
    };
    const request = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: '/',
      query: {},
      headers,
      body,
    };
    const signed = await (await getSigner()).sign(request);
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          hostname: url.hostname,
          port: url.port,
          path: '/',
          method: 'POST',
          agent,
          headers: { ...signed.headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = undefined;
            }
            const status = res.statusCode ?? 0;
            if (status === 200 && parsed) return resolve(parsed);
            const type = String(parsed?.__type ?? (status >= 500 ? 'InternalServerError' : 'UnknownError'));
            const message = String(parsed?.message ?? parsed?.Message ?? `HTTP ${status}`);
            reject(new DynamoServiceError(type.slice(type.lastIndexOf('#') + 1), message, status));
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  };

  const transient = (e: unknown) =>
    e instanceof DynamoServiceError ? e.status >= 500 || RETRYABLE.has(e.name) : true; /* network, timeout */

  const withRetries = async (target: string, payload: unknown) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await post(target, payload);
      } catch (e) {
        if (!transient(e)) throw e;
        if (attempt === ATTEMPTS) throw new DependencyUnavailableError('database', e);
        await backoff(attempt);
      }
    }
  };

  const id = (k: { pk?: unknown; sk?: unknown }) => JSON.stringify([k.pk, k.sk]);

  return async (keys) => {
    const { marshall, unmarshall } = await unmarshalled;
    const found = new Map<string, Item>();
    let pending: Record<string, AttributeValue>[] = keys.map((k) => marshall({ pk: k.pk, sk: k.sk }));
    for (let round = 0; pending.length > 0; round++) {
      if (round === ROUNDS) throw new DependencyUnavailableError('database', new Error('BatchGetItem left keys unprocessed'));
      if (round > 0) await backoff(round);
      const out = await withRetries('BatchGetItem', { RequestItems: { [opts.table]: { Keys: pending, ConsistentRead: true } } });
      for (const raw of out.Responses?.[opts.table] ?? []) {
        const item = unmarshall(raw);
        found.set(id(item), item);
      }
      pending = out.UnprocessedKeys?.[opts.table]?.Keys ?? [];
    }
    return keys.map((k) => found.get(id(k)));
  };
}

/** The Lambda role's credentials (the runtime sets them in the environment), if present. */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
