#!/usr/bin/env bash
# A one-node Ceph (monitor, one bluestore OSD on a sparse file, radosgw) under one temporary directory, for the S3
# storage tests. Facts behind the settings: /work/shared/SERVICES-NOTES.md (no cephadm, no systemd, ~7 s).
#   ceph.sh start DIR   starts it and prints `export VTL_TEST_S3_...=...` lines (endpoint, keys, two buckets)
#   ceph.sh stop DIR    stops every daemon it started (SIGTERM, then SIGKILL after 10 s) and removes DIR
#   ceph.sh start-rgw DIR NAME   one more radosgw on the same cluster, on its own port (prints its endpoint): the
#                                outage tests stop and restart their own gateway, never the shared one
#   ceph.sh stop-rgw DIR NAME    stop that gateway
set -euo pipefail
cmd=${1:?usage: ceph.sh start|stop|stop-rgw|start-rgw DIR}
dir=$(realpath -m "${2:?usage: ceph.sh start|stop|stop-rgw|start-rgw DIR}")
cd "$(dirname "$0")/../.." # node resolves @aws-sdk/client-s3 from the repository
conf="$dir/ceph.conf"
access_key=vtltestaccess
secret_key=vtltestsecret0123456789
bucket=vtl-test
lock_bucket=vtl-test-lock

free_port() {
  # A port nobody listens on, from a range the kernel does not hand out as ephemeral ports.
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 12000))
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  echo "no free port" >&2; exit 1
}

daemon() { # name, command...: run in the foreground in its own session, remember its pid
  local name=$1; shift
  setsid "$@" -f >"$dir/log/$name.out" 2>&1 < /dev/null &
  echo $! > "$dir/run/$name.pid"
}

stop_pid() { # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1"
}

wait_http() { # url, name: until that radosgw answers
  for _ in $(seq 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "radosgw did not answer on $1; its log:" >&2; tail -20 "$dir/log/$2.out" >&2; exit 1
}

start_rgw() { # name: a gateway of its own port (kept in DIR/NAME.port across a stop and a start)
  local name=$1 port
  [ -f "$dir/$name.port" ] || free_port > "$dir/$name.port"
  port=$(cat "$dir/$name.port")
  # Already running: starting a second one on its port would leave one that stop-rgw no longer knows.
  if [ -f "$dir/run/$name.pid" ] && kill -0 "$(cat "$dir/run/$name.pid")" 2>/dev/null; then
    echo "http://127.0.0.1:$port"
    return
  fi
  mkdir -p "$dir/$name"
  daemon "$name" radosgw -c "$conf" -n client.rgw --rgw-frontends="beast endpoint=127.0.0.1:$port" --rgw-data="$dir/$name" --admin-socket="$dir/run/$name.asok"
  wait_http "http://127.0.0.1:$port" "$name"
  echo "http://127.0.0.1:$port"
}

case "$cmd" in
start)
  mkdir -p "$dir"/{mon,osd,run,log}
  mon_v2=$(free_port); mon_v1=$(free_port); ms_min=$(free_port)
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat > "$conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind port min = $ms_min
ms bind port max = $((ms_min + 40))
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid.ceph
log file = $dir/log/\$name.log
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
paxos propose interval = 0.1
mon data avail warn = 2
mon data avail crit = 1
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
[client]
ms mon client mode = crc
[client.rgw]
rgw dns name = 127.0.0.1
# Space of removed objects back within a minute, not two hours: repeated benchmark runs on one cluster filled its
# 10 GiB OSD ("1 full osd", every request then hangs) with data already deleted.
rgw gc obj min wait = 60
rgw gc processor period = 30
CONF
  monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >/dev/null
  daemon mon ceph-mon -c "$conf" -i a
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph -c "$conf" osd new "$uuid")
  ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$uuid" >"$dir/log/osd-mkfs.out" 2>&1
  daemon osd ceph-osd -c "$conf" -i "$id"
  endpoint=$(start_rgw rgw)
  radosgw-admin -c "$conf" user create --uid=vtl --display-name=vtl --access-key="$access_key" --secret="$secret_key" >/dev/null
  # The buckets are made by the S3 API itself (Object Lock is a create-time choice there).
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node --input-type=module -e "
    import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
    const s3 = new S3Client({ endpoint: '$endpoint', region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: '$access_key', secretAccessKey: '$secret_key' } });
    await s3.send(new CreateBucketCommand({ Bucket: '$bucket' }));
    await s3.send(new CreateBucketCommand({ Bucket: '$lock_bucket', ObjectLockEnabledForBucket: true }));
  "
  cat <<ENV
export VTL_TEST_S3_ENDPOINT=$endpoint
export VTL_TEST_S3_ACCESS_KEY=$access_key
export VTL_TEST_S3_SECRET_KEY=$secret_key
export VTL_TEST_S3_BUCKET=$bucket
export VTL_TEST_S3_LOCK_BUCKET=$lock_bucket
export VTL_TEST_S3_DIR=$dir
ENV
  ;;
stop)
  for pidfile in "$dir"/run/rgw*.pid; do stop_pid "$pidfile"; done
  stop_pid "$dir/run/osd.pid"
  stop_pid "$dir/run/mon.pid"
  rm -rf "$dir"
  ;;
stop-rgw) stop_pid "$dir/run/rgw-${3:?NAME}.pid" ;;
start-rgw) start_rgw "rgw-${3:?NAME}" ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
