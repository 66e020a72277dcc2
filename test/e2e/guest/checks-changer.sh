# The changer through mtx (SG_IO) and through the ch driver's ioctls.

check_mtx_status() {
  mtx_status
  cat /tmp/mtx.status
  local header drives slots mail tags
  header=$(grep 'Storage Changer' /tmp/mtx.status)
  drives=$(echo "$header" | sed -n 's/.*:\([0-9]*\) Drives.*/\1/p')
  slots=$(echo "$header" | sed -n 's/.*Drives, \([0-9]*\) Slots.*/\1/p')
  mail=$(echo "$header" | sed -n 's/.*( \([0-9]*\) Import\/Export.*/\1/p')
  tags=$(grep -c 'VolumeTag' /tmp/mtx.status)
  [ "$drives" = "$(drive_count)" ] || fail "mtx reports $drives drives, the bus has $(drive_count)"
  [ "${mail:-0}" -ge 1 ] || fail "mtx reports no import/export elements"
  [ "$tags" -ge 1 ] || fail "mtx shows no barcodes (VolumeTag)"
  [ -z "${EXPECT_SLOTS:-}" ] || [ "$((slots - mail))" = "$EXPECT_SLOTS" ] || fail "expected $EXPECT_SLOTS storage slots, mtx shows $((slots - mail))"
  [ -z "${EXPECT_MAIL:-}" ] || [ "$mail" = "$EXPECT_MAIL" ] || fail "expected $EXPECT_MAIL mail slots, mtx shows $mail"
  note "$drives drives, $((slots - mail)) slots, $mail mail slots, $tags barcodes"
}

check_mtx_load_unload() {
  local s bc
  unload 0
  s=$(full_slots | head -n1)
  bc=$(slot_tag "$s")
  mtxc load "$s" 0 || fail "mtx load $s 0 failed"
  [ "$(drive_tag 0)" = "$bc" ] || fail "after load drive 0 holds '$(drive_tag 0)', expected $bc"
  [ "$(slot_tag "$s")" = Empty ] || fail "after load slot $s is not empty"
  wait_ready "$(tape 0)"
  mtxc unload "$s" 0 || fail "mtx unload $s 0 failed"
  [ "$(slot_tag "$s")" = "$bc" ] || fail "after unload slot $s holds '$(slot_tag "$s")', expected $bc"
  [ "$(drive_tag 0)" = Empty ] || fail "after unload drive 0 is not empty"
  note "$bc slot $s -> drive 0 -> slot $s"
}

check_mtx_load_full_drive() {
  local s1 s2 bc1 bc2
  unload 0
  s1=$(full_slots | sed -n 1p); s2=$(full_slots | sed -n 2p)
  bc1=$(slot_tag "$s1"); bc2=$(slot_tag "$s2")
  mtxc load "$s1" 0 || fail "mtx load $s1 0 failed"
  refuse mtx -f "$CHANGER_SG" load "$s2" 0
  mtx_status
  [ "$(drive_tag 0)" = "$bc1" ] || fail "drive 0 holds '$(drive_tag 0)' after the refused load, expected $bc1"
  [ "$(slot_tag "$s2")" = "$bc2" ] || fail "slot $s2 holds '$(slot_tag "$s2")' after the refused load, expected $bc2"
  mtxc unload "$s1" 0 || fail "mtx unload failed"
  note "load of $bc2 into drive 0 holding $bc1 refused"
}

check_mtx_transfer() {
  local s e bc
  s=$(full_slots | head -n1); e=$(empty_slot); bc=$(slot_tag "$s")
  [ -n "$e" ] || fail "no empty storage slot"
  mtxc transfer "$s" "$e" || fail "mtx transfer $s $e failed"
  [ "$(slot_tag "$e")" = "$bc" ] && [ "$(slot_tag "$s")" = Empty ] || fail "after transfer: slot $s '$(slot_tag "$s")', slot $e '$(slot_tag "$e")'"
  mtxc transfer "$e" "$s" || fail "mtx transfer $e $s failed"
  [ "$(slot_tag "$s")" = "$bc" ] || fail "transfer back did not restore slot $s"
  note "$bc slot $s -> $e -> $s"
}

check_mtx_first_next() {
  local s1 s2 bc1 bc2
  unload 0
  s1=$(full_slots | sed -n 1p); s2=$(full_slots | sed -n 2p)
  bc1=$(slot_tag "$s1"); bc2=$(slot_tag "$s2")
  mtxc first 0 || fail "mtx first failed"
  [ "$(drive_tag 0)" = "$bc1" ] || fail "mtx first loaded '$(drive_tag 0)', expected $bc1 (slot $s1)"
  mtxc next 0 || fail "mtx next failed"
  [ "$(drive_tag 0)" = "$bc2" ] || fail "mtx next loaded '$(drive_tag 0)', expected $bc2 (slot $s2)"
  [ "$(slot_tag "$s1")" = "$bc1" ] || fail "mtx next did not return $bc1 to slot $s1"
  # Without a slot argument mtx returns the cartridge to the source element the changer reports.
  mtxc unload || fail "mtx unload (to source slot) failed"
  [ "$(slot_tag "$s2")" = "$bc2" ] || fail "mtx unload put $bc2 elsewhere than its source slot $s2"
  note "first $bc1, next $bc2, unload back to slot $s2"
}

check_mtx_export_import() {
  local s m bc
  s=$(full_slots | head -n1); bc=$(slot_tag "$s")
  m=$(mail_slots | while read -r x; do [ "$(slot_tag "$x")" = Empty ] && { echo "$x"; break; }; done)
  [ -n "$m" ] || fail "no empty import/export element"
  mtxc transfer "$s" "$m" || fail "export: mtx transfer $s $m failed"
  grep -q "Storage Element $m IMPORT/EXPORT:Full.*$bc" /tmp/mtx.status || fail "mail slot $m does not show $bc after export"
  mtxc transfer "$m" "$s" || fail "import: mtx transfer $m $s failed"
  [ "$(slot_tag "$s")" = "$bc" ] || fail "import did not bring $bc back to slot $s"
  note "$bc exported to mail slot $m and imported back"
}

check_mtx_inventory() {
  local before
  mtx_status; before=$(cat /tmp/mtx.status)
  mtxc inventory || fail "mtx inventory (INITIALIZE ELEMENT STATUS) failed"
  mtx_status
  [ "$before" = "$(cat /tmp/mtx.status)" ] || { diff <(echo "$before") /tmp/mtx.status; fail "status changed across inventory"; }
  note "inventory ok, status unchanged"
}

check_ch_ioctls() {
  local params pickers slots portals drives header mslots mmail s bc elem
  unload 0
  params=$(perl /vtl/ch-ioctl.pl "$CHANGER_CH" params) || fail "CHIOGPARAMS failed: $params"
  echo "CHIOGPARAMS: $params"
  read -r pickers slots portals drives <<<"$params"
  mtx_status
  header=$(grep 'Storage Changer' /tmp/mtx.status)
  mslots=$(echo "$header" | sed -n 's/.*Drives, \([0-9]*\) Slots.*/\1/p')
  mmail=$(echo "$header" | sed -n 's/.*( \([0-9]*\) Import\/Export.*/\1/p')
  [ "$pickers" -ge 1 ] || fail "ch reports $pickers pickers"
  [ "$drives" = "$(drive_count)" ] || fail "ch reports $drives drives, mtx/bus $(drive_count)"
  [ "$portals" = "$mmail" ] || fail "ch reports $portals portals, mtx $mmail import/export"
  [ "$slots" = "$((mslots - mmail))" ] || fail "ch reports $slots slots, mtx $((mslots - mmail))"
  s=$(full_slots | head -n1); bc=$(slot_tag "$s")
  elem=$(perl /vtl/ch-ioctl.pl "$CHANGER_CH" elem slot $((s - 1))) || fail "CHIOGELEM slot $((s - 1)) failed: $elem"
  echo "CHIOGELEM slot $((s - 1)): $elem"
  echo "$elem" | grep -q "full=1" || fail "ch says slot $((s - 1)) is not full"
  echo "$elem" | grep -q "voltag=$bc" || fail "ch voltag for slot $((s - 1)) differs from mtx's $bc: $elem"
  run perl /vtl/ch-ioctl.pl "$CHANGER_CH" move slot $((s - 1)) drive 0
  mtx_status
  [ "$(drive_tag 0)" = "$bc" ] || fail "after CHIOMOVE mtx shows drive 0 '$(drive_tag 0)', expected $bc"
  run perl /vtl/ch-ioctl.pl "$CHANGER_CH" move drive 0 slot $((s - 1))
  mtx_status
  [ "$(slot_tag "$s")" = "$bc" ] || fail "after CHIOMOVE back mtx shows slot $s '$(slot_tag "$s")'"
  note "params $params; voltag and moves agree with mtx"
}
