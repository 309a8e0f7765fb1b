import { platform, type Platform } from '../platform.js';
import { createIdentityDeps, type IdentityDeps } from './deps.js';

let deps: IdentityDeps | undefined;

/** The platform and the identity use cases' dependencies, built once per container. */
export async function identity(): Promise<{ p: Platform; d: IdentityDeps }> {
  const p = await platform();
  deps ??= createIdentityDeps(p.cfg, p.db);
  return { p, d: deps };
}
