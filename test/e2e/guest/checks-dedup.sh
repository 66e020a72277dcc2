# Deduplication (issue 17) on the second library, lib1, which deduplicates (lib0 does not: the partitions check needs
# a plain cartridge). Its changer and drive are attached at the SCSI ids in DEDUP_DEVICES. Boot 1 writes the same
# tar archive to the two cartridges of DEDUP_BARCODES and extracts both; the host then runs the background pass and
# checks through the API that the second is stored almost for free; boot 2 extracts both again, from their recipes.
# The files are generated deterministically, so both boots agree on them.

dedup_data() {
  rm -rf /tmp/ddata; mkdir -p /tmp/ddata/d
  perl -e 'srand(17); print pack("N*", map { int(rand(4294967296)) } 1 .. 1048576)' >/tmp/ddata/d/random.bin
  seq 1 300000 >/tmp/ddata/d/numbers.txt
  touch -d '2026-11-26 00:00:00' /tmp/ddata/d /tmp/ddata/d/*
}

dedup_library() {
  [ -n "${DEDUP_DEVICES:-}" ] && [ -n "${DEDUP_BARCODES:-}" ] || skip "no DEDUP_DEVICES/DEDUP_BARCODES given"
  # shellcheck disable=SC2086 # the SCSI ids are separate arguments
  use_devices $DEDUP_DEVICES
}

# dedup_extract BARCODE: the archive on the cartridge extracts to the generated files.
dedup_extract() {
  local T
  T=$(tape 0)
  load "$1" 0
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  rm -rf /tmp/dback; mkdir -p /tmp/dback
  run tar -xf "$T" -b 128 -C /tmp/dback
  [ "$(tree_sum /tmp/dback/d)" = "$(tree_sum /tmp/ddata/d)" ] || fail "the archive on $1 extracts differently"
  unload 0
}

check_dedup_write() {
  local T bc
  dedup_library
  T=$(tape 0)
  dedup_data
  for bc in $DEDUP_BARCODES; do
    load "$bc" 0
    run mt -f "$T" setblk 0
    run mt -f "$T" rewind
    run tar -cf "$T" -b 128 -C /tmp/ddata d
    unload 0
    dedup_extract "$bc"
  done
  note "the same tar archive on $DEDUP_BARCODES, both extract; sums $(tree_sum /tmp/ddata/d)"
}

check_dedup_read() {
  local bc
  dedup_library
  dedup_data
  for bc in $DEDUP_BARCODES; do dedup_extract "$bc"; done
  note "both archives extract identically after the pass and the restart"
}
