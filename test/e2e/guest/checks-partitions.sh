# Two partitions through mt-st and st: mkpartition (MODE SELECT page 11h, then FORMAT MEDIUM: LTO drives partition
# on format), setpartition and seek (LOCATE(10) with CP), tell and status (READ POSITION), a tar archive in each
# partition read back by checksum, and READ POSITION's long form through sg_raw. On ${PARTITION_BARCODE:-A00009L8},
# which no other check uses, in the drive the special-cartridge checks use. Sourced by guest-checks.sh.

# part_of DEV: the partition `mt status` reports (st keeps it in mt_resid).
part_of() { mt -f "$1" status | sed -n 's/.*partition=\([0-9]*\).*/\1/p'; }
# block_of DEV: the block `mt tell` reports (READ POSITION, short form).
block_of() { mt -f "$1" tell | sed -n 's/^At block \([0-9]*\).*/\1/p'; }
# sg_bytes FILE OFFSET COUNT: bytes of a binary sg_raw output as one hex string.
sg_bytes() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

check_partitions() {
  local bc=${PARTITION_BARCODE:-A00009L8} d T sg blk
  d=$(media_drive); T=$(tape "$d"); sg=$(tape_sg "$d")
  [ -d /tmp/data/part0 ] || make_data /tmp/data/part0 2 160
  [ -d /tmp/data/part1 ] || make_data /tmp/data/part1 3 96
  load "$bc" "$d"
  # st partitions only drives it is told can (mt-st's documented precondition).
  run mt -f "$T" stsetoptions can-partitions
  run mt -f "$T" setblk 0
  # Partition 1 of 2000 MB: st asks in 10^9-byte units (PSUM 11b) since page 11h offers them.
  run mt -f "$T" mkpartition 2000
  run sg_raw -r 255 -o /tmp/p11.bin "$sg" 1a 08 11 00 ff 00
  # MODE SENSE(6) page 11h (after the 4-byte header): 2 partitions, units 10^9, partition 1 = 2.
  [ "$(sg_bytes /tmp/p11.bin 7 1)" = 01 ] || fail "page 11h says $(sg_bytes /tmp/p11.bin 7 1) additional partitions after mkpartition, expected 01"
  [ "$(sg_bytes /tmp/p11.bin 10 1)" = 09 ] || fail "page 11h PARTITION UNITS is $(sg_bytes /tmp/p11.bin 10 1), expected 09"
  [ "$(sg_bytes /tmp/p11.bin 14 2)" = 0002 ] || fail "page 11h gives partition 1 $(sg_bytes /tmp/p11.bin 14 2) units, expected 0002"

  run mt -f "$T" setpartition 1
  run tar -cf "$T" -b 128 -C /tmp/data part1
  [ "$(part_of "$T")" = 1 ] || fail "mt status says partition $(part_of "$T") after writing in partition 1"
  # READ POSITION long form: PARTITION NUMBER in bytes 4-7.
  run sg_raw -r 32 -o /tmp/rp.bin "$sg" 34 06 00 00 00 00 00 00 00 00
  [ "$(sg_bytes /tmp/rp.bin 4 4)" = 00000001 ] || fail "READ POSITION long form says partition $(sg_bytes /tmp/rp.bin 4 4), expected 1"
  run mt -f "$T" setpartition 0
  run tar -cf "$T" -b 128 -C /tmp/data part0
  [ "$(part_of "$T")" = 0 ] || fail "mt status says partition $(part_of "$T") after writing in partition 0"

  # Read both back: partition 1 first (LOCATE with CP), then partition 0 from a block found by tell.
  run mt -f "$T" setpartition 1
  run mt -f "$T" seek 0
  [ "$(block_of "$T")" = 0 ] || fail "tell says block $(block_of "$T") after seek 0 in partition 1"
  run dd if="$T" of=/tmp/part1.tar bs=64k
  rm -rf /tmp/part-back; mkdir -p /tmp/part-back
  run tar -xf /tmp/part1.tar -C /tmp/part-back
  [ "$(tree_sum /tmp/part-back/part1)" = "$(tree_sum /tmp/data/part1)" ] || fail "the archive read back from partition 1 differs"
  run mt -f "$T" setpartition 0
  run mt -f "$T" seek 1
  blk=$(block_of "$T")
  [ "$blk" = 1 ] || fail "tell says block '$blk' after seek 1 in partition 0"
  run mt -f "$T" seek 0
  run dd if="$T" of=/tmp/part0.tar bs=64k
  run tar -xf /tmp/part0.tar -C /tmp/part-back
  [ "$(tree_sum /tmp/part-back/part0)" = "$(tree_sum /tmp/data/part0)" ] || fail "the archive read back from partition 0 differs"
  cmp -s /tmp/part0.tar /tmp/part1.tar && fail "both partitions returned the same archive"
  run sg_raw -r 32 -o /tmp/rp.bin "$sg" 34 06 00 00 00 00 00 00 00 00
  [ "$(sg_bytes /tmp/rp.bin 4 4)" = 00000000 ] || fail "READ POSITION long form says partition $(sg_bytes /tmp/rp.bin 4 4) in partition 0"

  run mt -f "$T" stclearoptions can-partitions
  unload "$d"
  note "mkpartition 2000, a tar archive in each partition read back by checksum, tell/seek and READ POSITION show the partition"
}
