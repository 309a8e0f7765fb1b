// The contract of the SSH key routes (Heracles §7), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { UidParams } from '../../../lib/identity/schemas.js';
import { AddSshKeyBody, SSH_KEY_TYPE_LIST, SshKeyList, SshKeyParams, SshKeyView } from '../../../lib/identity/ssh-keys/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const userNotFound = { description: 'USER_NOT_FOUND (details: uid, search_base)', schema: ErrorBody };

export const listSshKeys = routeSpec({
  method: 'GET',
  path: '/api/v1/users/{uid}/ssh-keys',
  summary:
    "A user's SSH public keys (OpenSSH-LPK sshPublicKey). id = fingerprint `SHA256:…`; added_at is when the API added the key, else the entry's last change",
  tags: ['ssh-keys'],
  permission: 'ssh-key:r',
  scoped: true,
  params: UidParams,
  responses: { 200: { description: 'The keys', schema: SshKeyList }, 403: denied, 404: userNotFound },
});

export const addSshKey = routeSpec({
  method: 'POST',
  path: '/api/v1/users/{uid}/ssh-keys',
  summary: `Add an OpenSSH public key line (\`<type> <base64> [comment]\`, no options prefix; types: ${SSH_KEY_TYPE_LIST}; RSA ≥ 2048 bits)`,
  tags: ['ssh-keys'],
  permission: 'ssh-key:c',
  scoped: true,
  params: UidParams,
  body: AddSshKeyBody,
  responses: {
    201: { description: 'The key', schema: SshKeyView },
    400: { description: 'VALIDATION_ERROR, INVALID_SSH_KEY (details.reason)', schema: ErrorBody },
    403: denied,
    404: userNotFound,
    409: { description: 'SSH_KEY_EXISTS (same fingerprint, whatever the comment)', schema: ErrorBody },
  },
});

export const deleteSshKey = routeSpec({
  method: 'DELETE',
  path: '/api/v1/users/{uid}/ssh-keys/{id}',
  summary: 'Remove a key by its fingerprint (URL-encoded; the `SHA256:` prefix is optional, base64url accepted)',
  tags: ['ssh-keys'],
  permission: 'ssh-key:d',
  scoped: true,
  params: SshKeyParams,
  responses: {
    204: { description: 'Removed' },
    403: denied,
    404: { description: 'USER_NOT_FOUND, SSH_KEY_NOT_FOUND', schema: ErrorBody },
  },
});
