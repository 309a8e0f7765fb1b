/**
 * The plugins of the identity surface (Heracles §16): static metadata (what each plugin manages and which
 * tabs it adds to which object type). Whether a plugin is enabled is state in the table (state.ts).
 */

export interface PluginTab {
  id: string;
  label: string;
  object_type: string;
}

export interface PluginDef {
  name: string;
  version: string;
  description: string;
  /** ACL object types the plugin's endpoints check. */
  object_types: string[];
  tabs: PluginTab[];
  /** Cannot be disabled (the rest of the API stands on it). */
  required?: boolean;
  /** Enabled when no state was ever stored. */
  enabled_by_default: boolean;
}

export const PLUGINS: readonly PluginDef[] = [
  {
    name: 'core',
    version: '1.0.0',
    description: 'Users, groups, ACL, audit and configuration',
    object_types: ['user', 'group', 'acl', 'audit', 'config', 'plugin'],
    tabs: [
      { id: 'user', label: 'User', object_type: 'user' },
      { id: 'group', label: 'Group', object_type: 'group' },
    ],
    required: true,
    enabled_by_default: true,
  },
  {
    name: 'posix',
    version: '1.0.0',
    description: 'POSIX account management',
    object_types: ['user', 'group', 'mixed-group'],
    tabs: [
      { id: 'posix-user', label: 'Unix', object_type: 'user' },
      { id: 'posix-group', label: 'POSIX', object_type: 'group' },
    ],
    enabled_by_default: true,
  },
  {
    name: 'ssh',
    version: '1.0.0',
    description: 'SSH public keys of users (OpenSSH-LPK)',
    object_types: ['ssh-key'],
    tabs: [{ id: 'ssh-keys', label: 'SSH keys', object_type: 'user' }],
    enabled_by_default: true,
  },
  {
    name: 'sudo',
    version: '1.0.0',
    description: 'sudo rules (sudoRole)',
    object_types: ['sudo'],
    tabs: [{ id: 'sudo-user', label: 'Sudo', object_type: 'user' }],
    enabled_by_default: true,
  },
  {
    name: 'systems',
    version: '1.0.0',
    description: 'Servers, workstations, terminals, printers, components, phones and mobiles',
    object_types: ['system'],
    tabs: [{ id: 'system', label: 'System', object_type: 'system' }],
    enabled_by_default: true,
  },
  {
    name: 'dns',
    version: '1.0.0',
    description: 'DNS zones and records (dNSZone)',
    object_types: ['dns'],
    tabs: [{ id: 'dns-host', label: 'DNS', object_type: 'system' }],
    enabled_by_default: true,
  },
  {
    name: 'dhcp',
    version: '1.0.0',
    description: 'ISC DHCP configuration (services, subnets, pools, hosts)',
    object_types: ['dhcp'],
    tabs: [{ id: 'dhcp-host', label: 'DHCP', object_type: 'system' }],
    enabled_by_default: true,
  },
  {
    name: 'mail',
    version: '1.0.0',
    description: 'Mail accounts of users: addresses, forwarding, quota',
    object_types: ['mail'],
    tabs: [{ id: 'mail-user', label: 'Mail', object_type: 'user' }],
    enabled_by_default: true,
  },
  {
    name: 'departments',
    version: '1.0.0',
    description: 'Departments: organizational units with their own people and groups, the scope of delegated ACLs',
    object_types: ['department'],
    tabs: [{ id: 'department', label: 'Department', object_type: 'department' }],
    enabled_by_default: true,
  },
];

const BY_NAME = new Map(PLUGINS.map((p) => [p.name, p]));

export const pluginDef = (name: string): PluginDef | undefined => BY_NAME.get(name);
