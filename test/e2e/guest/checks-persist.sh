# Data and library state across a vtl restart: persist-write runs in one boot, the host restarts vtl,
# persist-read runs in the next boot. The data is generated deterministically so both boots agree on it.

persist_data() {
  rm -rf /tmp/pdata; mkdir -p /tmp/pdata/p
  perl -e 'srand(20261126); print pack("N*", map { int(rand(4294967296)) } 1 .. 65536)' >/tmp/pdata/p/a.bin
  perl -e 'srand(7); print pack("N*", map { int(rand(4294967296)) } 1 .. 16384)' >/tmp/pdata/p/b.bin
  seq 1 20000 >/tmp/pdata/p/c.txt
  touch -d '2026-11-26 00:00:00' /tmp/pdata/p /tmp/pdata/p/*
  perl -e 'srand(99); print pack("N*", map { int(rand(4294967296)) } 1 .. 262144)' >/tmp/pdata/record.bin
}

# The cartridge moved before the restart goes to the highest-numbered empty storage slot (reported in the note
# for the host to pass back as PERSIST_MOVED_SLOT), which must still hold it after.
last_empty_slot() { cached_status; awk '/Storage Element [0-9]+:Empty/ { s = $0; sub(/.*Storage Element /, "", s); sub(/:.*/, "", s); n = s } END { print n }' /tmp/mtx.status; }

check_persist_write() {
  local bc=${PERSIST_BARCODE:-A00005L8} moved=${PERSIST_MOVED_BARCODE:-A00006L8} T last
  T=$(tape 0)
  persist_data
  load "$bc" 0
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run tar -cf "$T" -b 128 -C /tmp/pdata p
  run dd if=/tmp/pdata/record.bin of="$T" bs=1M
  unload 0
  last=$(last_empty_slot)
  [ -n "$last" ] || fail "no empty storage slot"
  mtxc transfer "$(slot_of "$moved")" "$last" || fail "moving $moved to slot $last failed"
  note "$moved moved to slot $last; tar + 1 MiB record on $bc, sums $(tree_sum /tmp/pdata)"
}

check_persist_read() {
  local bc=${PERSIST_BARCODE:-A00005L8} moved=${PERSIST_MOVED_BARCODE:-A00006L8} T last
  T=$(tape 0)
  persist_data
  last=${PERSIST_MOVED_SLOT:?the host passes the slot persist-write reported}
  [ "$(slot_tag "$last")" = "$moved" ] || fail "after the restart slot $last holds '$(slot_tag "$last")', expected $moved"
  load "$bc" 0
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  rm -rf /tmp/pback; mkdir -p /tmp/pback
  run tar -xf "$T" -b 128 -C /tmp/pback
  [ "$(tree_sum /tmp/pback/p)" = "$(tree_sum /tmp/pdata/p)" ] || fail "tar archive differs after the restart"
  run mt -f "$T" rewind
  run mt -f "$T" fsf 1
  run dd if="$T" of=/tmp/pback/record.bin bs=1M
  cmp /tmp/pback/record.bin /tmp/pdata/record.bin || fail "1 MiB record differs after the restart"
  unload 0
  note "$bc reads back after the restart; $moved still in slot $last"
}
