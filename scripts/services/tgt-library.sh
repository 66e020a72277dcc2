#!/usr/bin/env bash
# Debian's tgt as the physical tape library of the tests (issue 15): a changer with 2 drives, 4 mail slots and 16
# slots holding thin tgtimg cartridges, plus a second target that requires CHAP and offers digests.
#   scripts/services/tgt-library.sh start DIR   # prints VTL_TEST_TGT_* assignments (eval them); tgtd runs on
#   scripts/services/tgt-library.sh stop DIR
# Cartridges (media_home DIR/media): P00000L8-P00013L8 of 256 MiB (VTL_TGT_CARTRIDGE_MB, for the benchmark), S00000L8-S00001L8 of 1 MiB (too small on
# purpose), G00000L8 of 16 MiB (the QEMU guest tier's, test/e2e), in slots 4096-4112. Drives are LUN 1-2 (elements 256-257), the changer LUN 3; LUN 0 is tgt's controller.
# The CHAP target has one drive (LUN 1) holding C00000L8.
set -euo pipefail
cmd=${1:-} dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
iqn=iqn.2026-12.org.vtl.test:physical
chap_iqn=iqn.2026-12.org.vtl.test:physical-chap
chap_user=vtl-physical chap_secret=physical-secret-12
case $cmd in
  start)
    mkdir -p "$dir/media"
    # A control socket nobody else uses (tgtd listens on /var/run/tgtd/socket.N, N below 32768); N from our pid, then
    # the next free one.
    cn=$((1000 + $$ % 30000))
    while [ -e "/var/run/tgtd/socket.$cn" ]; do cn=$((cn + 1)); done
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    adm() { tgtadm -C "$cn" --lld iscsi "$@"; }
    new_cart() { [ -f "$dir/media/$1" ] || tgtimg --op new --device-type tape --barcode "$1" --size "$2" --type data \
      --file "$dir/media/$1" --thin-provisioning >/dev/null; }
    carts=()
    for i in $(seq 0 13); do bc=$(printf 'P%05dL8' "$i"); new_cart "$bc" "${VTL_TGT_CARTRIDGE_MB:-256}"; carts+=("$bc"); done
    for i in 0 1; do bc=$(printf 'S%05dL8' "$i"); new_cart "$bc" 1; carts+=("$bc"); done
    new_cart G00000L8 16; carts+=(G00000L8)
    new_cart C00000L8 16
    new_cart EMPTY0L8 1
    dd if=/dev/zero of="$dir/smc" bs=1k count=1 status=none
    setsid tgtd -C "$cn" -f --iscsi portal="127.0.0.1:$port" >"$dir/tgtd.log" 2>&1 </dev/null &
    echo $! >"$dir/tgtd.pid"
    echo "$cn" >"$dir/tgtd.control"
    # A start that fails half-way must not leave a tgtd behind.
    trap 'bash "$0" stop "$dir"' ERR
    for _ in $(seq 100); do adm --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
    adm --op new --mode target --tid 1 -T "$iqn"
    for lun in 1 2; do
      adm --mode logicalunit --op new --tid 1 --lun "$lun" -b "$dir/media/EMPTY0L8" --device-type tape --bstype ssc
      adm --mode logicalunit --op update --tid 1 --lun "$lun" --params online=0
    done
    adm --mode logicalunit --op new --tid 1 --lun 3 -b "$dir/smc" --device-type changer
    adm --mode logicalunit --op update --tid 1 --lun 3 --params media_home="$dir/media"
    adm --mode logicalunit --op update --tid 1 --lun 3 --params element_type=1,start_address=1,quantity=1
    adm --mode logicalunit --op update --tid 1 --lun 3 --params element_type=4,start_address=256,quantity=2
    for i in 0 1; do
      adm --mode logicalunit --op update --tid 1 --lun 3 --params "element_type=4,address=$((256 + i)),tid=1,lun=$((i + 1))"
    done
    adm --mode logicalunit --op update --tid 1 --lun 3 --params element_type=3,start_address=16,quantity=4
    adm --mode logicalunit --op update --tid 1 --lun 3 --params element_type=2,start_address=4096,quantity=${#carts[@]}
    for i in "${!carts[@]}"; do
      adm --mode logicalunit --op update --tid 1 --lun 3 --params "element_type=2,address=$((4096 + i)),barcode=${carts[$i]},sides=1"
    done
    adm --op bind --mode target --tid 1 -I ALL
    adm --op new --mode target --tid 2 -T "$chap_iqn"
    adm --mode logicalunit --op new --tid 2 --lun 1 -b "$dir/media/C00000L8" --device-type tape --bstype ssc
    adm --op bind --mode target --tid 2 -I ALL
    adm --op new --mode account --user "$chap_user" --password "$chap_secret"
    adm --op bind --mode account --tid 2 --user "$chap_user"
    # tgt's defaults (8 KiB segments, InitialR2T=Yes) would make every stream crawl.
    for tid in 1 2; do
      for kv in MaxRecvDataSegmentLength=262144 MaxXmitDataSegmentLength=262144 FirstBurstLength=262144 \
        MaxBurstLength=16776192 InitialR2T=No ImmediateData=Yes; do
        adm --op update --mode target --tid "$tid" -n "${kv%%=*}" -v "${kv#*=}"
      done
    done
    # The CHAP target also offers CRC32C digests (the initiator's digest test).
    for key in HeaderDigest DataDigest; do adm --op update --mode target --tid 2 -n "$key" -v CRC32C,None; done
    echo "VTL_TEST_TGT_PORTAL=127.0.0.1:$port"
    echo "VTL_TEST_TGT_IQN=$iqn"
    echo "VTL_TEST_TGT_CHAP_IQN=$chap_iqn"
    echo "VTL_TEST_TGT_CHAP_USER=$chap_user"
    echo "VTL_TEST_TGT_CHAP_SECRET=$chap_secret"
    echo "VTL_TEST_TGT_DIR=$dir"
    echo "VTL_TEST_TGT_CONTROL=$cn"
    ;;
  stop)
    if [ -f "$dir/tgtd.pid" ]; then
      pid=$(cat "$dir/tgtd.pid") cn=$(cat "$dir/tgtd.control")
      # tgtd ignores SIGTERM; its own shutdown request is the clean way (targets first), SIGKILL the fallback.
      for tid in 1 2; do tgtadm -C "$cn" --lld iscsi --op delete --mode target --tid "$tid" --force >/dev/null 2>&1 || true; done
      tgtadm -C "$cn" --op delete --mode system >/dev/null 2>&1 || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/tgtd.pid"
    fi
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
