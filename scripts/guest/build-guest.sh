#!/usr/bin/env bash
# Builds the QEMU guest for the real-client tier (test/e2e) once and caches it outside the repository:
#   $VTL_GUEST_CACHE/vmlinuz        the Debian kernel image
#   $VTL_GUEST_CACHE/initrd.img     a zstd-compressed cpio: Debian minbase root fs + st/ch/sg/virtio modules + /init
#   $VTL_GUEST_CACHE/stamp          hash of this script, its package list and the kernel version
# The test script is not in the image: run-guest appends a small uncompressed cpio at boot (the kernel unpacks
# concatenated archives in order), so editing the checks never rebuilds the image.
# Needs root (debootstrap), debootstrap, cpio, zstd, apt-get, depmod. Prints the cache directory on stdout.
set -euo pipefail

cache=${VTL_GUEST_CACHE:-$HOME/.cache/vtl-guest}
suite=bookworm
# Tools the checks use; kmod for modprobe, perl-base (in minbase) for the ch ioctl probe.
packages=mt-st,mtx,sg3-utils,lsscsi,tar,coreutils,kmod,procps,util-linux,gzip,stenc
modules=(virtio_pci virtio_scsi scsi_mod st ch sg)

log() { echo "build-guest: $*" >&2; }

# The Debian mirror apt already uses (the only one reachable on CI machines); VTL_DEBIAN_MIRROR overrides it.
find_mirror() {
  if [ -n "${VTL_DEBIAN_MIRROR:-}" ]; then echo "$VTL_DEBIAN_MIRROR"; return; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822: the first URIs line of a stanza whose Suites has the plain suite name (not -security).
    uri=$(awk -v s="$suite" '
      /^URIs:/ { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
      /^$/ { if (ok && u != "") { print u; exit } ok = 0; u = "" }
      END { if (ok && u != "") print u }' "$f" | head -n1)
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk -v s="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == s) print $i; break } }' "$f" | head -n1)
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  echo "http://deb.debian.org/debian"
}

resolve_kernel() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
kernel_pkg=$(resolve_kernel)
if [ -z "$kernel_pkg" ]; then
  # Fresh containers often ship without package lists.
  apt-get update -qq >&2 || true
  kernel_pkg=$(resolve_kernel)
fi
if [ -z "$kernel_pkg" ]; then
  log "cannot resolve linux-image-amd64 (run apt-get update)"; exit 1
fi
kernel_ver=$(apt-cache policy "$kernel_pkg" | awk '/Candidate:/ { print $2 }')
stamp=$( { cat "$0"; echo "$packages ${modules[*]} $kernel_pkg $kernel_ver"; } | sha256sum | cut -c1-16)

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.img" ]; then
  echo "$cache"; exit 0
fi

mirror=$(find_mirror)
log "building guest $stamp ($kernel_pkg $kernel_ver, $suite from $mirror) in $cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Kernel: the Debian package's image and only the modules we need (with their dependencies), no host install.
(cd "$work" && apt-get download -q "$kernel_pkg" >/dev/null 2>&1) || { log "apt-get download $kernel_pkg failed"; exit 1; }
mkdir "$work/kernel"
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
kver=${kernel_pkg#linux-image-}
depmod -b "$work/kernel" "$kver"

root="$work/root"
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; log "debootstrap failed"; exit 1; }

kmods="$work/kernel/lib/modules/$kver"
mkdir -p "$root/lib/modules/$kver"
declare -A seen=()
add_module() {
  local name=$1 path dep
  path=$(awk -v n="$name" -F: '{ f = $1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f); gsub(/-/, "_", f); if (f == n) { print $1; exit } }' "$kmods/modules.dep")
  if [ -z "$path" ]; then
    grep -q "/$name.ko" "$kmods/modules.builtin" && return 0
    log "module $name not found"; exit 1
  fi
  [ -n "${seen[$path]:-}" ] && return 0
  seen[$path]=1
  for dep in $(awk -v p="$path:" '$1 == p { for (i = 2; i <= NF; i++) print $i }' "$kmods/modules.dep"); do
    dep=${dep##*/}; dep=${dep%%.ko*}; add_module "${dep//-/_}"
  done
  mkdir -p "$root/lib/modules/$kver/$(dirname "$path")"
  cp "$kmods/$path" "$root/lib/modules/$kver/$path"
}
for m in "${modules[@]}"; do add_module "$m"; done
cp "$kmods"/modules.order "$kmods"/modules.builtin* "$root/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"

# Trim what a test guest never reads; keeps the initramfs (unpacked into guest RAM) small.
rm -rf "$root"/usr/share/{doc,man,info,locale,i18n,zoneinfo} "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
  "$root"/var/cache/debconf/*-old "$root"/var/log/* "$root"/usr/lib/x86_64-linux-gnu/gconv

cat >"$root/init" <<'INIT'
#!/bin/bash
# Guest init: mount the basics, load the SCSI/virtio modules, run /vtl/run.sh (appended by run-guest),
# report on ttyS1 (results) and ttyS0 (console), power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
exec </dev/null >/dev/ttyS0 2>&1
echo "vtl-guest: init up, kernel $(uname -r)"
for m in virtio_pci virtio_scsi st ch sg; do modprobe "$m" || echo "vtl-guest: modprobe $m failed"; done
if [ -x /vtl/run.sh ]; then
  /vtl/run.sh
  echo "vtl-guest: run.sh exited with $?"
else
  echo "VTLCHECK fail guest-script no /vtl/run.sh in the initramfs" | tee /dev/ttyS1
fi
echo "VTLDONE" >/dev/ttyS1
sync
echo o >/proc/sysrq-trigger
sleep 10
INIT
chmod 755 "$root/init"

cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"
(cd "$root" && find . -xdev -print0 | cpio --null -o -H newc --quiet | zstd -q -T0 -10 -o "$work/initrd.img")
mv -f "$work/vmlinuz" "$cache/vmlinuz"
mv -f "$work/initrd.img" "$cache/initrd.img"
echo "$stamp" >"$cache/stamp"
log "guest ready: $(du -h "$cache/initrd.img" | cut -f1) initramfs"
echo "$cache"
