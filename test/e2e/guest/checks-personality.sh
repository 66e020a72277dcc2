# Vendor personalities: lsscsi and mtx see the identities the config gives the changer and each drive.
# PERSONALITY_CHANGER is "VENDOR|PRODUCT"; PERSONALITY_DRIVES is "LUN=VENDOR|PRODUCT" entries separated by ';'.

# Passes when lsscsi lists a device of type $1 on SCSI id (= LUN) $2 as vendor $3, product $4.
lsscsi_shows() {
  lsscsi_primary | grep -Eq "^\[[0-9]+:[0-9]+:$2:[0-9]+\] +$1 +$3 +$4 "
}

# Passes when `mtx inquiry` on sg device $1 reports vendor $2 and product $3 (mtx quotes the padded fields).
mtx_shows() {
  local out
  out=$(mtx -f "$1" inquiry 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  echo "$out" | grep -q "Vendor ID: '$2 *'" && echo "$out" | grep -q "Product ID: '$3 *'"
}

check_personality() {
  [ -n "${PERSONALITY_CHANGER:-}" ] || skip "no PERSONALITY_CHANGER given"
  lsscsi -g
  local vendor product lun spec sg seen=""
  vendor=${PERSONALITY_CHANGER%%|*}
  product=${PERSONALITY_CHANGER#*|}
  lun=$(lun_of_sg "$CHANGER_SG")
  lsscsi_shows mediumx "$lun" "$vendor" "$product" || fail "lsscsi does not show the changer as $vendor $product"
  mtx_shows "$CHANGER_SG" "$vendor" "$product" || fail "mtx inquiry does not show the changer as $vendor $product"
  seen="changer $vendor $product"
  local IFS=';'
  for spec in ${PERSONALITY_DRIVES:-}; do
    lun=${spec%%=*}
    vendor=${spec#*=}
    vendor=${vendor%%|*}
    product=${spec#*|}
    sg=$(lsscsi_primary | awk -v id="$lun" '{ t = $1; sub(/^\[/, "", t); split(t, a, ":"); if (a[3] + 0 == id) print $NF }')
    [ -n "$sg" ] || fail "no device on LUN $lun"
    lsscsi_shows tape "$lun" "$vendor" "$product" || fail "lsscsi does not show LUN $lun as $vendor $product"
    mtx_shows "$sg" "$vendor" "$product" || fail "mtx inquiry does not show LUN $lun as $vendor $product"
    seen="$seen, LUN $lun $vendor $product"
  done
  note "$seen"
}
