# The 16-byte SSC-4 commands through sg_raw on drive 0's generic node: Linux st never sends READ(16) 88h, WRITE(16)
# 8Ah or WRITE FILEMARKS(16) 80h, so sg_raw is the real client that does. Sourced by guest-checks.sh.

# cdb16 OPCODE OBJECT LENGTH: the CDB as sg_raw takes it (hex bytes): byte 1 flags 0 (variable blocks), PARTITION 0,
# LOGICAL OBJECT IDENTIFIER in bytes 4-11 (the checks stay below 256), length in bytes 12-14.
cdb16() {
  printf '%02x 00 00 00 00 00 00 00 00 00 00 %02x %02x %02x %02x 00' "$1" "$2" $(($3 >> 16 & 255)) $(($3 >> 8 & 255)) $(($3 & 255))
}

check_sg_raw_16() {
  local T sg
  T=$(T0); sg=$(tape_sg 0)
  head -c 4096 /dev/urandom >/tmp/r16a
  head -c 8192 /dev/urandom >/tmp/r16b
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run sg_raw -s 4096 -i /tmp/r16a "$sg" $(cdb16 0x8a 0 4096)
  run sg_raw -s 8192 -i /tmp/r16b "$sg" $(cdb16 0x8a 1 8192)
  # READ(16) names the object: no rewind or seek in between.
  run sg_raw -r 4096 -o /tmp/b16a "$sg" $(cdb16 0x88 0 4096)
  cmp /tmp/b16a /tmp/r16a || fail "READ(16) of object 0 differs from what WRITE(16) wrote"
  run sg_raw -r 8192 -o /tmp/b16b "$sg" $(cdb16 0x88 1 8192)
  cmp /tmp/b16b /tmp/r16b || fail "READ(16) of object 1 differs from what WRITE(16) wrote"
  echo "+ (must fail) WRITE(16) naming object 0 while positioned at object 2"
  if sg_raw -s 4096 -i /tmp/r16b "$sg" $(cdb16 0x8a 0 4096) >/tmp/w16.out 2>&1 && ! grep -qi "check condition" /tmp/w16.out; then
    cat /tmp/w16.out; fail "WRITE(16) at a position other than the current one succeeded"
  fi
  cat /tmp/w16.out
  grep -qi "illegal request" /tmp/w16.out || fail "WRITE(16) at the wrong position did not answer ILLEGAL REQUEST"
  run sg_raw "$sg" $(cdb16 0x80 2 1)
  # What the 16-byte commands wrote, read back through st: the first record, then the filemark ends file 0.
  run mt -f "$T" rewind
  run dd if="$T" of=/tmp/st16 bs=8k count=1
  cmp /tmp/st16 /tmp/r16a || fail "st reads back another first record than WRITE(16) wrote"
  run mt -f "$T" rewind
  run mt -f "$T" fsf 1
  expect_file "$T" 1
  run mt -f "$T" rewind
  note "WRITE(16) x2, READ(16) by object, a wrong position refused, WRITE FILEMARKS(16) seen by st"
}
