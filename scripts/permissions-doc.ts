/** `npm run docs:permissions`: rewrites docs/permissions.md from the built-in roles (a test keeps it current). */
import { writeFile } from 'node:fs/promises';
import { PERMISSION_MATRIX_MARKDOWN } from '../lib/acl/builtin-roles.js';

export const PERMISSIONS_INTRO = `# Built-in roles and permissions

<!-- Generated from lib/acl/builtin-roles.ts by \`npm run docs:permissions\`; do not edit by hand. -->

ApiBibind authorizes every request with ACL roles whose permissions are \`objectType:letters\`
(c create, r read, w write, d delete, m move, s = only on the caller's own object). Roles are assigned to
users or groups at a scope (global, or a DN with base or subtree semantics) with a priority; the highest
priority wins and, at equal priority, deny beats allow. \`POST /api/v1/acl/check\` answers with the reason.

The six roles of the Dihya RBAC (admin, devops, ops, developer/développeur, auditor/auditeur, guest) ship as
built-in roles. Every role also carries the self-service permissions \`user:rs\`, \`task:rs\`,
\`api-key:crwds\` and \`ssh-key:crwds\` (read your own entry and tasks, manage your own API keys and SSH
keys). The bootstrap admin holds \`admin\`; every authenticated user holds \`guest\`.

`;

export const permissionsDoc = () => `${PERMISSIONS_INTRO}${PERMISSION_MATRIX_MARKDOWN()}\n`;

if (process.argv[1]?.endsWith('permissions-doc.ts')) {
  await writeFile(new URL('../docs/permissions.md', import.meta.url), permissionsDoc());
}
