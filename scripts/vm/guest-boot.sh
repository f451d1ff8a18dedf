#!/bin/sh
# PID 1 of the test VM (scripts/vm-test.sh boots it with
# init=/sbin/pathmap-vm-init; scripts/vm/make-rootfs.sh installs it there).
# Mounts what a systemd boot would (proc, sys, dev, tmpfs, bpffs), the host's
# 9p shares at the paths the kernel command line names, runs the test script
# from the shared source tree and powers off. Kept tiny and baked into the
# image: the tests themselves live on the share, so changing them does not
# rebuild the image.
#
# Command line (set by scripts/vm-test.sh):
#   pathmap.mount=TAG:PATH:ro|rw   one per share, mounted in the order given
#   pathmap.run=SCRIPT             run with bash once everything is mounted
#   pathmap.src= pathmap.build= pathmap.out=   handed to SCRIPT as
#                                  PATHMAP_VM_SRC, _BUILD, _OUT
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

say() { echo "pathmap-vm-init: $*" >/dev/console; }

mnt() { # TYPE SOURCE DIR [OPTIONS]: mount unless DIR already is a mount point
  mountpoint -q "$3" 2>/dev/null && return 0
  mkdir -p "$3"
  mount -t "$1" ${4:+-o "$4"} "$2" "$3" || say "mount $1 on $3 failed"
}

mnt proc proc /proc
mnt sysfs sysfs /sys
mnt devtmpfs devtmpfs /dev
mnt devpts devpts /dev/pts
mnt tmpfs tmpfs /run mode=0755
# The initramfs hands its /run over noexec; the testbed runs its delay line from there.
mount -o remount,exec /run
mnt tmpfs tmpfs /tmp mode=1777
mnt tmpfs tmpfs /dev/shm mode=1777
mnt bpf bpf /sys/fs/bpf
mnt cgroup2 cgroup2 /sys/fs/cgroup
mount -o remount,rw / 2>/dev/null
ip link set lo up 2>/dev/null

poweroff_now() {
  sync
  echo 1 >/proc/sys/kernel/sysrq
  echo o >/proc/sysrq-trigger # ACPI power off: qemu exits
  sleep 30
  exit 1 # never reached; if it is, the kernel panics and panic=1 -no-reboot ends qemu
}

modprobe -q 9pnet_virtio && modprobe -q 9p || { say "cannot load the 9p modules"; poweroff_now; }

run='' src='' build='' out=''
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    pathmap.mount=*)
      spec=${arg#pathmap.mount=}
      tag=${spec%%:*}; rest=${spec#*:}; dir=${rest%:*}; mode=${rest##*:}
      mkdir -p "$dir" 2>/dev/null
      # msize 512 KiB: the ASan binaries are 20-200 MB, read over 9p. A
      # read-only share is cached; the writable one (the log) is not, so
      # every line is on the host even if the guest hangs.
      opts=trans=virtio,version=9p2000.L,msize=524288
      if [ "$mode" = ro ]; then opts=$opts,ro,cache=loose; else opts=$opts,rw; fi
      mount -t 9p -o "$opts" "$tag" "$dir" ||
        { say "mounting share $tag on $dir failed"; poweroff_now; }
      ;;
    pathmap.run=*) run=${arg#pathmap.run=} ;;
    pathmap.src=*) src=${arg#pathmap.src=} ;;
    pathmap.build=*) build=${arg#pathmap.build=} ;;
    pathmap.out=*) out=${arg#pathmap.out=} ;;
  esac
done

if [ -z "$run" ] || [ ! -f "$run" ]; then
  say "no test script (pathmap.run='$run')"
  poweroff_now
fi
PATHMAP_VM_SRC=$src PATHMAP_VM_BUILD=$build PATHMAP_VM_OUT=$out bash "$run" </dev/null >/dev/console 2>&1
say "test script exited with status $?"
poweroff_now
