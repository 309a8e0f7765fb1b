import { platform, type Platform } from '../platform.js';
import { assertPluginEnabled } from '../plugins/state.js';
import { createIdentityDeps, type IdentityDeps } from './deps.js';

let deps: IdentityDeps | undefined;

/**
 * The platform and the identity use cases' dependencies, built once per container. With `plugin` (the
 * handlers of a plugin's endpoints: systems, sudo, ssh, dns, dhcp, mail, departments) it first throws 404
 * PLUGIN_DISABLED while that plugin is disabled, before any ACL check or directory read, so a disabled
 * plugin's routes answer the same to everyone. Call it first in such a handler.
 */
export async function identity(plugin?: string): Promise<{ p: Platform; d: IdentityDeps }> {
  const p = await platform();
  if (plugin) await assertPluginEnabled(p.db, plugin);
  deps ??= createIdentityDeps(p.cfg, p.db);
  return { p, d: deps };
}
