/** The default cloud: Keystone's admin, OpenStack's classic flavors, cirros and Ubuntu images, a private and an external network. */
import type { Image } from './model.js';
import { defaultSecurityGroup } from './neutron-core.js';
import { addInterface, newRouter } from './neutron-l3.js';
import { newNetwork, newSubnet } from './neutron.js';
import type { Sim } from './sim.js';

export interface SeededCredentials {
  authUrl: string;
  username: string;
  password: string;
  userDomainName: string;
  projectName: string;
  projectDomainName: string;
  projectId: string;
  userId: string;
  applicationCredential: { id: string; name: string; secret: string };
  /** A member (non-admin) of project `demo`. */
  demo: { username: string; password: string; projectName: string; projectId: string };
}

export function seed(sim: Sim): void {
  const st = sim.state;
  st.domains.default = { id: 'default', name: 'Default' };
  const admin = { id: sim.ids.hex(), name: 'admin', domainId: 'default' };
  const demo = { id: sim.ids.hex(), name: 'demo', domainId: 'default' };
  st.projects[admin.id] = admin;
  st.projects[demo.id] = demo;
  const adminUser = {
    id: sim.ids.hex(),
    name: 'admin',
    domainId: 'default',
    password: 'admin',
    roles: { [admin.id]: ['admin', 'member', 'reader'] },
  };
  const demoUser = { id: sim.ids.hex(), name: 'demo', domainId: 'default', password: 'demo', roles: { [demo.id]: ['member', 'reader'] } };
  st.users[adminUser.id] = adminUser;
  st.users[demoUser.id] = demoUser;
  const ac = { id: sim.ids.hex(), name: 'apibibind-local', secret: 'apibibind-local-secret', userId: adminUser.id, projectId: admin.id };
  st.appCredentials[ac.id] = ac;

  for (const [id, name, vcpus, ram, disk] of [
    ['1', 'm1.tiny', 1, 512, 1],
    ['2', 'm1.small', 1, 2048, 20],
    ['3', 'm1.medium', 2, 4096, 40],
    ['4', 'm1.large', 4, 8192, 80],
  ] as const)
    st.flavors[id] = { id, name, vcpus, ram, disk };

  const now = sim.iso();
  const image = (name: string, o: Partial<Image>): void => {
    const id = sim.ids.uuid();
    st.images[id] = {
      id,
      seq: sim.nextSeq(),
      name,
      status: 'active',
      visibility: 'public',
      owner: admin.id,
      disk_format: 'qcow2',
      container_format: 'bare',
      min_disk: 0,
      min_ram: 0,
      size: 0,
      virtual_size: 0,
      checksum: sim.ids.hex(32),
      os_hash_algo: 'sha512',
      os_hash_value: sim.ids.hex(128),
      protected: false,
      os_hidden: false,
      tags: [],
      created_at: now,
      updated_at: now,
      properties: {},
      ...o,
    };
  };
  image('cirros', { min_disk: 1, size: 21430272, virtual_size: 117440512, properties: { os_distro: 'cirros', hw_rng_model: 'virtio' } });
  image('ubuntu-22.04', {
    min_disk: 10,
    min_ram: 512,
    size: 662044672,
    virtual_size: 2361393152,
    properties: { os_distro: 'ubuntu', os_version: '22.04' },
  });

  const pub = newNetwork(sim, admin.id, { name: 'public', 'router:external': true });
  pub.is_default = true;
  const pubSubnet = newSubnet(sim, admin.id, {
    name: 'public-subnet',
    network_id: pub.id,
    ip_version: 4,
    cidr: '172.24.4.0/24',
    enable_dhcp: false,
  });
  const priv = newNetwork(sim, admin.id, { name: 'private' });
  const privSubnet = newSubnet(sim, admin.id, {
    name: 'private-subnet',
    network_id: priv.id,
    ip_version: 4,
    cidr: '10.0.0.0/24',
    dns_nameservers: ['8.8.8.8'],
  });
  const router = newRouter(sim, admin.id, { name: 'router1', external_gateway_info: { network_id: pub.id } });
  addInterface(sim, router, { subnet_id: privSubnet.id });
  void pubSubnet;
  defaultSecurityGroup(sim, admin.id);
  defaultSecurityGroup(sim, demo.id);
}

export function seededCredentials(sim: Sim, authUrl: string): SeededCredentials {
  const st = sim.state;
  const admin = Object.values(st.projects).find((p) => p.name === 'admin')!;
  const demo = Object.values(st.projects).find((p) => p.name === 'demo')!;
  const user = Object.values(st.users).find((u) => u.name === 'admin')!;
  const ac = Object.values(st.appCredentials).find((c) => c.name === 'apibibind-local')!;
  return {
    authUrl,
    username: 'admin',
    password: user.password,
    userDomainName: 'Default',
    projectName: 'admin',
    projectDomainName: 'Default',
    projectId: admin.id,
    userId: user.id,
    applicationCredential: { id: ac.id, name: ac.name, secret: ac.secret },
    demo: { username: 'demo', password: 'demo', projectName: 'demo', projectId: demo.id },
  };
}
