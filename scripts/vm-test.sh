#!/usr/bin/env bash
# The kernel-facing tests on Debian 12's own kernel (linux-image-amd64, 6.1),
# booted the way the Vagrant box boots it, while the host (and CI) runs a
# newer one:
#   1. build the tests on the host (BUILD_DIR, default build-asan);
#   2. a Debian 12 root filesystem from this machine's apt sources
#      (scripts/vm/make-rootfs.sh), cached under build/vm/ and keyed by a
#      hash of its package list and scripts: a second run skips mmdebstrap;
#   3. boot it with qemu-system-x86_64 (KVM when /dev/kvm really runs a
#      guest, else TCG), the source tree, the build tree and ../shared
#      shared read-only over 9p at their own absolute paths (ctest files and
#      test scripts carry them), a results directory read-write; the guest's
#      init (scripts/vm/guest-boot.sh) runs scripts/vm/guest-tests.sh and
#      powers off;
#   4. the verdict comes from the guest's log on the share, never from
#      qemu's exit status: no DONE line (a hung or crashed guest) fails.
#
#   scripts/vm-test.sh [BUILD_DIR]        (root; docs/TESTBED.md)
#   env: PATHMAP_VM_TIMEOUT=720 (s, the whole boot and test run)
#        PATHMAP_VM_ACCEL=auto|kvm|tcg  PATHMAP_VM_CPUS=2  PATHMAP_VM_MEM=4096 (MiB)
#        PATHMAP_VM_DIR=build/vm (cache and results)
#        PATHMAP_VM_SKIP_BUILD=1 (the caller just built BUILD_DIR)
#        PATHMAP_VM_SCRIPT=scripts/vm/guest-tests.sh (what the guest runs;
#          scripts/vm/guest-txbench.sh measures TX throughput instead)
# Prints one summary line; exits non-zero on any failure.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
# BUILD_DIR relative to where we are called from; the default inside SRC.
build=$(realpath -m "${1:-${PATHMAP_VM_BUILD:-$SRC/build-asan}}")
cd "$SRC"
vmdir=$(realpath -m "${PATHMAP_VM_DIR:-$SRC/build/vm}")
timeout_s=${PATHMAP_VM_TIMEOUT:-720}
accel=${PATHMAP_VM_ACCEL:-auto}
cpus=${PATHMAP_VM_CPUS:-2}
mem=${PATHMAP_VM_MEM:-4096}
guest_script=$(realpath -m "${PATHMAP_VM_SCRIPT:-$SRC/scripts/vm/guest-tests.sh}")
t_start=$SECONDS

die() { echo "vm-test: $*" >&2; exit 1; }
case "$guest_script" in "$SRC"/*) [ -f "$guest_script" ] || die "no guest script $guest_script" ;;
  *) die "PATHMAP_VM_SCRIPT must lie in $SRC (the guest reads it from the shared tree)" ;; esac
[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap builds the image as root; the guest's tests need it anyway)"
for t in qemu-system-x86_64 mmdebstrap mkfs.ext4; do
  command -v "$t" >/dev/null || die "$t missing: run scripts/setup.sh"
done

# 1. The binaries the guest runs (a no-op when the suite just built them).
[ -f "$build/CMakeCache.txt" ] || die "$build is not a configured build tree (scripts/build.sh asan makes build-asan)"
if [ "${PATHMAP_VM_SKIP_BUILD:-0}" != 1 ]; then
  cmake --build "$build" -j "$(nproc)" --target pathmap bpf_tests engine_tests >&2 || die "building in $build failed"
fi

# 2. The image, cached by what goes into it. The apt sources are part of the
# key: another mirror or suite list is another image.
mkdir -p "$vmdir"
key_files=(scripts/vm/packages.list scripts/vm/make-rootfs.sh scripts/vm/guest-boot.sh)
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && key_files+=("$f")
done
key=$(cat "${key_files[@]}" | sha256sum | cut -c1-16)
image=$vmdir/rootfs-$key
t_img=$SECONDS
if [ -f "$image.img" ]; then
  img_note="cached image"
else
  for old in "$vmdir"/rootfs-*; do
    [ -e "$old" ] && rm -rf "$old" # an image of another key is never used again
  done
  echo "vm-test: building the root filesystem (mmdebstrap) into $image.img" >&2
  scripts/vm/make-rootfs.sh "$image" || die "building the root filesystem failed"
  img_note="image built in $((SECONDS - t_img)) s"
fi

# KVM only where it really runs a guest: /dev/kvm can exist and still fail
# (no nested virtualization: here qemu aborts on an MSR with -cpu host and
# hangs with -cpu qemu64). The probe boots the kernel with no root
# filesystem: under KVM it panics within a second or two and, with
# -no-reboot, qemu exits; TCG takes ~15 s for the same.
kvm_works() {
  [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
  timeout 15 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults -display none -no-reboot \
    -serial stdio -kernel "$image.vmlinuz" -append "console=ttyS0 panic=-1 root=/dev/nonexistent" \
    2>&1 | grep -q 'Kernel panic'
}
case "$accel" in
  auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
  kvm | tcg) ;;
  *) die "PATHMAP_VM_ACCEL must be auto, kvm or tcg" ;;
esac
# shellcheck disable=SC2054 # "tcg,thread=multi" is one qemu argument
if [ "$accel" = kvm ]; then accel_args=(-accel kvm -cpu host); else accel_args=(-accel tcg,thread=multi -cpu max); fi

# 3. Boot. Results go to a fresh directory of their own, shared read-write.
out=$vmdir/run
rm -rf "$out"
mkdir -p "$out"
shares=("src:$SRC:ro" "build:$build:ro")
[ -d "$SRC/../shared" ] && shares+=("shared:$(realpath "$SRC/../shared"):ro")
shares+=("out:$out:rw")
qemu_share=() cmdline_mounts=""
for s in "${shares[@]}"; do
  tag=${s%%:*} rest=${s#*:}
  path=${rest%:*} mode=${rest##*:}
  ro=""
  [ "$mode" = ro ] && ro=",readonly=on"
  qemu_share+=(-fsdev "local,id=fs$tag,path=$path,security_model=none$ro" -device "virtio-9p-pci,fsdev=fs$tag,mount_tag=$tag")
  cmdline_mounts+=" pathmap.mount=$tag:$path:$mode"
done
append="console=ttyS0 root=/dev/vda rw panic=1 init=/sbin/pathmap-vm-init quiet loglevel=4${cmdline_mounts}"
append+=" pathmap.run=$guest_script pathmap.src=$SRC pathmap.build=$build pathmap.out=$out"

echo "vm-test: booting Debian 12's kernel ($accel, $cpus vCPUs, $mem MiB; up to $timeout_s s), log $out/guest.log" >&2
t_boot=$SECONDS
rc=0
# -snapshot: the guest's writes go to a temporary overlay; the cached image
# stays as built. No network device: the tests need none.
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" -smp "$cpus" -m "$mem" \
  -machine pc -nodefaults -display none -no-reboot -nic none -snapshot \
  -drive "file=$image.img,format=raw,if=virtio" \
  -kernel "$image.vmlinuz" -initrd "$image.initrd" -append "$append" \
  "${qemu_share[@]}" -serial "file:$out/console.log" </dev/null >"$out/qemu.log" 2>&1 || rc=$?
boot_s=$((SECONDS - t_boot))

# 4. The verdict, from the guest's own log.
log=$out/guest.log
touch "$log" # a guest that never got to write it: every field below is empty
kernel=$(sed -n 's/^uname -r: //p' "$log" | head -1)
done_line=$(grep '^DONE ' "$log" | tail -1 || true)
fails=$(grep '^RESULT .* FAIL' "$log" | awk '{print $2}' | sort -u | paste -sd' ' - || true)
passes=$(grep -c '^RESULT .* PASS' "$log" || true)
why=""
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then why="the guest did not finish within $timeout_s s"
elif [ $rc -ne 0 ]; then why="qemu failed (exit $rc): $(tail -1 "$out/qemu.log")"
elif [ -z "$kernel" ]; then why="the guest wrote no log (see $out/console.log)"
elif [ -z "$done_line" ]; then why="the guest stopped before its tests ended (see $out/console.log)"
elif [ -n "$fails" ]; then why="failed: $fails"
fi
summary="kernel ${kernel:-?} ($accel), ${passes:-0} steps passed, ${img_note}, boot and tests ${boot_s} s, total $((SECONDS - t_start)) s"
if [ -n "$why" ]; then
  sed 's/^/  guest: /' "$log" >&2
  if [ -z "$kernel" ] || [ -z "$done_line" ]; then
    tail -30 "$out/console.log" 2>/dev/null | sed 's/^/  console: /' >&2 || true
  fi
  echo "vm-test: FAIL: $why; $summary; logs in $out"
  exit 1
fi
echo "vm-test: PASS: $summary; log $log"
