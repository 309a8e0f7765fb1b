/**
 * Settings in the table: one item per setting that differs from its default (`pk='CONFIG'`, `sk='<key>'`,
 * `value`, `updated_at`, `updated_by`). Reading all settings is one query of the partition; a stored value
 * that no longer fits its definition (a range narrowed by a later release) reads as the default.
 */
import type { AttributeChange } from '../audit/audit.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';
import {
  CATEGORIES,
  SETTINGS,
  settingConstraints,
  settingDef,
  settingValueProblem,
  type SettingDef,
  type SettingType,
  type SettingValue,
} from './settings.js';

export const CONFIG_PK = 'CONFIG';

export class ConfigKeyNotFoundError extends NotFoundError {
  constructor(key: string) {
    super('CONFIG_KEY_NOT_FOUND', `Unknown configuration key '${key}'`, { key });
    this.name = 'ConfigKeyNotFoundError';
  }
}

export interface SettingView {
  key: string;
  value: SettingValue;
  default: SettingValue;
  type: SettingType;
  description: string;
  is_default: boolean;
  constraints?: Record<string, unknown>;
  updated_at?: string;
  updated_by?: string;
}

export interface CategoryView {
  id: string;
  label: string;
  settings: SettingView[];
}

interface StoredSetting {
  value: unknown;
  updated_at?: string;
  updated_by?: string;
}

function view(def: SettingDef, stored: StoredSetting | undefined): SettingView {
  const valid = stored !== undefined && settingValueProblem(def, stored.value) === undefined;
  const constraints = settingConstraints(def);
  return {
    key: def.key,
    value: valid ? (stored.value as SettingValue) : def.default,
    default: def.default,
    type: def.type,
    description: def.description,
    is_default: !valid || stored.value === def.default,
    ...(constraints ? { constraints } : {}),
    ...(valid && stored.updated_at ? { updated_at: stored.updated_at } : {}),
    ...(valid && stored.updated_by ? { updated_by: stored.updated_by } : {}),
  };
}

async function storedSettings(db: Db): Promise<Map<string, StoredSetting>> {
  const out = new Map<string, StoredSetting>();
  for await (const item of db.items({
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': CONFIG_PK },
  })) {
    out.set(String(item.sk), { value: item.value, updated_at: item.updated_at, updated_by: item.updated_by });
  }
  return out;
}

async function storedSetting(db: Db, key: string): Promise<StoredSetting | undefined> {
  const { Item } = await db.get({ TableName: db.table, Key: { pk: CONFIG_PK, sk: key }, ConsistentRead: true });
  return Item ? { value: Item.value, updated_at: Item.updated_at, updated_by: Item.updated_by } : undefined;
}

function requireDef(key: string): SettingDef {
  const def = settingDef(key);
  if (!def) throw new ConfigKeyNotFoundError(key);
  return def;
}

/** Every category with its settings (registry order), current values included. */
export async function listConfig(db: Db): Promise<CategoryView[]> {
  const stored = await storedSettings(db);
  return CATEGORIES.map((c) => ({
    id: c.id,
    label: c.label,
    settings: SETTINGS.filter((s) => s.category === c.id).map((s) => view(s, stored.get(s.key))),
  }));
}

export async function getConfig(db: Db, key: string): Promise<SettingView> {
  const def = requireDef(key);
  return view(def, await storedSetting(db, key));
}

/**
 * The current value of a setting, typed by its default (for the other use cases: password rules, number
 * allocation, …). Unknown keys are a programming error and throw.
 */
export async function settingValue<T extends SettingValue>(db: Db, key: string): Promise<T> {
  const def = settingDef(key);
  if (!def) throw new Error(`unknown setting ${key}`);
  return view(def, await storedSetting(db, key)).value as T;
}

/** All current values at once (one query): `{ 'password.min_length': 12, … }`. */
export async function settingValues(db: Db): Promise<Record<string, SettingValue>> {
  const stored = await storedSettings(db);
  return Object.fromEntries(SETTINGS.map((s) => [s.key, view(s, stored.get(s.key)).value]));
}

/** Sets a value (validated against the setting's type and range: 400 naming `body.value`). */
export async function putConfig(
  db: Db,
  key: string,
  value: unknown,
  actorDn: string,
  now = new Date(),
): Promise<{ setting: SettingView; changes: AttributeChange[] }> {
  const def = requireDef(key);
  const problem = settingValueProblem(def, value);
  if (problem) throw new ValidationError([{ field: 'body.value', code: 'invalid_value', message: `${key} ${problem}` }]);
  const before = view(def, await storedSetting(db, key));
  const item = { pk: CONFIG_PK, sk: key, type: 'config', value, updated_at: now.toISOString(), updated_by: actorDn };
  await db.put({ TableName: db.table, Item: item });
  const setting = view(def, item);
  return { setting, changes: before.value === setting.value ? [] : [{ attribute: 'value', old: before.value, new: setting.value }] };
}

/** Back to the default (the stored item is removed). */
export async function resetConfig(db: Db, key: string): Promise<{ setting: SettingView; changes: AttributeChange[] }> {
  const def = requireDef(key);
  const { Attributes } = await db.delete({ TableName: db.table, Key: { pk: CONFIG_PK, sk: key }, ReturnValues: 'ALL_OLD' });
  const before = view(def, Attributes ? { value: Attributes.value } : undefined);
  const setting = view(def, undefined);
  return { setting, changes: before.value === setting.value ? [] : [{ attribute: 'value', old: before.value, new: setting.value }] };
}
