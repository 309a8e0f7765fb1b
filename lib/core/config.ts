import * as z from '../http/zod.js';

/** serverless.yml writes '' for a variable that is absent: an empty value means unset. */
const emptyAsUnset = () => z.transform((v: unknown) => (v === '' ? undefined : v));
const optionalUrl = () => z.pipe(emptyAsUnset(), z.optional(z.url()));
const optionalText = () => z.pipe(emptyAsUnset(), z.optional(z.string()));

/**
 * Runtime configuration, validated once per cold start. Every endpoint of a real system is a variable:
 * unset, the embedded offline stack's defaults apply (see README "Configuration").
 */
const Env = z.object({
  STAGE: z._default(z.string(), 'local'),
  SERVICE_NAME: z._default(z.string(), 'apibibind'),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  TABLE_NAME: z._default(z.string(), 'apibibind-local'),
  DYNAMODB_ENDPOINT: optionalUrl(),
  SFN_ENDPOINT: optionalUrl(),
  SQS_ENDPOINT: optionalUrl(),
  STATE_MACHINE_ARN_PREFIX: z._default(z.string(), 'arn:aws:states:us-east-1:000000000000:stateMachine:apibibind-local-'),
  LDAP_URL: z._default(z.string(), 'ldap://127.0.0.1:3389'),
  LDAP_BASE_DN: z._default(z.string(), 'dc=example,dc=com'),
  LDAP_BIND_DN: z._default(z.string(), 'cn=admin,dc=example,dc=com'),
  LDAP_BIND_PASSWORD: optionalText(),
  LDAP_STARTTLS: z._default(z.enum(['true', 'false']), 'false'),
  LDAP_TLS_CA_FILE: optionalText(),
  LDAP_TIMEOUT_MS: z._default(z.coercedInt().check(z.positive()), 5000),
  BOOTSTRAP_ADMIN_PASSWORD: optionalText(),
  JWT_ISSUER: z._default(z.string(), 'https://apibibind.local'),
  JWT_AUDIENCE: z._default(z.string(), 'apibibind'),
  /** JSON array of private JWKs (EC P-256); the first signs, all verify. Unset locally: a dev key is generated and persisted. */
  JWT_PRIVATE_JWKS: optionalText(),
  JWT_KEY_FILE: z._default(z.string(), '.data/jwt-keys.json'),
  ACCESS_TOKEN_TTL_SECONDS: z._default(z.coercedInt().check(z.positive()), 1800),
  REFRESH_TOKEN_TTL_SECONDS: z._default(z.coercedInt().check(z.positive()), 7 * 24 * 3600),
  LOGIN_MAX_FAILURES: z._default(z.coercedInt().check(z.positive()), 5),
  LOGIN_IP_MAX_FAILURES: z._default(z.coercedInt().check(z.positive()), 50),
  LOGIN_WINDOW_SECONDS: z._default(z.coercedInt().check(z.positive()), 300),
  MAX_BODY_BYTES: z._default(z.coercedInt().check(z.positive()), 1_048_576),
  CORS_ORIGINS: z._default(z.string(), '*'),
  API_VERSION: z._default(z.string(), 'v1'),
  APP_VERSION: z._default(z.string(), '0.1.0'),
});

export type Config = z.infer<typeof Env> & { production: boolean };

let cached: Config | undefined;

/** Dev default for the bootstrap admin of the local slapd. Refused in production. */
export const DEV_BOOTSTRAP_ADMIN_PASSWORD = 'admin-dev-password';
export const DEV_LDAP_BIND_PASSWORD = 'ldap-dev-password';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid configuration: ${fields}`);
  }
  const production = ['prod', 'production'].includes(parsed.data.STAGE);
  if (production && !parsed.data.BOOTSTRAP_ADMIN_PASSWORD) {
    throw new Error('Invalid configuration: BOOTSTRAP_ADMIN_PASSWORD is required in production');
  }
  if (production && !parsed.data.JWT_PRIVATE_JWKS) {
    throw new Error('Invalid configuration: JWT_PRIVATE_JWKS is required in production');
  }
  return {
    ...parsed.data,
    LDAP_BIND_PASSWORD: parsed.data.LDAP_BIND_PASSWORD ?? (production ? undefined : DEV_LDAP_BIND_PASSWORD),
    BOOTSTRAP_ADMIN_PASSWORD: parsed.data.BOOTSTRAP_ADMIN_PASSWORD ?? DEV_BOOTSTRAP_ADMIN_PASSWORD,
    production,
  };
}

export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For tests that change the environment. */
export function resetConfig(): void {
  cached = undefined;
}
