# SPC-4 persistent reservations with sg_persist from two I_T nexuses: the guest's own initiator (A) and the same
# drive attached again under another initiator name (B, SCSI id 8 + LUN; run-guest.ts secondInitiator).

# expect_rc RC CMD...: CMD must exit with RC (sg3-utils exit status 24 is RESERVATION CONFLICT).
expect_rc() {
  local want=$1 rc
  shift
  echo "+ (must exit $want) $*"
  "$@"
  rc=$?
  [ "$rc" = "$want" ] || fail "'$*' exited with $rc, expected $want"
}

# must_show PATTERN CMD...: CMD succeeds and its output contains PATTERN (grep -E, case-insensitive).
must_show() {
  local pattern=$1 out
  shift
  echo "+ $*"
  out=$("$@" 2>&1) || fail "'$*' exited with $?: $out"
  echo "$out"
  echo "$out" | grep -Eqi -- "$pattern" || fail "'$*' does not show '$pattern'"
}

check_persistent_reservations() {
  local lun=${1:-4} a b
  a=$(lsscsi_primary | awk -v id="$lun" '{ t = $1; sub(/^\[/, "", t); split(t, x, ":"); if (x[3] + 0 == id) print $NF }')
  b=$(second_sg "$lun")
  [ -n "$a" ] || fail "LUN $lun is not attached"
  [ -n "$b" ] || fail "LUN $lun is not attached through the second initiator"
  # sg_persist does not retry: consume pending unit attentions (power on, loads) on both nexuses first.
  sg_turs -n 3 "$a" >/dev/null 2>&1 || true
  sg_turs -n 3 "$b" >/dev/null 2>&1 || true
  must_show 'NO registered reservation keys' sg_persist --in --read-keys "$a"

  run sg_persist --out --register --param-sark=0xaa "$a"
  run sg_persist --out --register --param-sark=0xbb "$b"
  must_show '0xaa' sg_persist --in --read-keys "$b"
  must_show '0xbb' sg_persist --in --read-keys "$a"
  # REPORT CAPABILITIES: CRH and PTPL_C, TMV, the six types (hand-checked bytes).
  must_show '00 08 11 80 ea 01' sg_persist --in --report-capabilities --hex "$a"

  run sg_persist --out --reserve --param-rk=0xaa --prout-type=1 "$a"
  must_show 'Key=0xaa' sg_persist --in --read-reservation "$b"
  must_show 'Write Exclusive' sg_persist --in --read-reservation "$b"
  must_show 'e2e-other' sg_persist --in --read-full-status "$a"
  expect_rc 24 sg_persist --out --reserve --param-rk=0xbb --prout-type=1 "$b"
  # Write exclusive: B may read the mode pages but not write a filemark.
  run sg_raw -r 255 "$b" 1a 08 3f 00 ff 00
  must_show 'reservation conflict' bash -c "sg_raw '$b' 10 00 00 00 00 00 2>&1; true"

  run sg_persist --out --release --param-rk=0xaa --prout-type=1 "$a"
  must_show 'NO reservation' sg_persist --in --read-reservation "$a"
  run sg_persist --out --reserve --param-rk=0xbb --prout-type=3 "$b"
  must_show 'reservation conflict' bash -c "sg_raw -r 255 '$a' 1a 08 3f 00 ff 00 2>&1; true"

  # A preempts B: B's registration goes and B's next command reports REGISTRATIONS PREEMPTED.
  run sg_persist --out --preempt --param-rk=0xaa --param-sark=0xbb --prout-type=1 "$a"
  must_show 'registrations preempted' bash -c "sg_turs -v '$b' 2>&1; true"
  must_show 'Key=0xaa' sg_persist --in --read-reservation "$b"
  must_show '1 registered reservation key' sg_persist --in --read-keys "$b"

  run sg_persist --out --release --param-rk=0xaa --prout-type=1 "$a"
  run sg_persist --out --register --param-rk=0xaa --param-sark=0 "$a"
  must_show 'NO registered reservation keys' sg_persist --in --read-keys "$b"
  note "LUN $lun: register, reserve, conflicts, read keys/reservation/full status, preempt, release, unregister ($a, $b)"
}
