#!/usr/bin/env bash
# Development aid, not used by the test run: serves a library shaped like vtl's default from Debian's tgt, so the
# guest, the st/ch binding and the check protocol can be validated independently of vtl.
#   test/e2e/tgt-target.sh start DIR PORT   # tgtd in the background (pid in DIR/tgtd.pid), target ready on return
#   test/e2e/tgt-target.sh stop DIR
# TGT_CHAP_USER / TGT_CHAP_SECRET in the environment turn on CHAP.
# tgt reserves LUN 0 for its controller, so the changer is LUN 5 (drives LUN 1-4); run-guest takes the LUN map.
set -euo pipefail
cmd=$1 dir=$2
cn=7 # tgtd control socket number, away from a system tgtd's 0
iqn=iqn.2026-11.org.vtl:lib0
adm() { tgtadm -C "$cn" --lld iscsi "$@"; }
case $cmd in
  start)
    port=$3
    mkdir -p "$dir/media"
    for i in $(seq 0 19); do
      bc=$(printf 'A%05dL8' "$i")
      size=64
      type=data
      [ "$bc" = A00017L8 ] && size=2 # small cartridge for the end-of-medium check
      [ "$bc" = A00019L8 ] && type=worm
      [ -f "$dir/media/$bc" ] || tgtimg --op new --device-type tape --barcode "$bc" --size "$size" --type "$type" \
        --file "$dir/media/$bc" --thin-provisioning >/dev/null
    done
    dd if=/dev/zero of="$dir/smc" bs=1k count=1 status=none
    tgtd -C "$cn" -f --iscsi portal="127.0.0.1:$port" >"$dir/tgtd.log" 2>&1 &
    echo $! >"$dir/tgtd.pid"
    for _ in $(seq 50); do adm --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
    adm --op new --mode target --tid 1 -T "$iqn"
    for lun in 1 2 3 4; do
      adm --mode logicalunit --op new --tid 1 --lun "$lun" -b "$dir/media/A00000L8" --device-type tape
      adm --mode logicalunit --op update --tid 1 --lun "$lun" --params online=0
    done
    adm --mode logicalunit --op new --tid 1 --lun 5 -b "$dir/smc" --device-type changer
    adm --mode logicalunit --op update --tid 1 --lun 5 --params media_home="$dir/media"
    adm --mode logicalunit --op update --tid 1 --lun 5 --params element_type=1,start_address=1,quantity=1
    adm --mode logicalunit --op update --tid 1 --lun 5 --params element_type=4,start_address=256,quantity=4
    for i in 0 1 2 3; do
      adm --mode logicalunit --op update --tid 1 --lun 5 --params "element_type=4,address=$((256 + i)),tid=1,lun=$((i + 1))"
    done
    adm --mode logicalunit --op update --tid 1 --lun 5 --params element_type=3,start_address=16,quantity=4
    adm --mode logicalunit --op update --tid 1 --lun 5 --params element_type=2,start_address=4096,quantity=24
    for i in $(seq 0 19); do
      adm --mode logicalunit --op update --tid 1 --lun 5 --params "element_type=2,address=$((4096 + i)),barcode=$(printf 'A%05dL8' "$i"),sides=1"
    done
    adm --op bind --mode target --tid 1 -I ALL
    if [ -n "${TGT_CHAP_USER:-}" ]; then # incoming CHAP, as vtl's access.chap
      adm --op new --mode account --user "$TGT_CHAP_USER" --password "$TGT_CHAP_SECRET"
      adm --op bind --mode account --tid 1 --user "$TGT_CHAP_USER"
    fi
    ;;
  stop)
    if [ -f "$dir/tgtd.pid" ]; then
      pid=$(cat "$dir/tgtd.pid")
      # tgtd ignores SIGTERM; its own shutdown request is the clean way, SIGKILL the fallback.
      tgtadm -C "$cn" --op delete --mode system --force >/dev/null 2>&1 || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/tgtd.pid"
    fi
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
