# Drive encryption with Debian's stenc (1.0.7): SECURITY PROTOCOL OUT page 0010h sets the key, SECURITY PROTOCOL IN
# pages 0020h/0021h are what `stenc --detail` prints, and st reads what tar wrote only with the right key. The DATA
# PROTECT sense of a refused read is read with sg_raw (st only says EIO). Sourced by guest-checks.sh.

# keyfile FILE DESCRIPTION: a 256-bit key as stenc reads it (hex on the first line, the U-KAD text on the second).
keyfile() {
  printf '%s\n%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" "$2" >"$1"
}

# refused_read SG PATTERN: READ(6) of one variable block up to 256 KiB must end in DATA PROTECT naming PATTERN.
refused_read() {
  echo "+ (must fail) sg_raw READ(6) on $1"
  sg_raw -r 262144 "$1" 08 00 04 00 00 00 >/tmp/enc-read.out 2>&1
  cat /tmp/enc-read.out
  grep -qi "data protect" /tmp/enc-read.out || fail "the read did not answer DATA PROTECT"
  grep -qi "$2" /tmp/enc-read.out || fail "the sense does not say '$2'"
}

check_stenc_encryption() {
  command -v stenc >/dev/null || skip "stenc is not in the guest image"
  local bc=${ENCRYPT_BARCODE:-A00007L8} d T sg
  d=$(media_drive); T=$(tape "$d"); sg=$(tape_sg "$d")
  [ -d /tmp/data/enc ] || make_data /tmp/data/enc 2 192
  keyfile /tmp/key1 vtl-e2e-key-1
  keyfile /tmp/key2 vtl-e2e-key-2
  load "$bc" "$d"
  run mt -f "$T" setblk 0
  run mt -f "$T" rewind
  run stenc -f "$T" -e on -k /tmp/key1 -a 1 --ckod
  stenc -f "$T" --detail | tee /tmp/stenc.out
  grep -Eq "Drive Encryption: *on" /tmp/stenc.out || fail "stenc --detail does not report encryption on"
  grep -q "vtl-e2e-key-1" /tmp/stenc.out || fail "stenc --detail does not show the key descriptor"
  run tar -cf "$T" -b 128 -C /tmp/data enc
  run mt -f "$T" rewind
  stenc -f "$T" --detail | tee /tmp/stenc.out
  grep -q "Encrypted and able to decrypt" /tmp/stenc.out || fail "the next block is not reported encrypted and readable"
  rm -rf /tmp/enc-back; mkdir -p /tmp/enc-back
  run dd if="$T" of=/tmp/enc.tar bs=64k
  run tar -xf /tmp/enc.tar -C /tmp/enc-back
  [ "$(tree_sum /tmp/enc-back/enc)" = "$(tree_sum /tmp/data/enc)" ] || fail "the archive read back with the key differs"

  # The key cleared: the drive cannot decrypt (74/01).
  run stenc -f "$T" -e off
  run mt -f "$T" rewind
  refuse dd if="$T" of=/tmp/enc-none.tar bs=64k count=1
  run mt -f "$T" rewind
  refused_read "$sg" "decrypt"

  # Another key: the drive knows it is the wrong one (74/03), and stenc says so.
  run stenc -f "$T" -e on -k /tmp/key2 -a 1
  run mt -f "$T" rewind
  stenc -f "$T" --detail | tee /tmp/stenc.out
  grep -q "unable to decrypt" /tmp/stenc.out || fail "stenc --detail does not report the volume unreadable with another key"
  refuse dd if="$T" of=/tmp/enc-wrong.tar bs=64k count=1
  run mt -f "$T" rewind
  refused_read "$sg" "incorrect"

  # The right key with CKOD, then unload and reload: the key is gone with the cartridge.
  run stenc -f "$T" -e on -k /tmp/key1 -a 1 --ckod
  run mt -f "$T" rewind
  run dd if="$T" of=/dev/null bs=64k count=1
  unload "$d"
  load "$bc" "$d"
  run mt -f "$T" rewind
  refuse dd if="$T" of=/tmp/enc-reload.tar bs=64k count=1
  run mt -f "$T" rewind
  refused_read "$sg" "decrypt"
  run stenc -f "$T" -e off
  unload "$d"
  note "stenc key set and shown, tar read back with it; no key, another key and a reload without key refused"
}
