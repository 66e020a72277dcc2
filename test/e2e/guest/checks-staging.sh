# Staging to a physical library (issue 15, docs/STAGING.md): the tier's vtl copies a cartridge exported to a mail slot
# of lib0 to the cartridge with the same barcode in tgt's library (scripts/services/tgt-library.sh), verifies it and
# releases the disk copy. stage-write (boot 2) writes two tar archives to STAGE_BARCODE and moves it to a mail slot
# with mtx; the host waits for the verified copy and the release; boot 3 attaches tgt's changer and first drive at the
# SCSI ids in TGT_DEVICES: tgt-read loads the physical cartridge with mtx and extracts both archives straight from
# tgt's drive, without vtl; recall takes the stub back from the mail slot and loads it with mtx (the load recalls it
# from tgt) and reads both again. The files are generated deterministically, so both boots agree on them.

stage_data() {
  rm -rf /tmp/sdata; mkdir -p /tmp/sdata/s0 /tmp/sdata/s1
  perl -e 'srand(15); print pack("N*", map { int(rand(4294967296)) } 1 .. 65536)' >/tmp/sdata/s0/a.bin
  seq 1 30000 >/tmp/sdata/s0/b.txt
  perl -e 'srand(16); print pack("N*", map { int(rand(4294967296)) } 1 .. 32768)' >/tmp/sdata/s1/c.bin
  touch -d '2026-11-26 00:00:00' /tmp/sdata/s0 /tmp/sdata/s1 /tmp/sdata/s0/* /tmp/sdata/s1/*
}

# stage_read DEV: from BOT, each archive read up to its filemark extracts to the generated files.
stage_read() {
  local T=$1 i
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  for i in 0 1; do
    # dd stops at the filemark (a zero-length read), which also moves past it.
    run dd if="$T" of="/tmp/stage$i.tar" bs=64k
    rm -rf "/tmp/sout$i"; mkdir -p "/tmp/sout$i"
    run tar -xf "/tmp/stage$i.tar" -C "/tmp/sout$i"
    [ "$(tree_sum "/tmp/sout$i/s$i")" = "$(tree_sum "/tmp/sdata/s$i")" ] || fail "archive $i read back from $T differs"
  done
}

check_stage_write() {
  local bc=${STAGE_BARCODE:-} T i m
  [ -n "$bc" ] || skip "no STAGE_BARCODE given"
  T=$(tape 0)
  stage_data
  load "$bc" 0
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  for i in 0 1; do run tar -cf "$T" -b 128 -C /tmp/sdata "s$i"; done
  stage_read "$T"
  unload 0
  m=$(mail_slots | while read -r x; do [ "$(slot_tag "$x")" = Empty ] && { echo "$x"; break; }; done)
  [ -n "$m" ] || fail "no empty mail slot"
  mtxc transfer "$(slot_of "$bc")" "$m" || fail "export: mtx transfer to mail slot $m failed"
  grep -q "Storage Element $m IMPORT/EXPORT:Full.*$bc" /tmp/mtx.status || fail "mail slot $m does not show $bc after export"
  note "two tar archives on $bc, exported to mail slot $m; sums $(tree_sum /tmp/sdata)"
}

check_tgt_read() {
  local bc=${STAGE_BARCODE:-} T home
  [ -n "$bc" ] && [ -n "${TGT_DEVICES:-}" ] || skip "no STAGE_BARCODE/TGT_DEVICES given"
  # shellcheck disable=SC2086 # the SCSI ids are separate arguments
  use_devices $TGT_DEVICES
  T=$(tape 0)
  stage_data
  home=$(slot_of "$bc")
  [ -n "$home" ] || fail "tgt's library holds no $bc in a slot"
  load "$bc" 0
  stage_read "$T"
  run mt -f "$T" rewind
  # Back where vtl's copy left it: vtl finds the physical cartridge by barcode in a slot for the recall.
  mtxc unload "$home" 0 || fail "mtx unload $home 0 on tgt failed"
  note "$bc read straight from tgt's drive $T: both archives extract identically"
}

check_recall() {
  local bc=${STAGE_BARCODE:-} T m s
  [ -n "$bc" ] || skip "no STAGE_BARCODE given"
  T=$(tape 0)
  stage_data
  m=$(slot_of "$bc")
  [ -n "$m" ] || fail "$bc is in no slot or mail slot"
  s=$(empty_slot)
  [ -n "$s" ] || fail "no empty storage slot"
  mtxc transfer "$m" "$s" || fail "import: mtx transfer $m $s failed"
  # The released cartridge is recalled from tgt by the load: MOVE MEDIUM completes when its data is back.
  load "$bc" 0
  stage_read "$T"
  unload 0
  note "$bc recalled on mtx load (mail slot $m, then slot $s); both archives read back identically"
}
