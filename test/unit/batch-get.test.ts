import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createHash as nodeHash, createHmac as nodeHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  createBatchGet,
  environmentCredentials,
  publicEndpoint,
  sigV4Headers,
  type DynamoServiceError,
} from '../../lib/store/batch-get.js';
import { DependencyUnavailableError } from '../../lib/core/errors.js';
import { startTestDynalite, type TestDynalite } from '../helpers/dynalite.js';

/**
 * The request path's BatchGetItem: the happy path against dynalite (which checks the protocol and the
 * signature's shape), the error paths against a scripted endpoint.
 */
let dyn: TestDynalite;
let server: http.Server;
let endpoint: string;
const seen: { headers: http.IncomingHttpHeaders; body: any; text: string }[] = [];
let script: ((body: any) => { status: number; json?: unknown; raw?: string; hang?: boolean })[] = [];

beforeAll(async () => {
  dyn = await startTestDynalite();
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text);
      seen.push({ headers: req.headers, body, text });
      const next = script.shift()?.(body) ?? { status: 500, json: { __type: 'InternalServerError', message: 'unscripted' } };
      if (next.hang) return;
      res.writeHead(next.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(next.raw ?? JSON.stringify(next.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await dyn?.stop();
});

/** SigV4 as AWS documents it (canonical request → string to sign → derived key), computed independently. */
function expectedSignature(headers: http.IncomingHttpHeaders, payload: string, secret: string): string {
  const auth = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=/.exec(
    String(headers.authorization),
  )!;
  const [, day, region, service, signedHeaders] = auth as unknown as [string, string, string, string, string];
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${String(headers[h]).trim()}\n`)
    .join('');
  const hash = (x: string) => createHash('sha256').update(x).digest('hex');
  const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders, hash(payload)].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', headers['x-amz-date'], scope, hash(canonical)].join('\n');
  const hmac = (key: string | Buffer, x: string) => createHmac('sha256', key).update(x).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-never-shown', sessionToken: 'session-token' };
const reader = (timeoutMs?: number) =>
  createBatchGet({ table: 't', region: 'eu-west-3', endpoint, credentials: async () => creds, ...(timeoutMs ? { timeoutMs } : {}) });
const item = (pk: string, sk: string, extra: Record<string, unknown> = {}) => ({ pk: { S: pk }, sk: { S: sk }, ...extra });

describe('batch get', () => {
  it('reads items from dynalite in the order asked, missing ones as undefined, values unmarshalled', async () => {
    await dyn.db.put({ TableName: dyn.table, Item: { pk: 'A', sk: '1', n: 3, l: ['x', 'y'], m: { ok: true } } });
    await dyn.db.put({ TableName: dyn.table, Item: { pk: 'B', sk: '2', s: 'two' } });
    const get = createBatchGet({
      table: dyn.table,
      region: 'us-east-1',
      endpoint: dyn.url,
      credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
    });
    expect(
      await get([
        { pk: 'B', sk: '2' },
        { pk: 'none', sk: 'x' },
        { pk: 'A', sk: '1' },
      ]),
    ).toEqual([{ pk: 'B', sk: '2', s: 'two' }, undefined, { pk: 'A', sk: '1', n: 3, l: ['x', 'y'], m: { ok: true } }]);
    // The table's own Db answers the same through it.
    expect(await dyn.db.getMany([{ pk: 'A', sk: '1' }])).toEqual([{ pk: 'A', sk: '1', n: 3, l: ['x', 'y'], m: { ok: true } }]);
  });

  it('signs with SigV4 for dynamodb in the region, with the session token, consistent reads, the JSON 1.0 target', async () => {
    seen.length = 0;
    script = [() => ({ status: 200, json: { Responses: { t: [item('A', '1')] }, UnprocessedKeys: {} } })];
    await reader()([{ pk: 'A', sk: '1' }]);
    const { headers, body } = seen[0]!;
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.BatchGetItem');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/dynamodb\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(String(headers.authorization).split('Signature=')[1]).toBe(expectedSignature(headers, seen[0]!.text, creds.secretAccessKey));
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(headers.authorization))![1]!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-date', 'x-amz-security-token', 'x-amz-target']));
    expect(JSON.stringify(headers)).not.toContain('secret-never-shown');
    expect(body).toEqual({ RequestItems: { t: { Keys: [{ pk: { S: 'A' }, sk: { S: '1' } }], ConsistentRead: true } } });
  });

  it('asks again for the keys left unprocessed', async () => {
    seen.length = 0;
    script = [
      () => ({
        status: 200,
        json: { Responses: { t: [item('A', '1')] }, UnprocessedKeys: { t: { Keys: [{ pk: { S: 'B' }, sk: { S: '2' } }] } } },
      }),
      () => ({ status: 200, json: { Responses: { t: [item('B', '2')] }, UnprocessedKeys: {} } }),
    ];
    expect(
      await reader()([
        { pk: 'A', sk: '1' },
        { pk: 'B', sk: '2' },
      ]),
    ).toEqual([
      { pk: 'A', sk: '1' },
      { pk: 'B', sk: '2' },
    ]);
    expect(seen.map((s) => s.body.RequestItems.t.Keys.length)).toEqual([2, 1]);
  });

  it('retries throttling and 5xx, then answers 503 database; a client error is not retried', async () => {
    seen.length = 0;
    script = [
      () => ({
        status: 400,
        json: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' },
      }),
      () => ({ status: 500, raw: 'not json' }),
      () => ({ status: 200, json: { Responses: { t: [item('A', '1')] } } }),
    ];
    expect(await reader()([{ pk: 'A', sk: '1' }])).toEqual([{ pk: 'A', sk: '1' }]);
    expect(seen).toHaveLength(3);

    seen.length = 0;
    script = [0, 1, 2].map(() => () => ({ status: 503, json: { __type: 'ServiceUnavailable', message: 'down' } }));
    const down = await reader()([{ pk: 'A', sk: '1' }]).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(DependencyUnavailableError);
    expect(seen).toHaveLength(3);

    seen.length = 0;
    // Neither is a failure of the credentials (no request is even made), nor a cut 200 (asked again).
    const broken = createBatchGet({
      table: 't',
      region: 'eu-west-3',
      endpoint,
      credentials: async () => {
        throw new Error('no credentials');
      },
    });
    expect(((await broken([{ pk: 'A', sk: '1' }]).catch((e: unknown) => e)) as Error).message).toBe('no credentials');
    expect(seen).toHaveLength(0);
    script = [() => ({ status: 200, raw: '{"Responses":' }), () => ({ status: 200, json: { Responses: { t: [item('A', '1')] } } })];
    expect(await reader()([{ pk: 'A', sk: '1' }])).toEqual([{ pk: 'A', sk: '1' }]);
    expect(seen).toHaveLength(2);

    seen.length = 0;
    script = [() => ({ status: 400, json: { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad key' } })];
    const bad = (await reader()([{ pk: 'A', sk: '1' }]).catch((e: unknown) => e)) as DynamoServiceError;
    expect([bad.name, bad.message, bad.status]).toEqual(['ValidationException', 'bad key', 400]);
    expect(seen).toHaveLength(1);
  });

  it('gives up on an endpoint that does not answer (timeout per attempt), and on one that refuses connections', async () => {
    seen.length = 0;
    script = [0, 1, 2].map(() => () => ({ status: 0, hang: true }));
    expect(await reader(100)([{ pk: 'A', sk: '1' }]).catch((e: unknown) => e)).toBeInstanceOf(DependencyUnavailableError);
    expect(seen).toHaveLength(3);
    const closed = createBatchGet({ table: 't', region: 'eu-west-3', endpoint: 'http://127.0.0.1:1', credentials: async () => creds });
    expect(await closed([{ pk: 'A', sk: '1' }]).catch((e: unknown) => e)).toBeInstanceOf(DependencyUnavailableError);
  });

  it("signs exactly as the SDK's own signer (@smithy/signature-v4), with and without a session token", async () => {
    class Sha256 {
      private readonly h;
      constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        this.h =
          secret === undefined
            ? nodeHash('sha256')
            : nodeHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
      }
      update(d: string | ArrayBuffer | ArrayBufferView) {
        this.h.update(typeof d === 'string' ? d : Buffer.from(d as Uint8Array));
      }
      async digest() {
        return new Uint8Array(this.h.digest());
      }
    }
    const when = new Date('2026-11-23T17:03:34.123Z');
    const body = JSON.stringify({
      RequestItems: { t: { Keys: [{ pk: { S: 'SESSION#é' }, sk: { S: 'SESSION' } }], ConsistentRead: true } },
    });
    const headers = {
      host: 'dynamodb.eu-west-3.amazonaws.com',
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.BatchGetItem',
    };
    for (const credentials of [creds, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }]) {
      const sdk = new SignatureV4({ credentials, region: 'eu-west-3', service: 'dynamodb', sha256: Sha256, applyChecksum: false });
      const reference = await sdk.sign(
        { method: 'POST', protocol: 'https:', hostname: headers.host, path: '/', query: {}, headers: { ...headers }, body },
        { signingDate: when },
      );
      const ours = sigV4Headers({ headers, body, region: 'eu-west-3', service: 'dynamodb' }, credentials, when);
      expect(ours.authorization).toBe(reference.headers.authorization);
      expect(ours['x-amz-date']).toBe('20261123T170334Z');
      expect(ours['x-amz-security-token']).toBe(credentials === creds ? 'session-token' : undefined);
    }
  });

  it('knows the public endpoints and the Lambda role credentials of the environment', () => {
    expect(publicEndpoint('eu-west-3', {})).toBe('https://dynamodb.eu-west-3.amazonaws.com');
    expect(publicEndpoint('cn-north-1', {})).toBe('https://dynamodb.cn-north-1.amazonaws.com.cn');
    expect(publicEndpoint('us-east-1', { AWS_USE_FIPS_ENDPOINT: 'true' })).toBe('https://dynamodb-fips.us-east-1.amazonaws.com');
    expect(publicEndpoint('eu-west-3', { AWS_USE_DUALSTACK_ENDPOINT: 'true' })).toBe('https://dynamodb.eu-west-3.api.aws');
    expect(publicEndpoint('eu-west-3', { AWS_ENDPOINT_URL: 'https://x.example', AWS_ENDPOINT_URL_DYNAMODB: 'https://ddb.example' })).toBe(
      'https://ddb.example',
    );
    expect(() => publicEndpoint('us-gov-west-1', {})).toThrow(/AWS_ENDPOINT_URL_DYNAMODB/);
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 'c' })).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 'b',
      sessionToken: 'c',
    });
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: 'a' })).toBeUndefined();
  });
});
