# Immutability seen from the host: a short retention lock that expires, a read-only (restore) initiator, and a
# cartridge in the vault that the changer no longer shows. The locks and the access list come from e2e.test.ts's
# config; the vault move is made through the API between the boots.

# A policy of EXPIRY_SECONDS counted from the last unload covers EXPIRY_BARCODE: after an unload a rewrite from the
# beginning is refused, and once the seconds have passed the same rewrite goes through.
check_retention_expiry() {
  local bc=${EXPIRY_BARCODE:-} secs=${EXPIRY_SECONDS:-45} d T unloaded waited
  [ -n "$bc" ] || skip "no EXPIRY_BARCODE given"
  d=$(media_drive); T=$(tape "$d")
  for i in 0 1; do [ -d "/tmp/data/set$i" ] || make_data "/tmp/data/set$i" 2 192; done
  load "$bc" "$d"
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run tar -cf "$T" -b 128 -C /tmp/data set0
  unload "$d"
  unloaded=$SECONDS
  load "$bc" "$d"
  run mt -f "$T" rewind
  refuse tar -cf "$T" -b 128 -C /tmp/data set1
  [ $((SECONDS - unloaded)) -lt "$secs" ] || fail "the refusal came only after the lock's $secs s; raise EXPIRY_SECONDS"
  waited=$((secs + 3 - (SECONDS - unloaded)))
  echo "+ sleep $waited (until the lock has expired)"
  sleep "$waited"
  run mt -f "$T" rewind
  run tar -cf "$T" -b 128 -C /tmp/data set1
  run mt -f "$T" rewind
  rm -rf /tmp/expired; mkdir -p /tmp/expired
  run tar -xf "$T" -b 128 -C /tmp/expired
  [ "$(tree_sum /tmp/expired/set1)" = "$(tree_sum /tmp/data/set1)" ] || fail "the rewritten archive differs"
  [ ! -e /tmp/expired/set0 ] || fail "the old archive is still first on the cartridge"
  unload "$d"
  note "a rewrite refused within the ${secs} s lock after unload, accepted once it expired; the new archive extracts"
}

# The last drive is also attached through the second initiator name, which the config marks read-only: it reads
# what the guest's own initiator wrote, and every change it asks for is DATA PROTECT.
check_read_only_initiator() {
  local lun=${1:-4} bc=${READ_ONLY_BARCODE:-} d T b out
  [ -n "$bc" ] || skip "no READ_ONLY_BARCODE given"
  d=$((lun - 1)); T=$(tape "$d"); b=$(second_sg "$lun")
  [ -n "$T" ] || fail "drive $d (LUN $lun) has no st device"
  [ -n "$b" ] || fail "LUN $lun is not attached through the second initiator"
  head -c 512 /dev/urandom >/tmp/ro.rec
  load "$bc" "$d"
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run dd if=/tmp/ro.rec of="$T" bs=512 count=1
  run mt -f "$T" rewind
  sg_turs -n 3 "$b" >/dev/null 2>&1 || true
  # READ(6), variable block, 512 bytes: the read-only nexus reads the record.
  run sg_raw -r 512 -o /tmp/ro.back "$b" 08 00 00 02 00 00
  [ "$(file_sum /tmp/ro.back)" = "$(file_sum /tmp/ro.rec)" ] || fail "the read-only initiator read other bytes"
  # WRITE FILEMARKS(6) of one filemark and WRITE(6) of 512 bytes: both refused with DATA PROTECT.
  out=$(sg_raw "$b" 10 00 00 00 01 00 2>&1); echo "$out"
  echo "$out" | grep -qi 'data protect' || fail "WRITE FILEMARKS from the read-only initiator was not refused with DATA PROTECT"
  out=$(sg_raw -s 512 -i /tmp/ro.rec "$b" 0a 00 00 02 00 00 2>&1); echo "$out"
  echo "$out" | grep -qi 'data protect' || fail "WRITE from the read-only initiator was not refused with DATA PROTECT"
  # The guest's own initiator still reads the one record it wrote: nothing was cut or added.
  run mt -f "$T" rewind
  run dd if="$T" of=/tmp/ro.again bs=512 count=1
  [ "$(file_sum /tmp/ro.again)" = "$(file_sum /tmp/ro.rec)" ] || fail "the record changed"
  unload "$d"
  note "LUN $lun: the read-only nexus $b read the record; WRITE and WRITE FILEMARKS answered DATA PROTECT"
}

# VAULTED_BARCODE was sent to the vault through the API before this boot: no element holds it any more.
check_vault_hidden() {
  local bc=${VAULTED_BARCODE:-}
  [ -n "$bc" ] || skip "no VAULTED_BARCODE given"
  mtx_status
  cat /tmp/mtx.status
  grep -q "VolumeTag *= *$bc" /tmp/mtx.status && fail "mtx status still shows $bc"
  grep -q "VolumeTag" /tmp/mtx.status || fail "mtx status shows no barcode at all"
  [ -z "$(slot_of "$bc")" ] || fail "$bc still has a slot"
  note "$bc is in no element of mtx status"
}
