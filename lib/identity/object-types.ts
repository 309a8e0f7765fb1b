/**
 * The object types the directory API manages, for `GET /schema/object-types` and the generated forms of
 * `GET /schema/object-types/{type}/form`.
 *
 * An entry names the zod schemas that validate the type's create (and update) endpoints: the form's fields,
 * their types, `required`, `pattern` and `readonly_after_create` are derived from them (lib/identity/
 * object-forms.ts), so a change to a schema changes the form. The entry only adds what a schema cannot say:
 * labels (fr, en), icons, and which section each field belongs to. A schema field that no section lists still
 * appears, in an "other" section.
 *
 * Adding a type (systems, sudo, DNS, DHCP, departments, mail, …): append an entry to OBJECT_TYPE_REGISTRY
 * below, or call `registerObjectType` from the module that declares its schemas.
 */
import type * as z from '../http/zod.js';
import { CreateGroupBody, CreateUserBody, UpdateGroupBody, UpdateUserBody } from './schemas.js';
import { CreateSystemBody, UpdateSystemBody } from './systems/schemas.js';
import { SYSTEM_CLASSES } from './systems/syntax.js';
import { CreateSudoRuleBody, UpdateSudoRuleBody } from './sudo/schemas.js';
import { CreateDepartmentBody, UpdateDepartmentBody } from './departments/schemas.js';

export interface Label {
  fr: string;
  en: string;
}

/** What a form field shows beyond its schema. `type` overrides the derived one (`password`, `tel`, …). */
export interface FieldMeta {
  label: Label;
  type?: string;
}

export interface SectionDef {
  id: string;
  label: Label;
  /** Fields of a nested object of the create body (e.g. `posix`): form names become `posix.uidNumber`. */
  path?: string;
  /** Field names, in display order (relative to `path`). */
  fields: string[];
}

export interface ObjectTypeDef {
  name: string;
  label: Label;
  icon: string;
  /** Container, relative to the base DN. */
  baseDn: string;
  structuralClass: string;
  /** Tabs of the object's detail view (their data may come from other endpoints, e.g. ssh keys). */
  tabs?: string[];
  /** The body schema of the type's create endpoint. */
  create: z.Schema;
  /** The body schema of its update endpoint: a field it refuses is `readonly_after_create`. */
  update?: z.Schema;
  sections: SectionDef[];
  fields: Record<string, FieldMeta>;
}

const l = (fr: string, en: string): Label => ({ fr, en });

const user: ObjectTypeDef = {
  name: 'user',
  label: l('Utilisateur', 'User'),
  icon: 'user',
  baseDn: 'ou=people',
  structuralClass: 'inetOrgPerson',
  tabs: ['personal', 'posix', 'sudo', 'ssh'],
  create: CreateUserBody,
  update: UpdateUserBody,
  sections: [
    {
      id: 'personal',
      label: l('Informations personnelles', 'Personal information'),
      fields: [
        'uid',
        'cn',
        'sn',
        'givenName',
        'displayName',
        'mail',
        'telephoneNumber',
        'mobile',
        'title',
        'employeeNumber',
        'description',
      ],
    },
    { id: 'account', label: l('Compte', 'Account'), fields: ['userPassword', 'department_dn'] },
    {
      id: 'posix',
      label: l('Compte POSIX', 'POSIX account'),
      path: 'posix',
      fields: ['uidNumber', 'gidNumber', 'homeDirectory', 'loginShell', 'gecos'],
    },
  ],
  fields: {
    uid: { label: l('Identifiant', 'Username') },
    cn: { label: l('Nom complet', 'Full name') },
    sn: { label: l('Nom', 'Last name') },
    givenName: { label: l('Prénom', 'First name') },
    displayName: { label: l("Nom d'affichage", 'Display name') },
    mail: { label: l('Email', 'Email') },
    telephoneNumber: { label: l('Téléphone', 'Phone'), type: 'tel' },
    mobile: { label: l('Mobile', 'Mobile'), type: 'tel' },
    title: { label: l('Fonction', 'Job title') },
    employeeNumber: { label: l('Matricule', 'Employee number') },
    description: { label: l('Description', 'Description') },
    userPassword: { label: l('Mot de passe', 'Password'), type: 'password' },
    department_dn: { label: l('Département (DN, vide : la base)', 'Department (DN, empty: the base)') },
    uidNumber: { label: l('UID numérique (vide : attribué)', 'UID number (empty: allocated)') },
    gidNumber: { label: l('GID principal (vide : attribué)', 'Primary GID (empty: allocated)') },
    homeDirectory: { label: l('Répertoire personnel', 'Home directory') },
    loginShell: { label: l('Shell de connexion', 'Login shell') },
    gecos: { label: l('GECOS', 'GECOS') },
  },
};

const group: ObjectTypeDef = {
  name: 'group',
  label: l('Groupe', 'Group'),
  icon: 'users',
  baseDn: 'ou=groups',
  structuralClass: 'groupOfNames',
  create: CreateGroupBody,
  update: UpdateGroupBody,
  sections: [
    { id: 'general', label: l('Informations générales', 'General information'), fields: ['cn', 'description', 'department_dn'] },
    { id: 'posix', label: l('Groupe POSIX', 'POSIX group'), fields: ['gidNumber'] },
    { id: 'members', label: l('Membres', 'Members'), fields: ['members'] },
  ],
  fields: {
    cn: { label: l('Nom', 'Name') },
    description: { label: l('Description', 'Description') },
    gidNumber: { label: l('GID numérique (vide : attribué)', 'GID number (empty: allocated)') },
    members: { label: l('Membres (uid ou DN)', 'Members (uid or DN)') },
    department_dn: { label: l('Département (DN, vide : la base)', 'Department (DN, empty: the base)') },
  },
};

const system: ObjectTypeDef = {
  name: 'system',
  label: l('Système', 'System'),
  icon: 'server',
  baseDn: 'ou=systems',
  // One structural class per system type (hrcServer, hrcWorkstation, …): the form's `type` field chooses it.
  structuralClass: Object.values(SYSTEM_CLASSES).join('|'),
  create: CreateSystemBody,
  update: UpdateSystemBody,
  sections: [
    { id: 'general', label: l('Informations générales', 'General information'), fields: ['cn', 'type', 'description', 'owner'] },
    { id: 'network', label: l('Réseau', 'Network'), fields: ['ipHostNumber', 'macAddress'] },
    { id: 'inventory', label: l('Inventaire', 'Inventory'), fields: ['l', 'serialNumber'] },
  ],
  fields: {
    cn: { label: l('Nom', 'Name') },
    type: { label: l('Type', 'Type') },
    description: { label: l('Description', 'Description') },
    owner: { label: l('Responsable (DN)', 'Owner (DN)') },
    ipHostNumber: { label: l('Adresse IP', 'IP address') },
    macAddress: { label: l('Adresse MAC', 'MAC address') },
    l: { label: l('Emplacement', 'Location') },
    serialNumber: { label: l('Numéro de série', 'Serial number') },
  },
};

const sudo: ObjectTypeDef = {
  name: 'sudo',
  label: l('Règle sudo', 'Sudo rule'),
  icon: 'shield',
  baseDn: 'ou=sudoers',
  structuralClass: 'sudoRole',
  create: CreateSudoRuleBody,
  update: UpdateSudoRuleBody,
  sections: [
    { id: 'general', label: l('Informations générales', 'General information'), fields: ['cn', 'description', 'sudoOrder'] },
    {
      id: 'rule',
      label: l('Règle', 'Rule'),
      fields: ['sudoUser', 'sudoHost', 'sudoCommand', 'sudoRunAsUser', 'sudoRunAsGroup', 'sudoOption'],
    },
    { id: 'validity', label: l('Validité', 'Validity'), fields: ['sudoNotBefore', 'sudoNotAfter'] },
  ],
  fields: {
    cn: { label: l('Nom', 'Name') },
    description: { label: l('Description', 'Description') },
    sudoOrder: { label: l('Ordre', 'Order') },
    sudoUser: { label: l('Utilisateurs', 'Users') },
    sudoHost: { label: l('Hôtes', 'Hosts') },
    sudoCommand: { label: l('Commandes', 'Commands') },
    sudoRunAsUser: { label: l('Exécuter en tant que (utilisateurs)', 'Run as users') },
    sudoRunAsGroup: { label: l('Exécuter en tant que (groupes)', 'Run as groups') },
    sudoOption: { label: l('Options', 'Options') },
    sudoNotBefore: { label: l('Valide à partir du', 'Valid from'), type: 'datetime' },
    sudoNotAfter: { label: l("Valide jusqu'au", 'Valid until'), type: 'datetime' },
  },
};

const department: ObjectTypeDef = {
  name: 'department',
  label: l('Département', 'Department'),
  icon: 'building',
  // Directly under the base (or under a parent department: `parent_dn`).
  baseDn: '',
  structuralClass: 'organizationalUnit',
  create: CreateDepartmentBody,
  update: UpdateDepartmentBody,
  sections: [
    {
      id: 'general',
      label: l('Informations générales', 'General information'),
      fields: ['ou', 'description', 'code', 'manager', 'parent_dn'],
    },
  ],
  fields: {
    ou: { label: l('Nom', 'Name') },
    description: { label: l('Description', 'Description') },
    code: { label: l('Code', 'Code') },
    manager: { label: l('Responsable (DN)', 'Manager (DN)') },
    parent_dn: { label: l('Département parent (DN)', 'Parent department (DN)') },
  },
};

/** The registry, in listing order. */
export const OBJECT_TYPE_REGISTRY: ObjectTypeDef[] = [user, group, system, sudo, department];

/** Adds (or replaces, by name) an object type. */
export function registerObjectType(def: ObjectTypeDef): void {
  const i = OBJECT_TYPE_REGISTRY.findIndex((t) => t.name === def.name);
  if (i >= 0) OBJECT_TYPE_REGISTRY[i] = def;
  else OBJECT_TYPE_REGISTRY.push(def);
}

export function findObjectType(name: string): ObjectTypeDef | undefined {
  return OBJECT_TYPE_REGISTRY.find((t) => t.name === name);
}
