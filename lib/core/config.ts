import { z } from 'zod';

/**
 * Runtime configuration, validated once per cold start. Every endpoint of a real system is a variable:
 * unset, the embedded offline stack's defaults apply (see README "Configuration").
 */
const Env = z.object({
  STAGE: z.string().default('local'),
  SERVICE_NAME: z.string().default('apibibind'),
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().default('apibibind-local'),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  SFN_ENDPOINT: z.string().url().optional(),
  SQS_ENDPOINT: z.string().url().optional(),
  STATE_MACHINE_ARN_PREFIX: z.string().default('arn:aws:states:us-east-1:000000000000:stateMachine:apibibind-local-'),
  LDAP_URL: z.string().default('ldap://127.0.0.1:3389'),
  LDAP_BASE_DN: z.string().default('dc=example,dc=com'),
  LDAP_BIND_DN: z.string().default('cn=admin,dc=example,dc=com'),
  LDAP_BIND_PASSWORD: z.string().optional(),
  LDAP_STARTTLS: z.enum(['true', 'false']).default('false'),
  LDAP_TLS_CA_FILE: z.string().optional(),
  LDAP_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
  JWT_ISSUER: z.string().default('https://apibibind.local'),
  JWT_AUDIENCE: z.string().default('apibibind'),
  /** JSON array of private JWKs (EC P-256); the first signs, all verify. Unset locally: a dev key is generated and persisted. */
  JWT_PRIVATE_JWKS: z.string().optional(),
  JWT_KEY_FILE: z.string().default('.data/jwt-keys.json'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(1800),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_IP_MAX_FAILURES: z.coerce.number().int().positive().default(50),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  CORS_ORIGINS: z.string().default('*'),
  API_VERSION: z.string().default('v1'),
  APP_VERSION: z.string().default('0.1.0'),
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
