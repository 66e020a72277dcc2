# Vendor personalities: lsscsi, sg_inq and mtx see the identities the config gives the changer and each drive, and
# sg_vpd the personality's vendor pages (docs/CONFORMANCE.md "Vendor personalities": the IBM 3584's VPD 80h/83h form,
# HPE Ultrium's VPD C0h; an STK L700 changer and IBM drives keep the standard pages).
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

# Passes when sg_inq on sg device $1 reports vendor $2 and product $3.
sg_inq_shows() {
  local out
  out=$(sg_inq "$1" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  echo "$out" | grep -Eq "Vendor identification: $2 *$" && echo "$out" | grep -Eq "Product identification: $3 *$"
}

# The changer's VPD pages as its personality has them: IBM 3584 serial form (12 characters and the first storage element
# address in hexadecimal) in 80h and in 83h's T10 vendor ID designator; any other changer the plain serial.
changer_vpd_shows() {
  local sg=$1 vendor=$2 product=$3 sn di
  sn=$(sg_vpd -p sn "$sg" 2>&1) || { echo "$sn"; return 1; }
  di=$(sg_vpd -p di "$sg" 2>&1) || { echo "$di"; return 1; }
  echo "$sn"
  echo "$di"
  if [ "$vendor" = IBM ] && [ "${product#03584}" != "$product" ]; then
    echo "$sn" | grep -Eq 'Unit serial number: [0-9A-Z]{12}[0-9A-F]{4}$' || return 1
    echo "$di" | grep -Eq "03584L32 +[0-9A-Z]{12}[0-9A-F]{4}" || return 1
  else
    echo "$sn" | grep -Eq 'Unit serial number: VTL[0-9A-F]{8}L00$' || return 1
  fi
}

# The drive's vendor VPD: an HP/HPE Ultrium drive has C0h with its "Firmware" entry; any other has no C0h.
drive_vpd_shows() {
  local sg=$1 vendor=$2 strings
  case "$vendor" in
    HP|HPE)
      # The page after its 4-byte header (the page length 5Ch is itself a printable '\'), split at the NULs.
      strings=$(sg_vpd -p 0xc0 -r "$sg" | tail -c +5 | tr -c '[:print:]' '\n') || return 1
      echo "$strings" | grep -v '^$'
      echo "$strings" | grep -qx Firmware
      ;;
    *) ! sg_vpd -p 0xc0 -r "$sg" >/dev/null 2>&1 ;;
  esac
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
  sg_inq_shows "$CHANGER_SG" "$vendor" "$product" || fail "sg_inq does not show the changer as $vendor $product"
  changer_vpd_shows "$CHANGER_SG" "$vendor" "$product" || fail "sg_vpd does not show the $vendor $product changer's VPD 80h/83h forms"
  seen="changer $vendor $product (VPD ok)"
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
    sg_inq_shows "$sg" "$vendor" "$product" || fail "sg_inq does not show LUN $lun as $vendor $product"
    drive_vpd_shows "$sg" "$vendor" || fail "sg_vpd does not show LUN $lun's $vendor vendor page C0h as it should"
    seen="$seen, LUN $lun $vendor $product (VPD ok)"
  done
  note "$seen"
}
