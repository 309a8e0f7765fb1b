/**
 * Plugin state in the table (`pk='PLUGIN'`, `sk='<name>'`, `enabled`, `updated_at`, `updated_by`); a plugin
 * with no item has its registry default. `assertPluginEnabled` is what the other areas' handlers call.
 */
import type { AttributeChange } from '../audit/audit.js';
import { NotFoundError, UnprocessableError } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';
import { PLUGINS, pluginDef, type PluginDef, type PluginTab } from './registry.js';

export const PLUGIN_PK = 'PLUGIN';

export class PluginNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('PLUGIN_NOT_FOUND', `Unknown plugin '${name}'`, { plugin: name });
    this.name = 'PluginNotFoundError';
  }
}

/**
 * A disabled plugin's endpoints answer 404 PLUGIN_DISABLED: as if the routes did not exist (the fallback's
 * answer for unknown routes is a 404 too), whoever asks and whatever their rights.
 */
export class PluginDisabledError extends NotFoundError {
  constructor(name: string) {
    super('PLUGIN_DISABLED', `The plugin '${name}' is disabled`, { plugin: name });
    this.name = 'PluginDisabledError';
  }
}

export class PluginRequiredError extends UnprocessableError {
  constructor(name: string) {
    super('PLUGIN_REQUIRED', `The plugin '${name}' cannot be disabled`, { plugin: name });
    this.name = 'PluginRequiredError';
  }
}

export interface PluginView {
  name: string;
  version: string;
  description: string;
  enabled: boolean;
  required: boolean;
  object_types: string[];
  tabs: PluginTab[];
  updated_at?: string;
  updated_by?: string;
}

interface PluginState {
  enabled: boolean;
  updated_at?: string;
  updated_by?: string;
}

function view(def: PluginDef, state: PluginState | undefined): PluginView {
  return {
    name: def.name,
    version: def.version,
    description: def.description,
    enabled: def.required ? true : (state?.enabled ?? def.enabled_by_default),
    required: !!def.required,
    object_types: [...def.object_types],
    tabs: def.tabs.map((t) => ({ ...t })),
    ...(state?.updated_at ? { updated_at: state.updated_at } : {}),
    ...(state?.updated_by ? { updated_by: state.updated_by } : {}),
  };
}

async function readState(db: Db, name: string): Promise<PluginState | undefined> {
  const { Item } = await db.get({ TableName: db.table, Key: { pk: PLUGIN_PK, sk: name }, ConsistentRead: true });
  return Item ? { enabled: Item.enabled === true, updated_at: Item.updated_at, updated_by: Item.updated_by } : undefined;
}

function requireDef(name: string): PluginDef {
  const def = pluginDef(name);
  if (!def) throw new PluginNotFoundError(name);
  return def;
}

export async function listPlugins(db: Db): Promise<PluginView[]> {
  const states = new Map<string, PluginState>();
  for await (const item of db.items({
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': PLUGIN_PK },
  })) {
    states.set(String(item.sk), { enabled: item.enabled === true, updated_at: item.updated_at, updated_by: item.updated_by });
  }
  return PLUGINS.map((p) => view(p, states.get(p.name)));
}

export async function getPlugin(db: Db, name: string): Promise<PluginView> {
  return view(requireDef(name), await readState(db, name));
}

export async function setPluginEnabled(
  db: Db,
  name: string,
  enabled: boolean,
  actorDn: string,
  now = new Date(),
): Promise<{ plugin: PluginView; changes: AttributeChange[] }> {
  const def = requireDef(name);
  if (def.required && !enabled) throw new PluginRequiredError(name);
  const before = view(def, await readState(db, name));
  const state = { enabled, updated_at: now.toISOString(), updated_by: actorDn };
  await db.put({ TableName: db.table, Item: { pk: PLUGIN_PK, sk: name, type: 'plugin', ...state } });
  cache.delete(name);
  const plugin = view(def, state);
  return { plugin, changes: before.enabled === enabled ? [] : [{ attribute: 'enabled', old: before.enabled, new: enabled }] };
}

/** Per-container cache of enabled flags: a change made in another container applies within CACHE_MS. */
const CACHE_MS = 5_000;
const cache = new Map<string, { enabled: boolean; at: number }>();

/** Is the plugin enabled? (cached CACHE_MS per container; unknown names throw PluginNotFoundError) */
export async function isPluginEnabled(db: Db, name: string): Promise<boolean> {
  const def = requireDef(name);
  if (def.required) return true;
  const hit = cache.get(name);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.enabled;
  const enabled = view(def, await readState(db, name)).enabled;
  cache.set(name, { enabled, at: Date.now() });
  return enabled;
}

/**
 * For the handlers of a plugin's endpoints: throws 404 PLUGIN_DISABLED when `name` is disabled. Call it first
 * in the handler (before `ctx.authorize` and any directory read): a disabled plugin's routes answer the
 * same 404 to everyone.
 */
export async function assertPluginEnabled(db: Db, name: string): Promise<void> {
  if (!(await isPluginEnabled(db, name))) throw new PluginDisabledError(name);
}

/** For tests: forget the cached flags. */
export function clearPluginCache(): void {
  cache.clear();
}
