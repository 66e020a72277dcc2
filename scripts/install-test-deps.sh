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
  postgresql            # the shared catalog's tests (scripts/services/postgres.sh)
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
