/**
 * The `posix` plugin (§16) owns no route of its own: it owns the POSIX side of users and groups. While it is
 * disabled, a body that sets POSIX fields is refused (422 PLUGIN_DISABLED naming the fields) and the rest of
 * the user / group endpoints work as before.
 */
import { UnprocessableError } from '../core/errors.js';
import { isPluginEnabled } from '../plugins/state.js';
import type { Db } from '../store/dynamo.js';

export const POSIX_USER_FIELDS = [
  'posix',
  'uidNumber',
  'gidNumber',
  'homeDirectory',
  'loginShell',
  'gecos',
  'shadowMax',
  'shadowMin',
  'shadowWarning',
  'shadowInactive',
  'shadowExpire',
] as const;
export const POSIX_GROUP_FIELDS = ['gidNumber'] as const;

export class PluginFieldsDisabledError extends UnprocessableError {
  constructor(plugin: string, fields: string[]) {
    super('PLUGIN_DISABLED', `The plugin '${plugin}' is disabled: ${fields.join(', ')} cannot be set`, {
      plugin,
      field: fields[0],
      fields,
    });
    this.name = 'PluginFieldsDisabledError';
  }
}

/** Throws 422 PLUGIN_DISABLED when `body` sets one of `fields` while the posix plugin is disabled. */
export async function assertPosixFieldsAllowed(db: Db, body: object, fields: readonly string[]): Promise<void> {
  const used = fields.filter((f) => (body as Record<string, unknown>)[f] !== undefined);
  if (used.length && !(await isPluginEnabled(db, 'posix'))) throw new PluginFieldsDisabledError('posix', used);
}
