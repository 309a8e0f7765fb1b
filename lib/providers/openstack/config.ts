/**
 * Configuration of the OpenStack client, and its reading from the standard openrc variables
 * (`OS_AUTH_URL`, `OS_USERNAME`, …) so that a downloaded openrc file works as it is.
 */

export type OpenStackInterface = 'public' | 'internal' | 'admin';

export interface PasswordAuth {
  type: 'password';
  username: string;
  password: string;
  /** User domain name (openrc default `Default`). */
  userDomain: string;
  projectName: string;
  /** Project domain name (openrc default `Default`). */
  projectDomain: string;
}

/** An application credential is already scoped to its project: no scope is sent with it. */
export interface ApplicationCredentialAuth {
  type: 'application_credential';
  id: string;
  secret: string;
}

export interface OpenStackConfig {
  /** Keystone URL; `/v3` is appended when the URL does not end with it (openrc files hold both forms). */
  authUrl: string;
  auth: PasswordAuth | ApplicationCredentialAuth;
  /** Region of the catalog endpoints; unset, the first endpoint of the wanted interface is used. */
  region?: string;
  /** Catalog interface (default `public`). */
  interface?: OpenStackInterface;
  /** Per-request timeout, ms (default 30 000). */
  timeoutMs?: number;
  /** Microversions sent as `OpenStack-API-Version` (defaults: compute 2.79, volume 3.59). */
  microversions?: { compute?: string; volume?: string };
  /** Retries of idempotent calls (GET, DELETE) on 5xx and network errors (default 2 retries, 200 ms base). */
  retry?: { retries?: number; baseDelayMs?: number };
  /** The token is renewed this long before its `expires_at` (default 120 000 ms, as keystoneauth). */
  tokenRenewalMarginMs?: number;
}

export const DEFAULT_MICROVERSIONS = { compute: '2.79', volume: '3.59' } as const;

const INTERFACES: Record<string, OpenStackInterface> = {
  public: 'public',
  publicurl: 'public',
  internal: 'internal',
  internalurl: 'internal',
  admin: 'admin',
  adminurl: 'admin',
};

/** `public`, and the v2-era `publicURL` spelling openrc files still carry. */
export function parseInterface(value: string): OpenStackInterface {
  const found = INTERFACES[value.toLowerCase()];
  if (!found) throw new Error(`Invalid configuration: OS_INTERFACE must be public, internal or admin`);
  return found;
}

/** A microversion variable of python-openstackclient (`OS_COMPUTE_API_VERSION=2.79`); a bare major is ignored. */
function microversion(value: string | undefined): string | undefined {
  return value && /^\d+\.\d+$/.test(value) ? value : undefined;
}

/**
 * Reads the standard openrc variables. An application credential wins over a password when both are set.
 * Missing variables are named in the error; values never are.
 *
 * @example
 * const client = createOpenStackClient(openStackConfigFromEnv());
 */
export function openStackConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OpenStackConfig {
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const missing: string[] = [];
  const need = (name: string) => {
    const v = get(name);
    if (v === undefined) missing.push(name);
    return v ?? '';
  };

  const authUrl = need('OS_AUTH_URL');
  let auth: OpenStackConfig['auth'];
  if (get('OS_APPLICATION_CREDENTIAL_ID') !== undefined || get('OS_AUTH_TYPE') === 'v3applicationcredential') {
    auth = { type: 'application_credential', id: need('OS_APPLICATION_CREDENTIAL_ID'), secret: need('OS_APPLICATION_CREDENTIAL_SECRET') };
  } else {
    auth = {
      type: 'password',
      username: need('OS_USERNAME'),
      password: need('OS_PASSWORD'),
      userDomain: get('OS_USER_DOMAIN_NAME') ?? 'Default',
      projectName: get('OS_PROJECT_NAME') ?? get('OS_TENANT_NAME') ?? need('OS_PROJECT_NAME'),
      projectDomain: get('OS_PROJECT_DOMAIN_NAME') ?? 'Default',
    };
  }
  if (missing.length > 0) throw new Error(`Invalid configuration: ${missing.join(', ')} required`);

  const iface = get('OS_INTERFACE') ?? get('OS_ENDPOINT_TYPE');
  const compute = microversion(get('OS_COMPUTE_API_VERSION'));
  const volume = microversion(get('OS_VOLUME_API_VERSION'));
  return {
    authUrl,
    auth,
    ...(get('OS_REGION_NAME') !== undefined && { region: get('OS_REGION_NAME') }),
    ...(iface !== undefined && { interface: parseInterface(iface) }),
    ...((compute || volume) && { microversions: { ...(compute && { compute }), ...(volume && { volume }) } }),
  };
}
