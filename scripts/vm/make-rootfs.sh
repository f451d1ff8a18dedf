#!/usr/bin/env bash
# Builds the test VM's disk: a Debian 12 root filesystem made by mmdebstrap
# from this machine's own apt sources (bookworm, -updates, -security: the
# 6.1 kernel package lives in the last two), with the packages of
# scripts/vm/packages.list and scripts/vm/guest-boot.sh as its init, packed
# into an ext4 image. The kernel and initramfs are copied out beside it,
# since qemu boots them directly (-kernel/-initrd), as a bootloader would.
#
#   scripts/vm/make-rootfs.sh OUT_PREFIX
# writes OUT_PREFIX.img, OUT_PREFIX.vmlinuz, OUT_PREFIX.initrd (atomically:
# a failed or interrupted build leaves none of them). Needs root (mmdebstrap's
# root mode, chroot) and network to the Debian mirror.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-rootfs.sh OUT_PREFIX}

[ "$(id -u)" = 0 ] || { echo "make-rootfs.sh: needs root (mmdebstrap builds the chroot as root)" >&2; exit 1; }
for t in mmdebstrap mkfs.ext4; do
  command -v "$t" >/dev/null || { echo "make-rootfs.sh: $t missing: run scripts/setup.sh" >&2; exit 1; }
done

# The machine's own Debian sources: every enabled apt sources file that
# names bookworm (third-party repositories need keys the chroot lacks).
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -q '^[^#]*bookworm' "$f" && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "make-rootfs.sh: no apt sources file names bookworm" >&2; exit 1; }

packages=$(sed 's/#.*//' "$here/packages.list" | tr -s ' \t\n' '\n' | grep . | paste -sd, -)

work=$(mktemp -d "${out}.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

# No docs, man pages, locales, nor drivers a virtio guest never loads: less
# to unpack and copy into the image (the kernel itself is untouched).
# (bookworm's kernel package ships its modules under /lib/modules.)
excludes=("/usr/share/doc/*" "/usr/share/man/*" "/usr/share/locale/*" "/usr/share/info/*")
for d in drivers/gpu drivers/media drivers/net/wireless sound drivers/infiniband drivers/staging; do
  excludes+=("/lib/modules/*/kernel/$d/*")
done
# unsafe-io: no fsync per unpacked file; a failed build is thrown away anyway.
dpkgopts=(--dpkgopt=force-unsafe-io)
for e in "${excludes[@]}"; do dpkgopts+=("--dpkgopt=path-exclude=$e"); done

# The initramfs needs only what mounts a virtio ext4 root (the 9p modules
# load later, from the root filesystem): MODULES=list and a hook naming them,
# in place before the kernel's postinst builds it (MODULES=most copies and
# compresses every storage driver, twice: postinst and trigger).
mkdir -p "$work/initramfs/conf.d" "$work/initramfs/hooks"
echo MODULES=list >"$work/initramfs/conf.d/pathmap-vm"
printf '%s\n' '#!/bin/sh' '[ "$1" = prereqs ] && exit 0' '. /usr/share/initramfs-tools/hook-functions' \
  'manual_add_modules virtio_pci virtio_blk ext4' >"$work/initramfs/hooks/pathmap-vm"
chmod 0755 "$work/initramfs/hooks/pathmap-vm"

# --variant=apt: the essential set plus apt and our list, nothing else.
mmdebstrap --variant=apt --components=main --include="$packages" \
  --aptopt='Acquire::Languages "none"' "${dpkgopts[@]}" \
  --essential-hook="mkdir -p \"\$1/etc/initramfs-tools\" && cp -r '$work/initramfs/.' \"\$1/etc/initramfs-tools/\"" \
  bookworm "$root" "${sources[@]}" >"$work/mmdebstrap.log" 2>&1 || {
  tail -30 "$work/mmdebstrap.log" >&2
  echo "make-rootfs.sh: mmdebstrap failed (log above)" >&2
  exit 1
}

kver=$(ls "$root/lib/modules" | sort -V | tail -1)
[ -n "$kver" ] && [ -f "$root/boot/vmlinuz-$kver" ] && [ -f "$root/boot/initrd.img-$kver" ] || {
  echo "make-rootfs.sh: the chroot has no kernel and initramfs (linux-image-amd64 missing?)" >&2
  exit 1
}
install -m 0755 "$here/guest-boot.sh" "$root/sbin/pathmap-vm-init"
echo pathmap-vm >"$root/etc/hostname"
# The guest has no network of its own: resolving its own name must not wait.
printf '127.0.0.1 localhost\n127.0.1.1 pathmap-vm\n' >"$root/etc/hosts"

# Room for what the tests write outside tmpfs (/etc/netns, /run is tmpfs).
size_mb=$(( $(du -sm "$root" | cut -f1) * 12 / 10 + 256 ))
truncate -s "${size_mb}M" "$work/rootfs.img"
mkfs.ext4 -q -F -L pathmap-vm -d "$root" "$work/rootfs.img"
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd"

mv "$work/vmlinuz" "$out.vmlinuz"
mv "$work/initrd" "$out.initrd"
mv "$work/rootfs.img" "$out.img" # last: the image's presence means all three are there
echo "make-rootfs.sh: $out.img (${size_mb} MiB, kernel $kver)" >&2
