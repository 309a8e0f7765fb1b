#!/bin/bash
# Minimal single-node OpenStack Zed control plane from Debian 12 packages,
# bound to 127.0.0.1 only, no systemd.  Idempotent: re-running skips what is
# already installed / configured / running.
#
#   keystone 22 (uwsgi), placement 8 (uwsgi), glance 25 (uwsgi),
#   nova 26 api (uwsgi) + conductor + scheduler + compute (fake.FakeDriver),
#   neutron 21 api (uwsgi) + rpc-server (ML2, no agents),
#   cinder 21 api (uwsgi) + scheduler + volume (backend: see CINDER_BACKEND),
#   MariaDB 10.11, RabbitMQ 3.10 (+ epmd) all on 127.0.0.1.
#
# Env knobs: OS_ADMIN_PASS (default admin), OS_SVC_PASS (default servicepass),
#            CINDER_BACKEND=fake|lvm (default fake), NEUTRON_MECH=fakebind|none
#            (default fakebind), WITH_OCTAVIA=1|0 (default 1: octavia with
#            noop amphora/compute/network drivers), SKIP_INSTALL=1
# PIDs of every started process go to $BASE/run/*.pid ; down.sh stops them.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV || true

T0=$(date +%s.%N)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # this script's folder (rss.sh, down.sh)
BASE=${BASE:-/var/tmp/openstack-dev}
RUN=$BASE/run            # pid files
LOG=$BASE/logs           # daemon logs (uwsgi + eventlet services)
CONF=$BASE/etc           # uwsgi ini files, openrc
mkdir -p "$RUN" "$LOG" "$CONF"
chmod 755 "$BASE" "$RUN" "$CONF"; chmod 1777 "$LOG"
ADMIN_PASS=${OS_ADMIN_PASS:-admin}
SVC_PASS=${OS_SVC_PASS:-servicepass}
DB_PASS=${OS_DB_PASS:-dbpass}
CINDER_BACKEND=${CINDER_BACKEND:-fake}
NEUTRON_MECH=${NEUTRON_MECH:-fakebind}
WITH_OCTAVIA=${WITH_OCTAVIA:-1}
H=127.0.0.1
KS_URL=http://$H:5000/v3
RABBIT_URL="rabbit://guest:guest@$H:5672/"

el() { printf '[%6.1fs] %s\n' "$(echo "$(date +%s.%N) - $T0" | bc)" "$*"; }

########################################################################
# 1. packages
########################################################################
PKGS="mariadb-server rabbitmq-server python3-pymysql bc curl procps openssl
      keystone placement-api glance-api
      nova-api nova-conductor nova-scheduler nova-compute nova-compute-ironic
      neutron-server cinder-api cinder-scheduler cinder-volume
      python3-openstackclient"
[ "$WITH_OCTAVIA" = 1 ] && PKGS="$PKGS octavia-api octavia-worker octavia-health-manager octavia-housekeeping python3-octaviaclient"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ] && [ -z "${SKIP_INSTALL:-}" ]; then
  echo "installing:$missing"
  # keep packages' init scripts from starting anything (no systemd here)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    REMOVE_POLICY_RC=1
  fi
  ti=$(date +%s)
  apt-get update -q
  apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
  echo "apt install took $(( $(date +%s) - ti ))s" | tee "$BASE/install_time.txt"
  [ -n "${REMOVE_POLICY_RC:-}" ] && rm -f /usr/sbin/policy-rc.d
fi
el "packages ok"

########################################################################
# helpers
########################################################################
alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# start_daemon NAME USER CMD ARGS... : run in background, pid -> $RUN/NAME.pid
start_daemon() {
  local name=$1 user=$2; shift 2
  if alive "$name"; then echo "$name already running (pid $(cat "$RUN/$name.pid"))"; return 0; fi
  local envs=()
  while [[ "${1:-}" == *=* ]]; do envs+=("$1"); shift; done
  start-stop-daemon --start --background --make-pidfile --pidfile "$RUN/$name.pid" \
     --chuid "$user" --chdir / --output "$LOG/$name.log" \
     --exec /usr/bin/env -- "${envs[@]}" HOME="$(getent passwd "${user%%:*}" | cut -d: -f6)" "$@"
  echo "started $name pid $(cat "$RUN/$name.pid")"
}

wait_port() { # wait_port PORT TIMEOUT
  local i; for i in $(seq 1 $(( ${2:-60} * 5 ))); do
    (exec 3<>/dev/tcp/$H/$1) 2>/dev/null && return 0; sleep 0.2; done
  echo "port $1 not open after ${2:-60}s"; return 1
}
wait_http() { # wait_http URL TIMEOUT  (any non-5xx HTTP answer)
  local i c; for i in $(seq 1 $(( ${2:-120} * 2 ))); do
    c=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" || true)
    case "$c" in 2*|3*|4*) return 0;; esac; sleep 0.5; done
  echo "$1 not answering after ${2:-120}s (last code $c)"; return 1
}
asuser() { local u=$1; shift; runuser -u "$u" -- "$@"; }
keep_orig() { [ -f "$1" ] && [ ! -f "$1.debian-orig" ] && cp -p "$1" "$1.debian-orig"; return 0; }

# uwsgi app: NAME USER PORT WSGIFILE PROCESSES THREADS [extra ini lines...]
start_uwsgi() {
  local name=$1 user=$2 port=$3 app=$4 procs=$5 threads=$6; shift 6
  cat > "$CONF/$name-uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = $H:$port
wsgi-file = $app
master = true
processes = $procs
threads = $threads
enable-threads = true
lazy-apps = true
die-on-term = true
no-orphans = true
thunder-lock = true
buffer-size = 65535
http-auto-chunked = true
http-chunked-input = true
http-raw-body = true
wsgi-manage-chunked-input = true
add-header = Connection: close
listen = 100
uid = $user
gid = $user
chdir = /var/lib/${user}
name = $name
EOF
  local l; for l in "$@"; do echo "$l" >> "$CONF/$name-uwsgi.ini"; done
  start_daemon "$name" root /usr/bin/uwsgi --ini "$CONF/$name-uwsgi.ini"
}

########################################################################
# 2. MariaDB + RabbitMQ (loopback only)
########################################################################
cat > /etc/mysql/mariadb.conf.d/99-openstack.cnf <<EOF
[mysqld]
bind-address = $H
max_connections = 1000
innodb_buffer_pool_size = 128M
performance_schema = OFF
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
skip-name-resolve
EOF
install -d -o mysql -g mysql -m 755 /run/mysqld
[ -d /var/lib/mysql/mysql ] || mysql_install_db --user=mysql >/dev/null
start_daemon mariadb root /usr/sbin/mariadbd --user=mysql --pid-file=/run/mysqld/mysqld.pid

# RabbitMQ: epmd, AMQP listener and Erlang distribution all on loopback
cat > /etc/rabbitmq/rabbitmq-env.conf <<EOF
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=$H
NODE_PORT=5672
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
cat > /etc/rabbitmq/rabbitmq.conf <<EOF
listeners.tcp.default = $H:5672
loopback_users.guest = true
vm_memory_high_watermark.absolute = 1GB
disk_free_limit.absolute = 50MB
EOF
install -d -o rabbitmq -g rabbitmq /var/log/rabbitmq /var/lib/rabbitmq
start_daemon epmd rabbitmq /usr/bin/epmd -address $H
wait_port 4369 20
start_daemon rabbitmq rabbitmq ERL_EPMD_ADDRESS=$H \
    /usr/lib/rabbitmq/bin/rabbitmq-server
wait_port 3306 60
el "mariadb up"

mysql -u root <<EOF
$(for db in keystone placement glance nova_api nova nova_cell0 neutron cinder octavia; do
   echo "CREATE DATABASE IF NOT EXISTS $db;"; done)
$(for u in keystone placement glance nova neutron cinder octavia; do
   echo "CREATE USER IF NOT EXISTS '$u'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';"
   echo "CREATE USER IF NOT EXISTS '$u'@'localhost' IDENTIFIED BY '$DB_PASS';"; done)
$(for p in keystone:keystone placement:placement glance:glance nova:nova_api nova:nova nova:nova_cell0 neutron:neutron cinder:cinder octavia:octavia; do
   echo "GRANT ALL PRIVILEGES ON ${p#*:}.* TO '${p%%:*}'@'127.0.0.1';"
   echo "GRANT ALL PRIVILEGES ON ${p#*:}.* TO '${p%%:*}'@'localhost';"; done)
FLUSH PRIVILEGES;
EOF
dbu() { echo "mysql+pymysql://$1:$DB_PASS@$H/$2?charset=utf8"; }

########################################################################
# 3. config files (rewritten on every run; Debian originals kept as *.debian-orig)
########################################################################
authtoken() { # authtoken USER
cat <<EOF
[keystone_authtoken]
www_authenticate_uri = http://$H:5000/
auth_url = http://$H:5000/
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SVC_PASS
region_name = RegionOne
EOF
}
svcauth() { # svcauth SECTION USER
cat <<EOF
[$1]
auth_url = http://$H:5000/
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SVC_PASS
region_name = RegionOne
EOF
}

keep_orig /etc/keystone/keystone.conf
cat > /etc/keystone/keystone.conf <<EOF
[DEFAULT]
[database]
connection = $(dbu keystone keystone)
[token]
provider = fernet
[cache]
# in-process cache: without it every token validation costs ~1 s of CPU
# (hundreds of uncached SQL queries for role assignments)
enabled = true
backend = oslo_cache.dict
expiration_time = 600
EOF

keep_orig /etc/placement/placement.conf
cat > /etc/placement/placement.conf <<EOF
[DEFAULT]
[api]
auth_strategy = keystone
[placement_database]
connection = $(dbu placement placement)
$(authtoken placement)
EOF

keep_orig /etc/glance/glance-api.conf
cat > /etc/glance/glance-api.conf <<EOF
[DEFAULT]
bind_host = $H
workers = 1
enabled_backends = fs:file
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = /var/lib/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = /var/lib/glance/os_glance_staging_store/
[os_glance_tasks_store]
filesystem_store_datadir = /var/lib/glance/os_glance_tasks_store/
[database]
connection = $(dbu glance glance)
[paste_deploy]
flavor = keystone
$(authtoken glance)
EOF
install -d -o glance -g glance /var/lib/glance/images /var/lib/glance/os_glance_staging_store /var/lib/glance/os_glance_tasks_store

keep_orig /etc/nova/nova.conf
cat > /etc/nova/nova.conf <<EOF
[DEFAULT]
transport_url = $RABBIT_URL
compute_driver = fake.FakeDriver
my_ip = $H
state_path = /var/lib/nova
instances_path = /var/lib/nova/instances
enabled_apis = osapi_compute
osapi_compute_listen = $H
metadata_listen = $H
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
# single compute host: resize/migrate must be allowed onto the same host
allow_resize_to_same_host = true
[api]
auth_strategy = keystone
[api_database]
connection = $(dbu nova nova_api)
[database]
connection = $(dbu nova nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 5
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[oslo_concurrency]
lock_path = /var/lib/nova/tmp
[vnc]
enabled = false
[glance]
region_name = RegionOne
[cinder]
os_region_name = RegionOne
$(authtoken nova)
$(svcauth service_user nova)
send_service_user_token = true
$(svcauth placement placement)
$(svcauth neutron neutron)
EOF
install -d -o nova -g nova /var/lib/nova/tmp /var/lib/nova/instances

case "$NEUTRON_MECH" in
  fakebind) MECH=fakebind ;;   # tiny driver shipped with this script, see below
  none)     MECH= ;;
  *)        MECH=$NEUTRON_MECH ;;
esac
keep_orig /etc/neutron/neutron.conf
cat > /etc/neutron/neutron.conf <<EOF
[DEFAULT]
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $RABBIT_URL
bind_host = $H
state_path = /var/lib/neutron
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $(dbu neutron neutron)
[oslo_concurrency]
lock_path = /var/lib/neutron/tmp
[ml2]
type_drivers = flat,vlan,vxlan,local
tenant_network_types = vxlan
mechanism_drivers = $MECH
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:200
[ml2_type_vxlan]
vni_ranges = 1:1000
$(authtoken neutron)
$(svcauth nova nova)
EOF
install -d -o neutron -g neutron /var/lib/neutron/tmp

# Optional ~20-line ML2 mechanism driver that "binds" every port (vif_type ovs,
# status ACTIVE) without any agent, so nova can boot servers *with* networks.
# Registered through a dist-info entry point on a private PYTHONPATH.
FB=$BASE/pylib
mkdir -p "$FB/fakebind-1.0.dist-info"
cat > "$FB/fakebind.py" <<'EOF'
from neutron_lib.api.definitions import portbindings
from neutron_lib import constants
from neutron_lib.plugins.ml2 import api


class FakeBindMechanismDriver(api.MechanismDriver):
    """Binds any port on any host, no agent needed (CI only)."""

    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                                {portbindings.CAP_PORT_FILTER: True,
                                 portbindings.OVS_HYBRID_PLUG: False},
                                status=constants.PORT_STATUS_ACTIVE)
            return
EOF
printf 'Metadata-Version: 2.1\nName: fakebind\nVersion: 1.0\n' > "$FB/fakebind-1.0.dist-info/METADATA"
printf '[neutron.ml2.mechanism_drivers]\nfakebind = fakebind:FakeBindMechanismDriver\n' > "$FB/fakebind-1.0.dist-info/entry_points.txt"
chmod -R a+rX "$FB"

# Cinder's FakeLoggingVolumeDriver logs instead of running LVM commands, but it inherits the real
# copy_image_to_volume (qemu-img into /dev/mapper/...), so a volume from an image (and boot from volume)
# ends in error; its fake LVM cannot extend either. This subclass makes those no-ops too (same private PYTHONPATH as fakebind).
cat > "$FB/fakeimage.py" <<'EOF'
from cinder.tests import fake_driver


class FakeImageVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    """FakeLoggingVolumeDriver whose image <-> volume copies do nothing (CI only)."""

    def copy_image_to_volume(self, context, volume, image_service, image_id, disable_sparse=False):
        pass

    def copy_image_to_encrypted_volume(self, context, volume, image_service, image_id):
        pass

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        pass

    def extend_volume(self, volume, new_size):
        # the fake LVM has no extend_volume: the parent's would end the volume in error_extending
        pass
EOF
chmod a+r "$FB/fakeimage.py"

keep_orig /etc/cinder/cinder.conf
case "$CINDER_BACKEND" in
  fake) BACKEND_CONF="[fake]
volume_driver = fakeimage.FakeImageVolumeDriver
volume_backend_name = fake" ;;
  lvm)  BACKEND_CONF="[lvm]
volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
volume_group = cinder-volumes
target_helper = tgtadm
target_ip_address = $H
volume_backend_name = lvm" ;;
esac
cat > /etc/cinder/cinder.conf <<EOF
[DEFAULT]
transport_url = $RABBIT_URL
auth_strategy = keystone
my_ip = $H
osapi_volume_listen = $H
osapi_volume_workers = 1
state_path = /var/lib/cinder
enabled_backends = $CINDER_BACKEND
glance_api_servers = http://$H:9292
[database]
connection = $(dbu cinder cinder)
[oslo_concurrency]
lock_path = /var/lib/cinder/tmp
$(authtoken cinder)
$(svcauth service_user cinder)
send_service_user_token = true
$(svcauth nova nova)
$BACKEND_CONF
EOF
install -d -o cinder -g cinder /var/lib/cinder/tmp

if [ "$WITH_OCTAVIA" = 1 ]; then
keep_orig /etc/octavia/octavia.conf
cat > /etc/octavia/octavia.conf <<EOF
[DEFAULT]
transport_url = $RABBIT_URL
[api_settings]
bind_host = $H
bind_port = 9876
auth_strategy = keystone
enabled_provider_drivers = amphora:'Amphora provider with noop backends'
default_provider_driver = amphora
[database]
connection = $(dbu octavia octavia)
[controller_worker]
# no amphora VMs at all: every backend call is a no-op, objects go ACTIVE
amphora_driver = amphora_noop_driver
compute_driver = compute_noop_driver
network_driver = network_noop_driver
volume_driver = volume_noop_driver
image_driver = image_noop_driver
client_ca = /etc/octavia/certs/ca.pem
loadbalancer_topology = SINGLE
workers = 1
[task_flow]
jobboard_enabled = false
[oslo_messaging]
topic = octavia_prov
[certificates]
# local CA for the (noop) amphora certificates, generated below
ca_certificate = /etc/octavia/certs/ca.pem
ca_private_key = /etc/octavia/certs/ca.key
server_certs_key_passphrase = insecure-key-do-not-use-this-key
[health_manager]
bind_ip = $H
bind_port = 5555
controller_ip_port_list = $H:5555
heartbeat_key = insecure
health_update_threads = 1
stats_update_threads = 1
[oslo_concurrency]
lock_path = /var/lib/octavia/tmp
$(authtoken octavia)
$(svcauth service_auth octavia)
EOF
install -d -o octavia -g octavia /var/lib/octavia/tmp
install -d -o octavia -g octavia -m 700 /etc/octavia/certs
if [ ! -f /etc/octavia/certs/ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj /CN=octavia-local-ca \
     -keyout /etc/octavia/certs/ca.key -out /etc/octavia/certs/ca.pem 2>/dev/null
  chown octavia:octavia /etc/octavia/certs/ca.key /etc/octavia/certs/ca.pem
fi
fi
el "configs written"

########################################################################
# 4. keystone
########################################################################
asuser keystone keystone-manage db_sync
[ -f /etc/keystone/fernet-keys/0 ] || keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone
[ -f /etc/keystone/credential-keys/0 ] || keystone-manage credential_setup --keystone-user keystone --keystone-group keystone
keystone-manage bootstrap --bootstrap-password "$ADMIN_PASS" \
   --bootstrap-admin-url $KS_URL/ --bootstrap-internal-url $KS_URL/ \
   --bootstrap-public-url $KS_URL/ --bootstrap-region-id RegionOne >/dev/null
chown -R keystone:keystone /var/log/keystone /var/lib/keystone
start_uwsgi keystone keystone 5000 /usr/bin/keystone-wsgi-public 1 4
el "keystone db ready, uwsgi started"

# DB schemas of the other services in parallel while keystone starts
pids=()
( asuser placement placement-manage db sync >"$LOG/dbsync-placement.log" 2>&1 ) & pids+=($!)
( asuser glance glance-manage db_sync >"$LOG/dbsync-glance.log" 2>&1 ) & pids+=($!)
( asuser neutron neutron-db-manage --config-file /etc/neutron/neutron.conf upgrade heads >"$LOG/dbsync-neutron.log" 2>&1 ) & pids+=($!)
( asuser cinder cinder-manage db sync >"$LOG/dbsync-cinder.log" 2>&1 ) & pids+=($!)
if [ "$WITH_OCTAVIA" = 1 ]; then
  ( asuser octavia octavia-db-manage upgrade head >"$LOG/dbsync-octavia.log" 2>&1 ) & pids+=($!)
fi
( set -e
  asuser nova nova-manage api_db sync
  asuser nova nova-manage cell_v2 map_cell0 --database_connection "$(dbu nova nova_cell0)"
  # not `list_cells | grep -q`: grep quitting early breaks nova-manage's pipe, and with pipefail a cell1
  # that exists would look missing (create_cell then fails: "already exists for another cell")
  cells=$(asuser nova nova-manage cell_v2 list_cells)
  echo "$cells" | grep -q ' cell1 ' || asuser nova nova-manage cell_v2 create_cell --name=cell1
  asuser nova nova-manage db sync
) >"$LOG/dbsync-nova.log" 2>&1 & pids+=($!)

wait_http http://$H:5000/v3 120
el "keystone answering"

# openrc for the admin
cat > "$BASE/admin-openrc.sh" <<EOF
export OS_AUTH_URL=$KS_URL
export OS_USERNAME=admin
export OS_PASSWORD=$ADMIN_PASS
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_IDENTITY_API_VERSION=3
export OS_INTERFACE=public
EOF

# service project, users, roles, catalog (one python process, idempotent)
/usr/bin/python3 - "$ADMIN_PASS" "$SVC_PASS" "$WITH_OCTAVIA" <<'EOF'
import sys
from keystoneauth1.identity import v3
from keystoneauth1 import session
admin_pass, svc_pass, octavia = sys.argv[1:4]
H = "http://127.0.0.1"
s = session.Session(auth=v3.Password(auth_url=H + ":5000/v3", username="admin",
    password=admin_pass, project_name="admin", user_domain_id="default",
    project_domain_id="default"))
ks = H + ":5000/v3"
def get(path, key, **q):
    return s.get(ks + path, params=q).json()[key]
def ensure(path, key, body, **q):
    r = get(path, key, **q)
    if r:
        return r[0]
    return s.post(ks + path, json={key[:-1]: body}).json()[key[:-1]]
proj = ensure("/projects", "projects", {"name": "service", "domain_id": "default"}, name="service")
admin_role = get("/roles", "roles", name="admin")[0]
svc_role = ensure("/roles", "roles", {"name": "service"}, name="service")
ensure("/roles", "roles", {"name": "member"}, name="member")
users = ["placement", "glance", "nova", "neutron", "cinder"] + (["octavia"] if octavia == "1" else [])
for u in users:
    user = ensure("/users", "users", {"name": u, "domain_id": "default", "password": svc_pass}, name=u)
    s.patch(ks + "/users/" + user["id"], json={"user": {"password": svc_pass}})
    for role in (admin_role, svc_role):
        s.put(ks + "/projects/%s/users/%s/roles/%s" % (proj["id"], user["id"], role["id"]))
catalog = [
    ("placement", "placement", H + ":8778"),
    ("glance", "image", H + ":9292"),
    ("nova", "compute", H + ":8774/v2.1"),
    ("neutron", "network", H + ":9696"),
    ("cinderv3", "volumev3", H + ":8776/v3/%(project_id)s"),
    ("cinder", "block-storage", H + ":8776/v3/%(project_id)s"),
] + ([("octavia", "load-balancer", H + ":9876")] if octavia == "1" else [])
for name, typ, url in catalog:
    svc = ensure("/services", "services", {"name": name, "type": typ}, type=typ)
    for iface in ("public", "internal", "admin"):
        eps = get("/endpoints", "endpoints", service_id=svc["id"], interface=iface)
        if not eps:
            s.post(ks + "/endpoints", json={"endpoint": {"service_id": svc["id"],
                   "interface": iface, "url": url, "region_id": "RegionOne"}})
print("keystone: service users and catalog ok")
EOF
el "keystone catalog ok"

fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
if [ $fail = 1 ]; then tail -n 20 "$LOG"/dbsync-*.log; echo "a db sync failed"; exit 1; fi
el "all db syncs done"

########################################################################
# 5. start the services
########################################################################
wait_port 5672 90   # rabbitmq
start_uwsgi placement placement 8778 /usr/bin/placement-api 1 4
start_uwsgi glance glance 9292 /usr/bin/glance-wsgi-api 1 4
start_uwsgi nova-api nova 8774 /usr/bin/nova-api-wsgi 2 1
start_uwsgi neutron-api neutron 9696 /usr/bin/neutron-api 2 1 \
   "pythonpath = $FB" "pyargv = --config-file=/etc/neutron/neutron.conf"
start_uwsgi cinder-api cinder 8776 /usr/bin/cinder-wsgi 1 4
start_daemon nova-conductor nova /usr/bin/nova-conductor --config-file=/etc/nova/nova.conf
start_daemon nova-scheduler nova /usr/bin/nova-scheduler --config-file=/etc/nova/nova.conf
start_daemon nova-compute nova /usr/bin/nova-compute --config-file=/etc/nova/nova.conf
start_daemon neutron-rpc-server neutron PYTHONPATH=$FB /usr/bin/neutron-rpc-server --config-file=/etc/neutron/neutron.conf
start_daemon cinder-scheduler cinder /usr/bin/cinder-scheduler --config-file=/etc/cinder/cinder.conf
start_daemon cinder-volume cinder PYTHONPATH=$FB /usr/bin/cinder-volume --config-file=/etc/cinder/cinder.conf
if [ "$WITH_OCTAVIA" = 1 ]; then
  start_uwsgi octavia-api octavia 9876 /usr/bin/octavia-wsgi 1 1
  start_daemon octavia-worker octavia /usr/bin/octavia-worker --config-file=/etc/octavia/octavia.conf
  # health-manager / housekeeping are not needed with noop amphorae
fi

for u in http://$H:8778/ http://$H:9292/ http://$H:8774/ http://$H:9696/ http://$H:8776/ $([ "$WITH_OCTAVIA" = 1 ] && echo http://$H:9876/); do
  wait_http "$u" 180
done
el "all REST APIs answering"

# wait for nova-compute to register and be mapped into cell1 + placement
. "$BASE/admin-openrc.sh"
for i in $(seq 1 120); do
  if openstack compute service list --service nova-compute -f value -c State 2>/dev/null | grep -q up; then break; fi
  sleep 1
done
asuser nova nova-manage cell_v2 discover_hosts >/dev/null
for i in $(seq 1 60); do
  n=$(openstack hypervisor list -f value -c ID 2>/dev/null | wc -l)
  [ "$n" -ge 1 ] && break; sleep 1
done
for i in $(seq 1 60); do
  openstack volume service list --service cinder-volume -f value -c State 2>/dev/null | grep -q up && break
  sleep 1
done
el "compute host registered, cinder-volume up: control plane ready"
echo "$(echo "$(date +%s.%N) - $T0" | bc)" > "$BASE/last_up_seconds.txt"

# summary
BASE="$BASE" "$HERE/rss.sh"
cat <<EOF

OpenStack (Zed, Debian 12) is up on 127.0.0.1
  Keystone URL : $KS_URL
  admin user   : admin / $ADMIN_PASS   project admin, domain Default, region RegionOne
  openrc       : . $BASE/admin-openrc.sh
  logs         : $LOG  (and /var/log/rabbitmq)
  stop         : BASE=$BASE $HERE/down.sh
EOF
