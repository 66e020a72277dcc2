# One drive through st and mt-st: filemarks, positioning, record sizes, block modes, compression.
# All run on drive 0 with ${TAPE_BARCODE:-A00001L8}; each check positions the tape itself.

T0() { tape 0; }

# seq_tar I: the bytes of tar archive I as the checks write it (64 KiB records).
sets_ready() {
  local i
  for i in 0 1 2 3; do [ -d "/tmp/data/set$i" ] || make_data "/tmp/data/set$i" 2 192; done
}

check_tape_load() {
  local bc=${TAPE_BARCODE:-A00001L8}
  load "$bc" 0
  run mt -f "$(T0)" setblk 0
  run mt -f "$(T0)" rewind
  note "$bc in drive 0 ($(T0))"
}

check_mt_status_rewind() {
  local T
  T=$(T0)
  run mt -f "$T" rewind
  mt -f "$T" status | tee /tmp/st.out
  grep -q ONLINE /tmp/st.out || fail "mt status does not show ONLINE"
  grep -q BOT /tmp/st.out || fail "mt status does not show BOT after rewind"
  expect_pos "$T" "0 0"
  note "$(grep -i 'density' /tmp/st.out | head -n1)"
}

check_tar_sequential() {
  local T i
  T=$(T0); sets_ready
  run mt -f "$T" rewind
  for i in 0 1 2; do run tar -cf "$T" -b 128 -C /tmp/data "set$i"; done
  expect_pos "$T" "3 0"
  run mt -f "$T" rewind
  for i in 0 1 2; do
    # dd stops at the filemark (a zero-length read), which also moves past it.
    run dd if="$T" of="/tmp/seq$i.tar" bs=64k
    rm -rf "/tmp/seqout$i"; mkdir -p "/tmp/seqout$i"
    run tar -xf "/tmp/seq$i.tar" -C "/tmp/seqout$i"
    [ "$(tree_sum "/tmp/seqout$i/set$i")" = "$(tree_sum "/tmp/data/set$i")" ] || fail "archive $i read back differs"
  done
  expect_pos "$T" "3 0"
  note "3 archives, $(stat -c %s /tmp/seq0.tar) bytes each, read back by checksum"
}

check_fsf_tar() {
  local T
  T=$(T0)
  run mt -f "$T" rewind
  run mt -f "$T" fsf 2
  expect_pos "$T" "2 0"
  rm -rf /tmp/fsfout; mkdir -p /tmp/fsfout
  run tar -xf "$T" -b 128 -C /tmp/fsfout
  [ "$(tree_sum /tmp/fsfout/set2)" = "$(tree_sum /tmp/data/set2)" ] || fail "tar read after fsf 2 differs from archive 2"
  note "tar -x straight from the drive after fsf 2"
}

check_eod() {
  local T
  T=$(T0)
  run mt -f "$T" rewind
  run mt -f "$T" eod
  expect_file "$T" 3
  local blk expect
  blk=$(mt -f "$T" tell | sed -n 's/^At block \([0-9]*\).*/\1/p')
  expect=$((3 * ($(stat -c %s /tmp/seq0.tar) / 65536 + 1)))
  [ "$blk" = "$expect" ] || fail "tell at eod says block '$blk', expected $expect (3 archives and 3 filemarks)"
  note "eod at file 3, logical object $blk"
}

check_append_at_eod() {
  local T
  T=$(T0); sets_ready
  run mt -f "$T" rewind
  run mt -f "$T" eod
  run tar -cf "$T" -b 128 -C /tmp/data set3
  expect_pos "$T" "4 0"
  run mt -f "$T" rewind
  run mt -f "$T" fsf 3
  rm -rf /tmp/appout; mkdir -p /tmp/appout
  run tar -xf "$T" -b 128 -C /tmp/appout
  [ "$(tree_sum /tmp/appout/set3)" = "$(tree_sum /tmp/data/set3)" ] || fail "appended archive differs"
  run mt -f "$T" rewind
  run dd if="$T" of=/tmp/app0.tar bs=64k
  [ "$(file_sum /tmp/app0.tar)" = "$(file_sum /tmp/seq0.tar)" ] || fail "archive 0 changed after the append"
  note "4th archive appended at eod; earlier archives intact"
}

check_bsf_bsfm() {
  local T n
  T=$(T0)
  run mt -f "$T" rewind
  run mt -f "$T" fsf 3
  expect_pos "$T" "3 0"
  run mt -f "$T" bsfm 2
  expect_pos "$T" "2 0"
  run dd if="$T" of=/tmp/bsfm.tar bs=64k
  [ "$(file_sum /tmp/bsfm.tar)" = "$(file_sum /tmp/seq2.tar)" ] || fail "file read after bsfm 2 is not archive 2"
  # Now at file 3, block 0; bsf 1 stops just before the filemark that ends file 2.
  run mt -f "$T" bsf 1
  expect_pos "$T" "2 -1"
  n=$(dd if="$T" bs=64k 2>/dev/null | wc -c)
  [ "$n" = 0 ] || fail "read after bsf 1 returned $n bytes, expected the filemark (0 bytes)"
  expect_pos "$T" "3 0"
  note "bsfm 2 -> file 2 block 0; bsf 1 -> before the filemark"
}

check_tell_seek() {
  local T blk expect
  T=$(T0)
  run mt -f "$T" rewind
  run mt -f "$T" fsf 1
  blk=$(mt -f "$T" tell | sed -n 's/^At block \([0-9]*\).*/\1/p')
  expect=$(($(stat -c %s /tmp/seq0.tar) / 65536 + 1))
  [ "$blk" = "$expect" ] || fail "tell after fsf 1 says block '$blk', expected $expect (archive 0's records + 1 filemark)"
  run mt -f "$T" rewind
  run mt -f "$T" seek "$blk"
  blk2=$(mt -f "$T" tell | sed -n 's/^At block \([0-9]*\).*/\1/p')
  [ "$blk2" = "$blk" ] || fail "tell after seek $blk says $blk2"
  run dd if="$T" of=/tmp/seek.tar bs=64k
  [ "$(file_sum /tmp/seek.tar)" = "$(file_sum /tmp/seq1.tar)" ] || fail "file read after seek $blk is not archive 1"
  note "tell $blk, seek $blk reads archive 1"
}

check_weof() {
  local T n
  T=$(T0)
  run mt -f "$T" rewind # st only counts files from a known position
  run mt -f "$T" eod
  expect_file "$T" 4
  run mt -f "$T" weof 2
  run mt -f "$T" rewind
  run mt -f "$T" eod
  expect_file "$T" 6
  run mt -f "$T" rewind
  run mt -f "$T" fsf 4
  n=$(dd if="$T" bs=64k 2>/dev/null | wc -c)
  [ "$n" = 0 ] || fail "file 4 (between two written filemarks) returned $n bytes"
  note "weof 2 -> two empty files, eod at file 6"
}

check_dd_variable() {
  local T
  T=$(T0)
  head -c 65536 /dev/urandom >/tmp/r64k
  head -c 1048576 /dev/urandom >/tmp/r1m
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run dd if=/tmp/r64k of="$T" bs=64k count=1
  run dd if=/tmp/r1m of="$T" bs=1M count=1
  run mt -f "$T" rewind
  run dd if="$T" of=/tmp/v64 bs=128k count=1
  [ "$(stat -c %s /tmp/v64)" = 65536 ] || fail "a 128 KiB read of the 64 KiB record returned $(stat -c %s /tmp/v64) bytes"
  cmp /tmp/v64 /tmp/r64k || fail "64 KiB record differs"
  run mt -f "$T" rewind
  run mt -f "$T" fsf 1
  run dd if="$T" of=/tmp/v1m bs=1M count=1
  [ "$(stat -c %s /tmp/v1m)" = 1048576 ] || fail "a 1 MiB read of the 1 MiB record returned $(stat -c %s /tmp/v1m) bytes"
  cmp /tmp/v1m /tmp/r1m || fail "1 MiB record differs"
  note "64 KiB record read with a 128 KiB buffer, 1 MiB record with 1 MiB"
}

check_dd_short_read() {
  local T size
  T=$(T0)
  run mt -f "$T" rewind
  run mt -f "$T" fsf 1
  rm -f /tmp/short
  echo "+ (must fail) dd if=$T of=/tmp/short bs=64k count=1"
  if dd if="$T" of=/tmp/short bs=64k count=1 2>/tmp/short.err; then
    cat /tmp/short.err
    fail "a 64 KiB read of a 1 MiB record succeeded ($(stat -c %s /tmp/short) bytes): truncated instead of failing"
  fi
  cat /tmp/short.err
  size=$(stat -c %s /tmp/short 2>/dev/null || echo 0)
  [ "$size" = 0 ] || fail "the failed short read still delivered $size bytes"
  note "$(grep -o 'Cannot allocate memory\|Input/output error' /tmp/short.err | head -n1)"
}

check_fixed_block() {
  local T bs=$1 chunk
  T=$(T0)
  chunk=$((bs < 8192 ? 8192 : bs))
  head -c 262144 /dev/urandom >/tmp/fixed.src
  run mt -f "$T" rewind
  run mt -f "$T" setblk "$bs"
  mt -f "$T" status | tee /tmp/st.out
  grep -q "Tape block size $bs bytes" /tmp/st.out || fail "mt status does not show block size $bs"
  run dd if=/tmp/fixed.src of="$T" bs="$chunk"
  run mt -f "$T" rewind
  run dd if="$T" of=/tmp/fixed.back bs="$chunk"
  run mt -f "$T" setblk 0
  cmp /tmp/fixed.src /tmp/fixed.back || fail "fixed-block ($bs) data read back differs ($(stat -c %s /tmp/fixed.back) bytes)"
  note "256 KiB in $bs-byte blocks"
}

# dce SG: the DCE bit of the data compression mode page (0Fh), from MODE SENSE(10).
dce() {
  sg_modes -p 0x0f -r "$1" >/tmp/mp.bin 2>/dev/null || { echo "?"; return; }
  od -An -v -tu1 /tmp/mp.bin | tr -s ' \n' '  ' | awk '{ bd = $7 * 256 + $8; p = 9 + bd; if ($p % 64 != 15) { print "?" } else print ($(p + 2) >= 128 ? 1 : 0) }'
}

write_read_compare() {
  local T=$1
  { yes 'vtl compressible line' | head -c 524288; head -c 524288 /dev/urandom; } >/tmp/comp.src
  run mt -f "$T" rewind
  run dd if=/tmp/comp.src of="$T" bs=64k
  run mt -f "$T" rewind
  run dd if="$T" of=/tmp/comp.back bs=64k
  cmp /tmp/comp.src /tmp/comp.back || fail "data written with compression $2 differs"
}

check_compression() {
  local T sg
  T=$(T0); sg=$(tape_sg 0)
  run mt -f "$T" compression 1
  [ "$(dce "$sg")" = 1 ] || fail "after mt compression 1 the DCE bit is '$(dce "$sg")'"
  write_read_compare "$T" on
  run mt -f "$T" compression 0
  [ "$(dce "$sg")" = 0 ] || fail "after mt compression 0 the DCE bit is '$(dce "$sg")'"
  write_read_compare "$T" off
  note "DCE follows mt compression; data intact both ways"
}

check_defcompression() {
  local T sg bc v
  T=$(T0); sg=$(tape_sg 0); bc=$(drive_tag 0)
  for v in 1 0; do
    run mt -f "$T" defcompression "$v"
    unload 0
    load "$bc" 0 # st applies the default at the first open after a medium change
    [ "$(dce "$sg")" = "$v" ] || fail "with defcompression $v the DCE bit after reload is '$(dce "$sg")'"
  done
  run mt -f "$T" defcompression -1
  note "st's default compression reaches the drive"
}

check_erase() {
  local T n
  T=$(T0)
  run mt -f "$T" rewind
  run mt -f "$T" erase
  run mt -f "$T" rewind
  n=$(dd if="$T" bs=64k 2>/dev/null | wc -c)
  [ "$n" = 0 ] || fail "read after erase returned $n bytes"
  run mt -f "$T" eod
  expect_file "$T" 0
  note "erased: no data, eod at file 0"
}

check_offline() {
  local T bc
  T=$(T0); bc=$(drive_tag 0)
  run mt -f "$T" offline
  mt -f "$T" status | tee /tmp/st.out
  grep -q ONLINE /tmp/st.out && fail "drive still ONLINE after mt offline"
  [ "$(drive_tag 0)" = "$bc" ] || fail "changer shows drive 0 '$(drive_tag 0)' after offline, expected $bc still in the drive"
  unload 0
  [ "$(drive_tag 0)" = Empty ] || fail "drive 0 not empty after unloading the offline cartridge"
  note "offline, then unloaded by the changer"
}
