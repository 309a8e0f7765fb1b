import { describe, expect, it } from 'vitest';
import * as z from '../../lib/http/zod.js';
import { OBJECT_TYPE_REGISTRY, findObjectType, registerObjectType, type ObjectTypeDef } from '../../lib/identity/object-types.js';
import { labelLocale, objectForm, type FormField } from '../../lib/identity/object-forms.js';
import { CreateGroupBody } from '../../lib/identity/schemas.js';

const field = (form: ReturnType<typeof objectForm>, name: string): FormField | undefined =>
  form.sections.flatMap((s) => s.fields).find((f) => f.name === name);

describe('object-type registry', () => {
  it('declares user and group as the spec shows them', () => {
    expect(findObjectType('user')).toMatchObject({ label: { fr: 'Utilisateur' }, baseDn: 'ou=people', structuralClass: 'inetOrgPerson' });
    expect(findObjectType('group')).toMatchObject({ label: { fr: 'Groupe' }, baseDn: 'ou=groups', structuralClass: 'groupOfNames' });
    expect(findObjectType('spaceship')).toBeUndefined();
  });

  it('labels only fields its schemas have, and every schema field is labelled (no "other" section)', () => {
    for (const def of OBJECT_TYPE_REGISTRY) {
      const form = objectForm(def);
      expect(form.sections.map((s) => s.id)).not.toContain('other');
      const shown = new Set(form.sections.flatMap((s) => s.fields.map((f) => f.name.split('.').pop()!)));
      for (const s of def.sections) for (const f of s.fields) expect(shown, `${def.name}.${f}`).toContain(f);
      for (const f of form.sections.flatMap((s) => s.fields)) expect(f.label, `${def.name}.${f.name}`).not.toBe(f.name.split('.').pop());
    }
  });
});

describe('generated forms', () => {
  it("gives the user form of the spec's example, from CreateUserBody/UpdateUserBody", () => {
    const form = objectForm(findObjectType('user')!);
    expect(form.type).toBe('user');
    expect(form.sections.map((s) => [s.id, s.label])).toEqual([
      ['personal', 'Informations personnelles'],
      ['account', 'Compte'],
      ['posix', 'Compte POSIX'],
    ]);
    expect(field(form, 'uid')).toEqual({
      name: 'uid',
      type: 'string',
      label: 'Identifiant',
      required: true,
      pattern: '^[a-z][a-z0-9_-]{2,31}$',
      readonly_after_create: true,
    });
    expect(field(form, 'cn')).toMatchObject({ name: 'cn', type: 'string', label: 'Nom complet', required: true });
    expect(field(form, 'mail')).toEqual({ name: 'mail', type: 'email', label: 'Email', required: false });
    expect(field(form, 'userPassword')).toMatchObject({ type: 'password', required: false });
    expect(field(form, 'telephoneNumber')).toMatchObject({ type: 'tel', pattern: '^[+0-9 ().-]{3,32}$' });
    const posix = form.sections.find((s) => s.id === 'posix')!;
    expect(posix).toMatchObject({ path: 'posix', optional: true });
    expect(posix.fields.map((f) => [f.name, f.type, f.required, f.nullable ?? false])).toEqual([
      ['posix.uidNumber', 'integer', true, true],
      ['posix.gidNumber', 'integer', true, true],
      ['posix.homeDirectory', 'string', false, false],
      ['posix.loginShell', 'string', false, false],
      ['posix.gecos', 'string', false, false],
    ]);
    expect(field(form, 'posix.uidNumber')).toMatchObject({ minimum: 0, maximum: 4_294_967_294 });
    expect(field(form, 'cn')!.readonly_after_create).toBeUndefined();
  });

  it('gives the group form: cn read-only after creation, members a list of strings, English labels on request', () => {
    const form = objectForm(findObjectType('group')!, 'en');
    expect(form.sections.map((s) => s.label)).toEqual(['General information', 'POSIX group', 'Members']);
    expect(field(form, 'cn')).toMatchObject({
      label: 'Name',
      required: true,
      pattern: '^[a-z][a-z0-9_.-]{0,63}$',
      readonly_after_create: true,
    });
    expect(field(form, 'gidNumber')).toMatchObject({ type: 'integer', required: false });
    expect(field(form, 'members')).toMatchObject({ type: 'array', items: 'string', required: false });
  });

  it('follows the schemas: a changed schema changes the form (new fields, patterns, required, enums)', () => {
    const v1 = z.object({ name: z.string().check(z.regex(/^[a-z]+$/)), size: z.optional(z.integer()) });
    const def: ObjectTypeDef = {
      name: 'widget',
      label: { fr: 'Gadget', en: 'Widget' },
      icon: 'box',
      baseDn: 'ou=widgets',
      structuralClass: 'device',
      create: v1,
      update: z.object({ name: z.optional(z.unknown().check(z.refine(() => false, 'read-only'))), size: z.optional(z.integer()) }),
      sections: [{ id: 'main', label: { fr: 'Principal', en: 'Main' }, fields: ['name', 'size'] }],
      fields: { name: { label: { fr: 'Nom', en: 'Name' } }, size: { label: { fr: 'Taille', en: 'Size' } } },
    };
    registerObjectType(def);
    expect(findObjectType('widget')).toBe(def);
    const before = objectForm(def);
    expect(before.sections).toEqual([
      {
        id: 'main',
        label: 'Principal',
        fields: [
          { name: 'name', type: 'string', label: 'Nom', required: true, pattern: '^[a-z]+$', readonly_after_create: true },
          { name: 'size', type: 'integer', label: 'Taille', required: false },
        ],
      },
    ]);

    const v2 = z.object({
      name: z.string().check(z.regex(/^[a-z0-9]+$/)),
      size: z.integer(),
      color: z.optional(z.enum(['red', 'blue'])),
    });
    const after = objectForm({ ...def, create: v2, update: undefined });
    expect(after.sections[0]!.fields).toEqual([
      { name: 'name', type: 'string', label: 'Nom', required: true, pattern: '^[a-z0-9]+$' },
      { name: 'size', type: 'integer', label: 'Taille', required: true },
    ]);
    // A field the registry does not know yet still shows, under "other", named by itself.
    expect(after.sections[1]).toEqual({
      id: 'other',
      label: 'Autres',
      fields: [{ name: 'color', type: 'enum', label: 'color', required: false, options: ['red', 'blue'] }],
    });
    OBJECT_TYPE_REGISTRY.splice(OBJECT_TYPE_REGISTRY.indexOf(def), 1);
  });

  it('drops a section whose fields all left the schema', () => {
    const group = findObjectType('group')!;
    const form = objectForm({ ...group, create: z.omit(CreateGroupBody, { members: true }) });
    expect(form.sections.map((s) => s.id)).toEqual(['general', 'posix']);
  });
});

describe('labelLocale', () => {
  it('is French unless English is asked for', () => {
    expect(labelLocale(undefined)).toBe('fr');
    expect(labelLocale('fr-FR,fr;q=0.9')).toBe('fr');
    expect(labelLocale('en')).toBe('en');
    expect(labelLocale('en-US,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(labelLocale('fr;q=0.5,en;q=0.9')).toBe('en');
    expect(labelLocale('de-DE')).toBe('fr');
    expect(labelLocale('ar')).toBe('fr');
  });
});
