#!/usr/bin/env bash
# Debian packages the test tiers need. Idempotent: installs only what is missing.
set -euo pipefail
packages=(
  libiscsi-bin          # iscsi-ls, iscsi-inq: real initiator tests
  sg3-utils             # host-side sg_* are not used, but the guest build takes them from the same archive
  qemu-system-x86       # the real-client tier's guest
  qemu-block-extra      # QEMU's libiscsi initiator
  qemu-utils
  debootstrap           # the guest's root file system
  cpio
  zstd
  xz-utils
  kmod                  # depmod, for the guest's module list
  util-linux            # flock around the guest cache
  bsdutils              # script(1): the log test runs vtl's logger on a terminal
  systemd               # systemd-analyze verify checks packaging/vtl.service
  chromium              # the web console's browser tests (driven by playwright-core, which downloads no browser)
  ceph-mon              # a one-node Ceph with radosgw: the S3 store the storage tests run against
  ceph-osd
  radosgw
  ceph-common           # ceph, radosgw-admin, monmaptool, ceph-authtool
  tgt                   # the physical tape library of test/physical (scripts/services/tgt-library.sh)
  postgresql            # the shared catalog's tests (scripts/services/postgres.sh)
  libzstd1              # runtime: zstd for deduplicated chunks, called through koffi (src/media/codec/)
  liblz4-1              # runtime: LZ4 for deduplicated chunks and their probe, called through koffi
  libipsec-mb1          # runtime: AES-256-GCM on VAES/AVX-512 for encrypted records (src/media/crypto/ipsec-mb-aes-gcm.ts)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
