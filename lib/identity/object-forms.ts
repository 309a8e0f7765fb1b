/**
 * Form descriptions generated from the zod schemas that validate the endpoints (through their JSON Schema,
 * `z.toJSONSchema`), plus the labels and sections of the object-type registry (object-types.ts).
 *
 * - `type`: the registry's override, else `email` for an e-mail format, else the JSON type (`string`,
 *   `integer`, `number`, `boolean`, `array`, `object`); `enum` values become `options`.
 * - `required`: the schema's `required` (in a nested section: required when the section is given; the
 *   section itself carries `optional: true` when its object may be omitted).
 * - `pattern`, `min_length`, `max_length`, `minimum`, `maximum`: the schema's constraints (no pattern for
 *   e-mails: `type: email` says it).
 * - `nullable`: a required field that accepts null (the server then chooses, e.g. an allocated uidNumber).
 * - `readonly_after_create`: the update schema refuses the field (it declares it with no accepted type).
 */
import * as z from '../http/zod.js';
import { negotiateLocale } from '../http/i18n.js';
import type { Label, ObjectTypeDef, SectionDef } from './object-types.js';

export type LabelLocale = keyof Label;

export interface FormField {
  name: string;
  type: string;
  label: string;
  required: boolean;
  pattern?: string;
  readonly_after_create?: boolean;
  nullable?: boolean;
  min_length?: number;
  max_length?: number;
  minimum?: number;
  maximum?: number;
  options?: unknown[];
  items?: string;
}

export interface FormSection {
  id: string;
  label: string;
  path?: string;
  optional?: boolean;
  fields: FormField[];
}

export interface ObjectForm {
  type: string;
  sections: FormSection[];
}

type Json = Record<string, any>;

const jsonCache = new WeakMap<z.Schema, Json>();
function jsonOf(schema: z.Schema): Json {
  let json = jsonCache.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
    jsonCache.set(schema, json);
  }
  return json;
}

/** `anyOf: [X, {type: null}]` → X, nullable. */
function unwrapNullable(prop: Json): { schema: Json; nullable: boolean } {
  if (Array.isArray(prop.anyOf)) {
    const others = prop.anyOf.filter((s: Json) => s?.type !== 'null');
    if (others.length === 1 && others.length < prop.anyOf.length) return { schema: others[0], nullable: true };
  }
  return { schema: prop, nullable: false };
}

const isRefusal = (prop: Json | undefined) => prop !== undefined && Object.keys(prop).length === 0;

function fieldType(schema: Json, override?: string): string {
  if (override) return override;
  if (schema.format === 'email') return 'email';
  if (Array.isArray(schema.enum)) return 'enum';
  return typeof schema.type === 'string' ? schema.type : 'string';
}

function buildField(
  name: string,
  formName: string,
  prop: Json,
  required: boolean,
  updateProp: Json | undefined,
  def: ObjectTypeDef,
  locale: LabelLocale,
): FormField {
  const { schema, nullable } = unwrapNullable(prop);
  const meta = def.fields[name];
  const type = fieldType(schema, meta?.type);
  const field: FormField = { name: formName, type, label: meta?.label[locale] ?? name, required };
  if (typeof schema.pattern === 'string' && type !== 'email') field.pattern = schema.pattern;
  if (isRefusal(updateProp)) field.readonly_after_create = true;
  if (required && nullable) field.nullable = true;
  if (typeof schema.minLength === 'number') field.min_length = schema.minLength;
  if (typeof schema.maxLength === 'number') field.max_length = schema.maxLength;
  // z.int()'s implicit safe-integer bounds say nothing to a form.
  if (typeof schema.minimum === 'number' && schema.minimum > Number.MIN_SAFE_INTEGER) field.minimum = schema.minimum;
  if (typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER) field.maximum = schema.maximum;
  if (Array.isArray(schema.enum)) field.options = schema.enum;
  if (schema.type === 'array' && typeof schema.items?.type === 'string') field.items = schema.items.type;
  return field;
}

/** The form of an object type, in the given label language. */
export function objectForm(def: ObjectTypeDef, locale: LabelLocale = 'fr'): ObjectForm {
  const create = jsonOf(def.create);
  const props: Record<string, Json> = create.properties ?? {};
  const required = new Set<string>(create.required ?? []);
  const updateProps: Record<string, Json> = def.update ? (jsonOf(def.update).properties ?? {}) : {};
  const placed = new Set<string>();
  const sections: FormSection[] = [];

  const section = (s: SectionDef): FormSection | undefined => {
    let container = props;
    let containerRequired = required;
    let optional = false;
    if (s.path) {
      const nested = unwrapNullable(props[s.path] ?? {}).schema;
      if (nested.type !== 'object') return undefined;
      placed.add(s.path);
      container = nested.properties ?? {};
      containerRequired = new Set(nested.required ?? []);
      optional = !required.has(s.path);
    }
    const fields: FormField[] = [];
    const names = [
      ...s.fields.filter((f) => f in container),
      ...(s.path ? Object.keys(container).filter((f) => !s.fields.includes(f)) : []),
    ];
    for (const name of names) {
      if (!s.path) placed.add(name);
      fields.push(
        buildField(
          name,
          s.path ? `${s.path}.${name}` : name,
          container[name]!,
          containerRequired.has(name),
          updateProps[name],
          def,
          locale,
        ),
      );
    }
    if (fields.length === 0) return undefined;
    return { id: s.id, label: s.label[locale], ...(s.path ? { path: s.path } : {}), ...(optional ? { optional } : {}), fields };
  };

  for (const s of def.sections) {
    const built = section(s);
    if (built) sections.push(built);
  }
  const rest = Object.keys(props).filter((name) => !placed.has(name));
  if (rest.length > 0) {
    sections.push({
      id: 'other',
      label: locale === 'fr' ? 'Autres' : 'Other',
      fields: rest.map((name) => buildField(name, name, props[name]!, required.has(name), updateProps[name], def, locale)),
    });
  }
  return { type: def.name, sections };
}

/**
 * Labels are French (the spec's language) unless the client asks for English first. Other languages of the
 * API (ar, tzm) fall back to French for now.
 */
export function labelLocale(acceptLanguage: string | undefined): LabelLocale {
  if (!acceptLanguage || negotiateLocale(acceptLanguage) !== 'en') return 'fr';
  // negotiateLocale falls back to English when nothing matches: English only when it was asked for.
  return /(^|,)\s*en(-[a-z0-9]+)?\s*(;|,|$)/i.test(acceptLanguage) ? 'en' : 'fr';
}
