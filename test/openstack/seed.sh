#!/bin/bash
# Fixtures the provider contract (test/contract/openstack.contract.ts) expects of a cloud, created on the
# control plane of up.sh the way the simulator seeds them (local/openstack/seed.ts): flavors m1.tiny and
# m1.small, a public image `cirros` (1 MiB raw: the hypervisor is fake), and an external flat network
# `public` with subnet 172.24.4.0/24. Idempotent.
set -euo pipefail
BASE=${BASE:-/var/tmp/openstack-dev}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV || true
. "$BASE/admin-openrc.sh"

exists() { openstack "$@" -f value -c id >/dev/null 2>&1; }

exists flavor show m1.tiny || openstack flavor create --id 1 --vcpus 1 --ram 512 --disk 1 m1.tiny -f value -c id
exists flavor show m1.small || openstack flavor create --id 2 --vcpus 1 --ram 2048 --disk 20 m1.small -f value -c id
if [ -z "$(openstack image list --name cirros --status active -f value -c ID)" ]; then
  head -c 1048576 /dev/zero > "$BASE/cirros.raw"
  openstack image create --disk-format raw --container-format bare --public --file "$BASE/cirros.raw" cirros -f value -c id
fi
if ! exists network show public; then
  openstack network create --external --provider-network-type flat --provider-physical-network public public -f value -c id
fi
exists subnet show public-subnet || openstack subnet create --network public --subnet-range 172.24.4.0/24 --no-dhcp public-subnet -f value -c id
echo "seed ok: m1.tiny, m1.small, cirros, public (external)"
