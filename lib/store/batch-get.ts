/**
 * The request path's table read — BatchGetItem of a few items, strongly consistent — spoken directly in
 * DynamoDB's JSON protocol (one signed HTTPS POST), without the SDK client's middleware stack.
 *
 * Every authenticated request makes this read (its session and the ACL version, lib/auth/sessions.ts), and
 * only this one: measured on the same machine, the SDK client spends ~0.9 ms of CPU per BatchGetItem where
 * the same signed request costs ~0.45 ms (bench/README "Identity"). Everything else keeps the SDK.
 *
 * What it keeps of the SDK's behaviour:
 * - Signature Version 4 (`sigV4Headers`, as AWS specifies it; the tests check it signs exactly as the SDK's
 *   own signer, which is not bundled: it would bring ~150 KB of @smithy/core into every function), with the
 *   Lambda role's credentials from the environment, or else the SDK client's credential chain;
 * - the endpoint the SDK would pick (`publicEndpoint`: regional, FIPS, dual-stack, `AWS_ENDPOINT_URL*`);
 * - retries (3 attempts, exponential backoff with full jitter on 100 ms) on network errors, 5xx and
 *   throttling only (anything else — a bug, a credentials failure — is thrown as it is);
 * - keys left unprocessed are asked again (up to 5 rounds, with backoff);
 * - network failures, 5xx and throttling that outlast the retries → 503 DEPENDENCY_UNAVAILABLE (database),
 *   like every other table call (`guarded`); any other error keeps the service's error name and message.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError } from '../core/errors.js';
import { NETWORK_ERRORS } from './dynamo.js';

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

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20150830T123600Z` */
const amzDate = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');

let derived: { id: string; key: Buffer } | undefined;
/** The day's signing key (kept for the last credentials, day, region and service asked). */
function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${day}/${region}/${service}/${sha256Hex(secret)}`;
  if (derived?.id !== id) derived = { id, key: hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request') };
  return derived.key;
}

/**
 * Signature Version 4 of a POST to `/` without a query (the JSON protocols): the headers to send, with
 * `x-amz-date`, the session token if any, and `authorization`. Every given header is signed; names lower-case.
 */
export function sigV4Headers(
  req: { headers: Record<string, string>; body: string; region: string; service: string },
  credentials: Credentials,
  now = new Date(),
): Record<string, string> {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {
    ...req.headers,
    'x-amz-date': date,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256Hex(req.body)].join('\n');
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, req.region, req.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/**
 * The endpoint the SDK client would use for DynamoDB in `region`, for the settings of the environment it reads:
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`, then FIPS (`AWS_USE_FIPS_ENDPOINT`) and dual-stack
 * (`AWS_USE_DUALSTACK_ENDPOINT`) endpoints, in the `aws` and `aws-cn` partitions. Other partitions (GovCloud,
 * isolated regions) must be given by `AWS_ENDPOINT_URL_DYNAMODB` (or `DYNAMODB_ENDPOINT`).
 */
export function publicEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  if (explicit) return explicit;
  if (!/^(?:[a-z]{2}|cn)-[a-z]+-\d+$/.test(region) || region.startsWith('us-gov-')) {
    throw new Error(`No DynamoDB endpoint known for region ${region}: set AWS_ENDPOINT_URL_DYNAMODB`);
  }
  const fips = env.AWS_USE_FIPS_ENDPOINT === 'true';
  const dual = env.AWS_USE_DUALSTACK_ENDPOINT === 'true';
  const host = `dynamodb${fips ? '-fips' : ''}.${region}`;
  if (region.startsWith('cn-')) return `https://${host}.${dual ? 'api.amazonwebservices.com.cn' : 'amazonaws.com.cn'}`;
  return `https://${host}.${dual ? 'api.aws' : 'amazonaws.com'}`;
}

/** Full jitter on a 100 ms base, as the SDK's standard retry strategy. */
const backoff = (attempt: number) => sleep(Math.random() * 100 * 2 ** (attempt - 1));

export function createBatchGet(opts: BatchGetOptions): (keys: Key[]) => Promise<(Item | undefined)[]> {
  const url = new URL(opts.endpoint ?? publicEndpoint(opts.region));
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 50 }) : new http.Agent({ keepAlive: true, maxSockets: 50 });
  const timeoutMs = opts.timeoutMs ?? 3000;
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
    const signed = sigV4Headers({ headers, body, region: opts.region, service: 'dynamodb' }, await opts.credentials());
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          hostname: url.hostname,
          port: url.port,
          path: '/',
          method: 'POST',
          agent,
          headers: { ...signed, 'content-length': Buffer.byteLength(body) },
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
            // A 200 that does not parse was cut short: as transient as a 5xx.
            const type = String(parsed?.__type ?? (status >= 500 || status === 200 ? 'InternalServerError' : 'UnknownError'));
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
    e instanceof DynamoServiceError
      ? e.status >= 500 || RETRYABLE.has(e.name)
      : NETWORK_ERRORS.has(String((e as { code?: unknown })?.code));

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
