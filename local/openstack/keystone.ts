/**
 * Keystone v3: password and application-credential authentication, the service catalog, token validation
 * and expiry. Services validate `X-Auth-Token` the way keystonemiddleware does (same 401 body everywhere).
 */
import { createHash, randomBytes } from 'node:crypto';
import { header, OsHttpError, reply, Router, type OsRequest, type OsResponse } from './http.js';
import type { Token } from './model.js';
import type { Sim } from './sim.js';
import { isObject } from './util.js';

export const REGION = 'RegionOne';

/** What the catalog advertises; `{project_id}` is substituted per token as Keystone does. */
export const CATALOG_SERVICES = [
  { type: 'identity', name: 'keystone', path: '/identity' },
  { type: 'compute', name: 'nova', path: '/compute/v2.1' },
  { type: 'network', name: 'neutron', path: '/networking' },
  { type: 'block-storage', name: 'cinder', path: '/volume/v3/{project_id}' },
  { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/{project_id}' },
  { type: 'image', name: 'glance', path: '/image' },
  { type: 'load-balancer', name: 'octavia', path: '/load-balancer' },
  { type: 'placement', name: 'placement', path: '/placement' },
] as const;

const keystoneError = (code: number, title: string, message: string, headers?: Record<string, string>): OsHttpError =>
  new OsHttpError({ status: code, body: { error: { code, title, message } }, headers });

export const keystoneFault = (status: number, message: string): OsHttpError =>
  keystoneError(
    status,
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        409: 'Conflict',
        413: 'Request Entity Too Large',
        429: 'Too Many Requests',
        503: 'Service Unavailable',
      } as Record<number, string>
    )[status] ?? 'Internal Server Error',
    message,
  );

const unauthorized = (message = 'The request you have made requires authentication.'): OsHttpError => keystoneFault(401, message);

const badRequest = (what: string): OsHttpError =>
  keystoneFault(
    400,
    `Expecting to find ${what}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );

/** keystonemiddleware's answer for a missing, unknown or expired token. */
export function authenticate(sim: Sim, req: OsRequest): Token {
  const id = header(req, 'x-auth-token');
  const token = id ? sim.state.tokens[id] : undefined;
  if (!token || token.expiresAt <= sim.now()) {
    const err = unauthorized();
    err.response.headers = { 'WWW-Authenticate': `Keystone uri="${req.origin}/identity"` };
    throw err;
  }
  return token;
}

export function createKeystone(sim: Sim): Router {
  const st = () => sim.state;

  const catalog = (origin: string, projectId: string) =>
    CATALOG_SERVICES.map((s, i) => {
      const url = origin + s.path.replace('{project_id}', projectId);
      return {
        id: createHash('md5').update(s.type).digest('hex'),
        type: s.type,
        name: s.name,
        endpoints: (['public', 'internal', 'admin'] as const).map((iface, j) => ({
          id: `${String(i).padStart(16, '0')}${String(j).padStart(16, '0')}`,
          interface: iface,
          region: REGION,
          region_id: REGION,
          url,
        })),
      };
    });

  const tokenBody = (t: Token, origin: string, withCatalog: boolean) => {
    const user = st().users[t.userId]!;
    const userDomain = st().domains[user.domainId]!;
    const body: Record<string, unknown> = {
      methods: t.methods,
      user: { domain: { id: userDomain.id, name: userDomain.name }, id: user.id, name: user.name, password_expires_at: null },
      audit_ids: [t.auditId],
      expires_at: new Date(t.expiresAt).toISOString().replace('Z', '000Z'),
      issued_at: new Date(t.issuedAt).toISOString().replace('Z', '000Z'),
    };
    if (t.projectId) {
      const p = st().projects[t.projectId]!;
      const d = st().domains[p.domainId]!;
      body.project = { domain: { id: d.id, name: d.name }, id: p.id, name: p.name };
      body.is_domain = false;
      body.roles = (user.roles[p.id] ?? []).map((name) => ({ id: roleId(name), name }));
      if (withCatalog) body.catalog = catalog(origin, p.id);
    }
    if (t.appCredentialId) {
      const ac = st().appCredentials[t.appCredentialId]!;
      body.application_credential = { id: ac.id, name: ac.name, restricted: true };
    }
    return { token: body };
  };

  const findDomain = (ref: unknown) => {
    if (!isObject(ref)) return undefined;
    return Object.values(st().domains).find((d) => (ref.id !== undefined ? d.id === ref.id : d.name === ref.name));
  };

  const issue = (req: OsRequest): OsResponse => {
    const auth = isObject(req.body) && isObject(req.body.auth) ? req.body.auth : undefined;
    if (!auth) throw badRequest('auth in request body');
    const identity = auth.identity;
    if (!isObject(identity)) throw badRequest('identity in auth');
    const methods = identity.methods;
    if (!Array.isArray(methods) || methods.length === 0) throw badRequest('methods in identity');
    let userId: string | undefined;
    let projectId: string | undefined;
    let appCredentialId: string | undefined;
    if (methods.includes('application_credential')) {
      const ac = identity.application_credential;
      if (!isObject(ac) || typeof ac.secret !== 'string') throw badRequest('secret in application_credential');
      const found = Object.values(st().appCredentials).find((c) =>
        ac.id !== undefined
          ? c.id === ac.id
          : c.name === ac.name && isObject(ac.user) && (ac.user.id === c.userId || ac.user.name === st().users[c.userId]?.name),
      );
      if (!found || found.secret !== ac.secret) throw unauthorized();
      if (auth.scope !== undefined) throw unauthorized('Application credentials cannot request a scope.');
      userId = found.userId;
      projectId = found.projectId;
      appCredentialId = found.id;
    } else if (methods.includes('password')) {
      const pw = isObject(identity.password) ? identity.password : undefined;
      const u = pw && isObject(pw.user) ? pw.user : undefined;
      if (!u) throw badRequest('user in password');
      const user = Object.values(st().users).find((x) =>
        u.id !== undefined ? x.id === u.id : x.name === u.name && findDomain(u.domain)?.id === x.domainId,
      );
      if (!user || user.password !== u.password) throw unauthorized();
      userId = user.id;
      const scope = auth.scope;
      if (isObject(scope) && isObject(scope.project)) {
        const sp = scope.project;
        const project = Object.values(st().projects).find((p) =>
          sp.id !== undefined ? p.id === sp.id : p.name === sp.name && findDomain(sp.domain)?.id === p.domainId,
        );
        if (!project) throw unauthorized(`Could not find project: ${String(sp.id ?? sp.name)}.`);
        if (!user.roles[project.id]?.length) throw unauthorized(`User ${user.id} has no access to project ${project.id}.`);
        projectId = project.id;
      } else if (scope !== undefined && scope !== 'unscoped') {
        throw keystoneFault(400, 'Only project scope is supported by this simulator.');
      }
    } else {
      throw unauthorized(`Attempted to authenticate with an unsupported method.`);
    }
    const now = sim.now();
    const t: Token = {
      id: 'gAAAAAB' + randomBytes(135).toString('base64url'),
      userId,
      projectId,
      methods: methods.filter((m): m is string => typeof m === 'string'),
      issuedAt: now,
      expiresAt: now + sim.opts.tokenTtlSeconds * 1000,
      auditId: randomBytes(16).toString('base64url').slice(0, 22),
      appCredentialId,
    };
    st().tokens[t.id] = t;
    const nocatalog = req.query.has('nocatalog');
    return reply(201, tokenBody(t, req.origin, !nocatalog), { 'X-Subject-Token': t.id });
  };

  const subject = (req: OsRequest): Token => {
    authenticate(sim, req);
    const id = header(req, 'x-subject-token');
    const t = id ? st().tokens[id] : undefined;
    if (!t || t.expiresAt <= sim.now()) throw keystoneFault(404, `Could not find token: ${id ?? ''}.`);
    return t;
  };

  const versionDoc = (origin: string) => ({
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${origin}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });

  return new Router()
    .on('GET', '/', (req) => reply(300, { versions: { values: [versionDoc(req.origin)] } }))
    .on('GET', '/v3', (req) => reply(200, { version: versionDoc(req.origin) }))
    .on('POST', '/v3/auth/tokens', issue)
    .on('GET', '/v3/auth/tokens', (req) => {
      const t = subject(req);
      return reply(200, tokenBody(t, req.origin, !req.query.has('nocatalog')), { 'X-Subject-Token': t.id });
    })
    .on('HEAD', '/v3/auth/tokens', (req) => reply(200, undefined, { 'X-Subject-Token': subject(req).id }))
    .on('DELETE', '/v3/auth/tokens', (req) => {
      delete st().tokens[subject(req).id];
      return reply(204);
    })
    .on('GET', '/v3/auth/catalog', (req) => {
      const t = authenticate(sim, req);
      if (!t.projectId) throw keystoneFault(403, 'A project-scoped token is required to produce a service catalog.');
      return reply(200, { catalog: catalog(req.origin, t.projectId), links: { self: `${req.origin}/identity/v3/auth/catalog` } });
    })
    .on('GET', '/v3/auth/projects', (req) => {
      const t = authenticate(sim, req);
      const user = st().users[t.userId]!;
      const projects = Object.values(st().projects)
        .filter((p) => user.roles[p.id]?.length)
        .map((p) => ({ id: p.id, name: p.name, domain_id: p.domainId, enabled: true, is_domain: false, description: '' }));
      return reply(200, { projects, links: { self: `${req.origin}/identity/v3/auth/projects`, next: null, previous: null } });
    })
    .on('GET', '/v3/users/:userId/application_credentials', (req, { userId }) => {
      const t = authenticate(sim, req);
      if (t.userId !== userId) throw keystoneFault(403, 'You are not authorized to perform the requested action.');
      const list = Object.values(st().appCredentials)
        .filter((c) => c.userId === userId)
        .map((c) => ({ id: c.id, name: c.name, project_id: c.projectId, user_id: c.userId, expires_at: null, unrestricted: false }));
      return reply(200, { application_credentials: list });
    })
    .on('POST', '/v3/users/:userId/application_credentials', (req, { userId }) => {
      const t = authenticate(sim, req);
      if (t.userId !== userId || !t.projectId) throw keystoneFault(403, 'You are not authorized to perform the requested action.');
      const ac = isObject(req.body) && isObject(req.body.application_credential) ? req.body.application_credential : undefined;
      if (!ac || typeof ac.name !== 'string') throw keystoneFault(400, "Invalid input for field 'name': 'name' is a required property");
      if (Object.values(st().appCredentials).some((c) => c.userId === userId && c.name === ac.name))
        throw keystoneFault(409, `Conflict occurred attempting to store application_credential - Duplicate entry.`);
      const c = {
        id: sim.ids.hex(),
        name: ac.name,
        secret: typeof ac.secret === 'string' ? ac.secret : randomBytes(48).toString('base64url'),
        userId,
        projectId: t.projectId,
      };
      st().appCredentials[c.id] = c;
      return reply(201, {
        application_credential: { ...pickAc(c), secret: c.secret, roles: [], expires_at: null, unrestricted: false, description: null },
      });
    });
}

const pickAc = (c: { id: string; name: string; projectId: string; userId: string }) => ({
  id: c.id,
  name: c.name,
  project_id: c.projectId,
  user_id: c.userId,
});

/** Stable role ids: Keystone's are opaque hex; clients only compare them. */
export const roleId = (name: string): string => Buffer.from(name.padEnd(16, '_')).toString('hex').slice(0, 32);
