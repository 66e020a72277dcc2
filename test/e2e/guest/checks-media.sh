# Special cartridges the host prepares (env: SMALL_BARCODE, WP_BARCODE, WORM_BARCODE) and two drives at once.

media_drive() { [ "$(drive_count)" -ge 2 ] && echo 1 || echo 0; }

check_end_of_medium() {
  local bc=${SMALL_BARCODE:-} d T size written back
  [ -n "$bc" ] || skip "no SMALL_BARCODE given"
  d=$(media_drive); T=$(tape "$d")
  size=$(( ${SMALL_CAPACITY_BYTES:-8388608} * 3 / 2 ))
  head -c "$size" /dev/urandom >/tmp/eom.src
  load "$bc" "$d"
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  echo "+ dd if=/tmp/eom.src of=$T bs=64k (must stop with ENOSPC)"
  if dd if=/tmp/eom.src of="$T" bs=64k 2>/tmp/eom.err; then
    cat /tmp/eom.err; fail "wrote $size bytes to a ${SMALL_CAPACITY_BYTES:-?}-byte cartridge without an error"
  fi
  cat /tmp/eom.err
  grep -q 'No space left on device' /tmp/eom.err || fail "write stopped with '$(grep dd: /tmp/eom.err | head -n1)', expected ENOSPC"
  written=$(sed -n 's/^\([0-9]*\)+[0-9]* records out.*/\1/p' /tmp/eom.err)
  run mt -f "$T" rewind
  dd if="$T" of=/tmp/eom.back bs=64k 2>&1 || fail "reading back the full cartridge failed"
  back=$(stat -c %s /tmp/eom.back)
  [ "$back" = "$((written * 65536))" ] || fail "wrote $written records ($((written * 65536)) bytes) before ENOSPC, read back $back bytes"
  cmp /tmp/eom.back <(head -c "$back" /tmp/eom.src) || fail "data before the end of medium differs"
  unload "$d"
  note "ENOSPC after $written records ($back bytes); all of it reads back"
}

check_write_protected() {
  local bc=${WP_BARCODE:-} d T
  [ -n "$bc" ] || skip "no WP_BARCODE given"
  d=$(media_drive); T=$(tape "$d")
  load "$bc" "$d"
  mt -f "$T" status | tee /tmp/st.out
  grep -q WR_PROT /tmp/st.out || fail "mt status does not show WR_PROT"
  refuse dd if=/tmp/r64k of="$T" bs=64k count=1
  refuse mt -f "$T" weof 1
  unload "$d"
  note "WR_PROT shown; write and weof refused"
}

check_worm() {
  local bc=${WORM_BARCODE:-} d T i
  [ -n "$bc" ] || skip "no WORM_BARCODE given"
  d=$(media_drive); T=$(tape "$d")
  for i in 0 1 2; do [ -d "/tmp/data/set$i" ] || make_data "/tmp/data/set$i" 2 192; done
  load "$bc" "$d"
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run tar -cf "$T" -b 128 -C /tmp/data set0
  run tar -cf "$T" -b 128 -C /tmp/data set1
  run mt -f "$T" rewind
  refuse dd if=/tmp/data/set2/blob1 of="$T" bs=64k count=1
  run mt -f "$T" rewind
  run mt -f "$T" eod
  expect_file "$T" 2
  run tar -cf "$T" -b 128 -C /tmp/data set2
  run mt -f "$T" rewind
  for i in 0 1 2; do
    rm -rf "/tmp/worm$i"; mkdir -p "/tmp/worm$i"
    run dd if="$T" of="/tmp/worm$i.tar" bs=64k
    run tar -xf "/tmp/worm$i.tar" -C "/tmp/worm$i"
    [ "$(tree_sum "/tmp/worm$i/set$i")" = "$(tree_sum "/tmp/data/set$i")" ] || fail "WORM archive $i differs"
  done
  unload "$d"
  note "appends accepted, overwrite at BOT refused, 3 archives intact"
}

check_two_drives() {
  local n a b Ta Tb bca bcb s
  n=$(drive_count)
  [ "$n" -ge 2 ] || skip "only $n drive(s)"
  a=$((n >= 4 ? 2 : 0)); b=$((a + 1))
  Ta=$(tape "$a"); Tb=$(tape "$b")
  bca=${STREAM_BARCODE_A:-A00002L8}; bcb=${STREAM_BARCODE_B:-A00003L8}
  load "$bca" "$a"; load "$bcb" "$b"
  head -c $((24 * 1048576)) /dev/urandom >/tmp/streamA
  head -c $((24 * 1048576)) /dev/urandom >/tmp/streamB
  run mt -f "$Ta" rewind; run mt -f "$Tb" rewind
  echo "+ dd to $Ta and $Tb at once"
  dd if=/tmp/streamA of="$Ta" bs=256k 2>/tmp/ddA & local pa=$!
  dd if=/tmp/streamB of="$Tb" bs=256k 2>/tmp/ddB & local pb=$!
  wait "$pa" || { cat /tmp/ddA; fail "writing $Ta failed"; }
  wait "$pb" || { cat /tmp/ddB; fail "writing $Tb failed"; }
  cat /tmp/ddA /tmp/ddB
  run mt -f "$Ta" rewind; run mt -f "$Tb" rewind
  dd if="$Ta" of=/tmp/backA bs=256k 2>/tmp/ddA & pa=$!
  dd if="$Tb" of=/tmp/backB bs=256k 2>/tmp/ddB & pb=$!
  wait "$pa" || { cat /tmp/ddA; fail "reading $Ta failed"; }
  wait "$pb" || { cat /tmp/ddB; fail "reading $Tb failed"; }
  cat /tmp/ddA /tmp/ddB
  cmp /tmp/streamA /tmp/backA || fail "drive $a data differs"
  cmp /tmp/streamB /tmp/backB || fail "drive $b data differs"
  rm -f /tmp/streamA /tmp/streamB /tmp/backA /tmp/backB
  for s in "$a" "$b"; do unload "$s"; done
  note "24 MiB each on drives $a and $b concurrently: $(grep -ho '[0-9.]* [MkG]B/s' /tmp/ddA /tmp/ddB | tr '\n' ' ')"
}

# A cartridge the host locked (compliance retention) through the API before boot: the first archive goes on while it
# is blank (its beginning is its end of data), then `mt erase` and a rewrite from the beginning are refused, an append
# at end of data works, and both archives still extract.
check_retention_lock() {
  local bc=${LOCKED_BARCODE:-} d T i
  [ -n "$bc" ] || skip "no LOCKED_BARCODE given"
  d=$(media_drive); T=$(tape "$d")
  for i in 0 1 2; do [ -d "/tmp/data/set$i" ] || make_data "/tmp/data/set$i" 2 192; done
  load "$bc" "$d"
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run tar -cf "$T" -b 128 -C /tmp/data set0
  run mt -f "$T" rewind
  refuse mt -f "$T" erase
  run mt -f "$T" rewind
  refuse tar -cf "$T" -b 128 -C /tmp/data set2
  run mt -f "$T" rewind
  run mt -f "$T" eod
  expect_file "$T" 1
  run tar -cf "$T" -b 128 -C /tmp/data set1
  run mt -f "$T" rewind
  for i in 0 1; do
    rm -rf "/tmp/locked$i"; mkdir -p "/tmp/locked$i"
    run dd if="$T" of="/tmp/locked$i.tar" bs=64k
    run tar -xf "/tmp/locked$i.tar" -C "/tmp/locked$i"
    [ "$(tree_sum "/tmp/locked$i/set$i")" = "$(tree_sum "/tmp/data/set$i")" ] || fail "archive $i on the locked cartridge differs"
  done
  unload "$d"
  note "erase and rewrite from the beginning refused, append at end of data accepted, both archives intact"
}
