#!/usr/bin/env bash
# vagrant/Vagrantfile is valid (`vagrant validate`) and asks for what the
# project promises: Debian 12, 2 CPUs, 4 GiB, the repo at /pathmap,
# provisioning by scripts/setup.sh. Skips (77) where vagrant is not
# installable (scripts/setup.sh installs it on Debian).
set -euo pipefail
src=${PATHMAP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v vagrant >/dev/null; then
  echo "vagrant_test: vagrant is not installed (not packaged on this distribution); skipping"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Keep vagrant's state out of the source tree and out of root's home.
export VAGRANT_DOTFILE_PATH="$tmp/dot" VAGRANT_HOME="$tmp/home" VAGRANT_CHECKPOINT_DISABLE=1
cd "$src/vagrant"
# --ignore-provider: CI has no VirtualBox/libvirt; the provider blocks only size the VM.
vagrant validate --ignore-provider
fail=0
expect() {
  if grep -Eq "$1" Vagrantfile; then echo "ok    Vagrantfile: $2"; else echo "FAIL  Vagrantfile: $2"; fail=1; fi
}
expect 'config\.vm\.box = "debian/bookworm64"' "Debian 12 box"
expect 'cpus = 2$' "2 CPUs"
expect 'memory = 4096$' "4 GiB"
expect 'synced_folder "\.\.", "/pathmap"' "repo synced at /pathmap"
expect 'scripts/setup\.sh' "provisioned by scripts/setup.sh"
# validate really rejects a broken file (so the pass above means something).
sed 's/config\.vm\.box = /config.vm.boxx = /' Vagrantfile > "$tmp/Vagrantfile"
if (cd "$tmp" && vagrant validate --ignore-provider >/dev/null 2>&1); then
  echo "FAIL  vagrant validate accepted a Vagrantfile without a box"; fail=1
else
  echo "ok    vagrant validate rejects a Vagrantfile without a box"
fi
exit $fail
