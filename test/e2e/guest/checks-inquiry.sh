# Inquiry and binding: sg3-utils on every LUN, and the st and ch drivers attach.

check_lsscsi_types() {
  lsscsi -g
  local changers tapes
  changers=$(lsscsi_primary | awk '$2 == "mediumx"' | wc -l)
  tapes=$(lsscsi_primary | awk '$2 == "tape"' | wc -l)
  [ "$changers" -eq 1 ] || fail "expected 1 medium changer, lsscsi shows $changers"
  [ "$tapes" -ge 1 ] || fail "no tape drives in lsscsi"
  [ -z "${EXPECT_DRIVES:-}" ] || [ "$tapes" -eq "$EXPECT_DRIVES" ] || fail "expected $EXPECT_DRIVES tape drives, lsscsi shows $tapes"
  note "1 changer, $tapes tape drives"
}

check_sg_inq() {
  local sg=$1 out pdt
  out=$(sg_inq "$sg") || { echo "$out"; fail "sg_inq $sg failed"; }
  echo "$out"
  pdt=$(echo "$out" | sed -n 's/.*PDT=\([0-9]*\).*/\1/p' | head -n1)
  case "$sg" in
    "$CHANGER_SG") [ "$pdt" = 8 ] || fail "changer $sg reports PDT=$pdt, expected 8" ;;
    *) [ "$pdt" = 1 ] || fail "drive $sg reports PDT=$pdt, expected 1" ;;
  esac
  echo "$out" | grep -q 'Vendor identification:' || fail "sg_inq $sg shows no vendor identification"
  note "$(echo "$out" | sed -n 's/^ *\(Vendor\|Product\) identification: *//p' | tr '\n' ' ')PDT=$pdt"
}

check_sg_vpd() {
  local sg=$1 pages
  pages=$(sg_vpd "$sg") || { echo "$pages"; fail "sg_vpd $sg (supported pages) failed"; }
  echo "$pages"
  echo "$pages" | grep -q '\[sn\]' || fail "$sg does not list the unit serial number page (80h)"
  echo "$pages" | grep -q '\[di\]' || fail "$sg does not list the device identification page (83h)"
  run sg_vpd -p sn "$sg"
  run sg_vpd -p di "$sg"
  note "$(echo "$pages" | grep -c '\[') pages"
}

check_sg_logs() {
  local sg=$1 out
  out=$(sg_logs "$sg") || { echo "$out"; fail "sg_logs $sg (supported pages) failed"; }
  echo "$out"
  run sg_logs -a "$sg"
  note "$(echo "$out" | grep -c '^ *0x') log pages"
}

check_sg_modes() {
  local sg=$1
  run sg_modes -a "$sg"
  run sg_modes -6 -a "$sg"
  case "$sg" in
    "$CHANGER_SG") run sg_modes -p 0x1d "$sg" ;; # element address assignment: how mtx and ch find the elements
    *) run sg_modes -p 0x10 "$sg" ;; # device configuration
  esac
  note "MODE SENSE(6) and (10) answer"
}

check_st_binds() {
  local n dev
  n=$(drive_count)
  ls -l /sys/class/scsi_tape/ || fail "no st devices"
  for dev in $TAPES; do
    [ -c "$dev" ] || fail "$dev missing"
    run mt -f "$dev" status
  done
  dmesg | grep -i 'st [0-9:]*: Attached scsi tape' || true
  note "$n st devices: $TAPES"
}

check_ch_binds() {
  [ -n "$CHANGER_CH" ] && [ -c "$CHANGER_CH" ] || fail "no /dev/sch* device (ch did not attach)"
  dmesg | grep -E 'ch [0-9:]+: \[ch[0-9]\]|Attached scsi changer' || true
  note "$CHANGER_CH"
}

# REPORT SUPPORTED OPERATION CODES: sg_opcodes lists the command table.
check_sg_opcodes() {
  local sg=$1 out
  out=$(sg_opcodes "$sg" 2>&1) || { echo "$out"; fail "sg_opcodes $sg failed"; }
  echo "$out"
  echo "$out" | grep -qi 'inquiry' || fail "sg_opcodes $sg does not list INQUIRY"
  note "$(echo "$out" | grep -c '^ *[0-9a-f][0-9a-f] ') opcodes"
}

# mtx's own inquiry tools: tapeinfo (drives: block limits, position, compression) and loaderinfo (changer).
check_mtx_info() {
  local sg=$1 out
  if [ "$sg" = "$CHANGER_SG" ]; then
    out=$(loaderinfo -f "$sg" 2>&1) || { echo "$out"; fail "loaderinfo $sg failed"; }
    echo "$out"
    echo "$out" | grep -q 'Product Type: Medium Changer' || fail "loaderinfo does not see a medium changer"
    echo "$out" | grep -q 'Number of Medium Transport Elements' || fail "loaderinfo shows no element counts (mode page 1Dh)"
    note "$(echo "$out" | grep -E 'Number of (Data Transfer|Storage|Import/Export) Elements' | tr '\n' ' ')"
  else
    out=$(tapeinfo -f "$sg" 2>&1) || { echo "$out"; fail "tapeinfo $sg failed"; }
    echo "$out"
    echo "$out" | grep -q 'Product Type: Tape Drive' || fail "tapeinfo does not see a tape drive"
    echo "$out" | grep -q 'MaxBlock:' || fail "tapeinfo shows no block limits (READ BLOCK LIMITS)"
    run sg_read_block_limits "$sg"
    note "$(echo "$out" | grep -E 'MinBlock|MaxBlock' | tr '\n' ' ')"
  fi
}
