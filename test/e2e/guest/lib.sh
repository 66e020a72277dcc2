# Helpers for the guest checks (sourced by /vtl/run.sh and by every check's child shell).
# A check is a function that prints what it does, `note`s its result and returns 0, or calls `fail`/`skip`.

RESULTS_PORT=/dev/ttyS1

report() {
  local status=$1 name=$2 detail=${3:-}
  detail=$(printf '%s' "$detail" | tr '\n\r\t' '   ' | cut -c1-300)
  echo "VTLCHECK $status $name $detail"
  echo "VTLCHECK $status $name $detail" >"$RESULTS_PORT"
}

# check NAME FUNCTION [ARGS...]: runs FUNCTION in a child shell with a timeout, echoes its output to the console.
check() {
  local name=$1 rc detail
  shift
  local out="/tmp/check.$name.out" started=$SECONDS
  echo "----- $name: $*"
  rm -f /tmp/mtx.status
  timeout -k 5 "${CHECK_TIMEOUT:-150}" bash -c 'set -u; . /vtl/lib.sh; for f in /vtl/checks-*.sh; do . "$f"; done; "$@"' _ "$@" </dev/null >"$out" 2>&1
  rc=$?
  sed 's/^/  | /' "$out"
  echo "  (exit $rc after $((SECONDS - started)) s)"
  case $rc in
    0) report ok "$name" "$(sed -n 's/^OK: //p' "$out" | tail -n1)" ;;
    77) report skip "$name" "$(sed -n 's/^SKIP: //p' "$out" | tail -n1)" ;;
    124 | 137) report fail "$name" "timed out after ${CHECK_TIMEOUT:-150}s; last output: $(tail -n1 "$out")" ;;
    *)
      detail=$(sed -n 's/^FAIL: //p' "$out" | tail -n1)
      report fail "$name" "${detail:-exit $rc: $(tail -n1 "$out")}"
      ;;
  esac
}

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "OK: $*"; }
# run CMD...: echo and run; the check fails (with the command in the detail) when it fails.
run() { echo "+ $*"; "$@" || fail "'$*' exited with $?"; }
# refuse CMD...: the command must fail.
refuse() {
  echo "+ (must fail) $*"
  if "$@"; then fail "'$*' succeeded but must fail"; fi
  return 0
}

# lsscsi -g for the devices of the guest's own initiator: SCSI ids 8 and up are LUNs attached a second time
# through another initiator name (run-guest.ts secondInitiator), which only the persistent reservation check uses.
lsscsi_primary() { lsscsi -g | awk '{ t = $1; sub(/^\[/, "", t); split(t, a, ":"); if (a[3] + 0 < 8) print }'; }
# lsscsi -g's line for SCSI id $1 (empty when nothing is attached there).
at_id() { lsscsi -g | awk -v id="$1" '{ t = $1; sub(/^\[/, "", t); split(t, a, ":"); if (a[3] + 0 == id) print }'; }
# The sg device of LUN $1 as the second initiator sees it (SCSI id 8 + LUN), empty when not attached.
second_sg() { at_id $((8 + $1)) | awk '{ print $NF }'; }

# Finds the changer and drives; exports CHANGER_SG, CHANGER_CH, TAPES (nst devices) and TAPE_SGS, in LUN order.
discover() {
  # The bus scan and the st/ch/sg attach run asynchronously after modprobe: wait until every device found has its
  # upper driver (lsscsi shows /dev/st* or /dev/sch*) and the count is the expected one, or is stable for 2 s.
  local i n bound last=-1 stable=0 want=$(( ${EXPECT_DRIVES:-0} > 0 ? ${EXPECT_DRIVES:-0} + 1 : 0 ))
  for i in $(seq 1 120); do
    n=$(lsscsi 2>/dev/null | wc -l)
    bound=$(lsscsi -g 2>/dev/null | awk '($2 == "tape" && $(NF - 1) ~ /^\/dev\/st/) || ($2 == "mediumx" && $(NF - 1) ~ /^\/dev\/sch/)' | wc -l)
    if [ "$n" -gt 0 ] && [ "$bound" = "$n" ]; then
      [ "$want" -gt 0 ] && [ "$n" -ge "$want" ] && break
      if [ "$n" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
      [ "$want" = 0 ] && [ "$stable" -ge 4 ] && break
    fi
    last=$n
    sleep 0.5
  done
  lsscsi -g
  CHANGER_SG=$(lsscsi_primary | awk '$2 == "mediumx" { print $NF; exit }')
  CHANGER_CH=$(lsscsi_primary | awk '$2 == "mediumx" { print $(NF - 1); exit }')
  TAPE_SGS=$(lsscsi_primary | awk '$2 == "tape" { print $NF }' | tr '\n' ' ')
  TAPES=$(lsscsi_primary | awk '$2 == "tape" { sub("/dev/st", "/dev/nst", $(NF - 1)); print $(NF - 1) }' | tr '\n' ' ')
  export CHANGER_SG CHANGER_CH TAPE_SGS TAPES
  # Each new I_T nexus starts with a power-on unit attention; consume it so sg3-utils (which do not retry) see
  # the device itself. The kernel's scan only sent INQUIRY, which never reports it.
  local sg
  for sg in $CHANGER_SG $TAPE_SGS; do sg_turs -n 2 "$sg" >/dev/null 2>&1 || true; done
  echo "changer: $CHANGER_SG ($CHANGER_CH); drives: $TAPES ($TAPE_SGS)"
  if [ -z "$CHANGER_SG" ] && [ -z "$TAPE_SGS" ]; then
    report fail discover "no SCSI devices found; see the console for the kernel log"
    dmesg | tail -n 40
    return 1
  fi
  return 0
}

# use_devices CHANGER_ID DRIVE_ID...: the helpers below (mtxc, load, unload, tape...) act on the changer and drives
# at these SCSI ids from here on: another library attached at ids 16 and up (run-guest.ts otherLuns). For a check's
# own shell only: the checks after it find the guest's library again.
use_devices() {
  local changer_id=$1 id sg
  shift
  CHANGER_SG=$(at_id "$changer_id" | awk '$2 == "mediumx" { print $NF }')
  CHANGER_CH=$(at_id "$changer_id" | awk '$2 == "mediumx" { print $(NF - 1) }')
  TAPE_SGS='' TAPES=''
  for id in "$@"; do
    TAPE_SGS="$TAPE_SGS$(at_id "$id" | awk '$2 == "tape" { print $NF }') "
    TAPES="$TAPES$(at_id "$id" | awk '$2 == "tape" { sub("/dev/st", "/dev/nst", $(NF - 1)); print $(NF - 1) }') "
  done
  [ -n "$CHANGER_SG" ] && [ -n "${TAPES// /}" ] || { lsscsi -g; fail "no changer at SCSI id $changer_id or no drive at $*"; }
  rm -f /tmp/mtx.status
  # A new I_T nexus starts with a unit attention (as in discover).
  for sg in $CHANGER_SG $TAPE_SGS; do sg_turs -n 2 "$sg" >/dev/null 2>&1 || true; done
  echo "changer: $CHANGER_SG ($CHANGER_CH); drives: $TAPES ($TAPE_SGS)"
}

lun_of_sg() { lsscsi -g | awk -v sg="$1" '$NF == sg { split($1, a, ":"); sub("]", "", a[3]); print a[3] }'; }
tape() { echo "$TAPES" | awk -v i="$1" '{ print $(i + 1) }'; }
tape_sg() { echo "$TAPE_SGS" | awk -v i="$1" '{ print $(i + 1) }'; }
drive_count() { echo "$TAPES" | wc -w; }

# The element queries below read /tmp/mtx.status, refreshed by every move made through mtxc (and removed before
# each check): one READ ELEMENT STATUS per move instead of one per query keeps the checks quick under TCG.
mtx_status() { mtx -f "$CHANGER_SG" status >/tmp/mtx.status 2>&1 || { cat /tmp/mtx.status; rm -f /tmp/mtx.status; fail "mtx status failed"; }; }
cached_status() { [ -s /tmp/mtx.status ] || mtx_status; }
mtxc() {
  local rc=0
  echo "+ mtx $*"
  mtx -f "$CHANGER_SG" "$@" || rc=$?
  mtx_status
  return $rc
}
# slot_of BARCODE: the storage (or import/export) element number mtx uses for the cartridge, empty if none.
slot_of() {
  cached_status
  awk -v bc="$1" '/^ *Storage Element/ && /:Full/ { t = $0; sub(/.*VolumeTag *= */, "", t); sub(/ *$/, "", t)
    if (t == bc) { s = $0; sub(/.*Storage Element /, "", s); sub(/[ :].*/, "", s); print s; exit } }' /tmp/mtx.status
}
# drive_of BARCODE: the data transfer element holding the cartridge, empty if none.
drive_of() {
  cached_status
  awk -v bc="$1" '/Data Transfer Element/ && /:Full/ { t = $0; sub(/.*VolumeTag *= */, "", t); sub(/ *$/, "", t)
    if (t == bc) { d = $0; sub(/.*Data Transfer Element /, "", d); sub(/:.*/, "", d); print d; exit } }' /tmp/mtx.status
}
# drive_tag N: the barcode in drive N, "Empty", or "Full" when the cartridge has no barcode.
drive_tag() {
  cached_status
  awk -v n="$1" '$0 ~ "^Data Transfer Element " n ":" { if ($0 ~ /:Empty/) print "Empty"; else if ($0 ~ /VolumeTag/) { t = $0; sub(/.*VolumeTag *= */, "", t); sub(/ *$/, "", t); print t } else print "Full"; exit }' /tmp/mtx.status
}
slot_tag() {
  cached_status
  awk -v n="$1" '$0 ~ "^ *Storage Element " n "[ :]" { if ($0 ~ /:Empty/) print "Empty"; else { t = $0; sub(/.*VolumeTag *= */, "", t); sub(/ *$/, "", t); print t }; exit }' /tmp/mtx.status
}
empty_slot() { cached_status; awk '/Storage Element [0-9]+:Empty/ { s = $0; sub(/.*Storage Element /, "", s); sub(/:.*/, "", s); print s; exit }' /tmp/mtx.status; }
full_slots() { cached_status; awk '/Storage Element [0-9]+:Full/ { s = $0; sub(/.*Storage Element /, "", s); sub(/:.*/, "", s); print s }' /tmp/mtx.status; }
mail_slots() { cached_status; awk '/IMPORT\/EXPORT/ { s = $0; sub(/.*Storage Element /, "", s); sub(/ .*/, "", s); print s }' /tmp/mtx.status; }

# wait_ready DEV: st reports ONLINE once the drive has a cartridge and the unit attention is consumed.
wait_ready() {
  local i
  for i in $(seq 1 40); do
    mt -f "$1" status 2>/dev/null | grep -q ONLINE && return 0
    sleep 0.25
  done
  mt -f "$1" status
  fail "$1 did not become ready"
}

# load BARCODE DRIVE: moves the cartridge into the drive (unloading whatever is there) and waits until ready.
load() {
  local bc=$1 d=$2 cur slot
  cur=$(drive_tag "$d")
  [ "$cur" = "$bc" ] && { wait_ready "$(tape "$d")"; return 0; }
  [ "$cur" != Empty ] && unload "$d"
  slot=$(slot_of "$bc")
  [ -n "$slot" ] || fail "cartridge $bc is not in any slot"
  mtxc load "$slot" "$d" || fail "mtx load $slot $d ($bc) failed"
  wait_ready "$(tape "$d")"
}
# unload DRIVE: returns the cartridge to an empty storage slot (st may need the tape rewound/ejected first).
unload() {
  local d=$1 slot
  [ "$(drive_tag "$d")" = Empty ] && return 0
  slot=$(empty_slot)
  mtxc unload "$slot" "$d" || fail "mtx unload $slot $d failed"
}

# pos DEV: "FILE BLOCK" from mt status.
pos() { mt -f "$1" status | sed -n 's/^File number=\([-0-9]*\), block number=\([-0-9]*\).*/\1 \2/p'; }
expect_pos() {
  local got
  got=$(pos "$1")
  [ "$got" = "$2" ] || fail "$1 at file/block '$got', expected '$2'"
}
# expect_file DEV N: after `mt eod` st knows the file number but reports block -1 (it spaced to EOD without
# counting blocks), so only the file number is checked there.
expect_file() {
  local got
  got=$(pos "$1")
  [ "${got% *}" = "$2" ] || fail "$1 at file/block '$got', expected file $2"
}
# tree_sum DIR: one checksum over every file's path and content.
tree_sum() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -c1-16); }
file_sum() { sha256sum "$1" | cut -c1-16; }

# make_data DIR N KIB: N files of KIB random KiB each plus a small text file.
make_data() {
  mkdir -p "$1"
  local i
  for i in $(seq 1 "$2"); do head -c "$(($3 * 1024))" /dev/urandom >"$1/blob$i"; done
  echo "vtl e2e $1" >"$1/README"
}
