#!/usr/bin/env bash
# The one place that lists pathmap's packages. Idempotent and non-interactive:
# installs only what is missing, runs apt-get update at most once.
# Debian 12 first; Ubuntu 22.04/24.04 use the same names.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-dev llvm libbpf-dev bpftool libxdp-dev libelf-dev zlib1g-dev linux-libc-dev
  libboost-graph-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  # RIPE Atlas JSON lines at 600 MB/s (graph/simd_json.h)
  libsimdjson-dev
  # reverse DNS (asynchronous PTR lookups); offline AS and country (libloc, its
  # database, and its `location` CLI the tests compare against)
  libc-ares-dev libloc-dev libloc-database location
  libgtest-dev libgmock-dev
  # testbed and peers
  iproute2 iptables iputils-ping dnsmasq-base traceroute scamper mtr-tiny ethtool tmux procps psmisc
  # the wire-level burst check captures probes inside a testbed router
  tcpdump
  # readers of our outputs
  python3 python3-networkx python3-igraph libxml2-utils graphviz
  # benchmark plots (bench/sweep_plot.py)
  python3-matplotlib
  # geolocation: GeoNames cities15000 gazetteer, MaxMind DB reader
  libtimezonemap-data libmaxminddb-dev
  # geolocation tests: write a City-style .mmdb (MaxMind::DB::Writer), read it back (mmdblookup)
  libmaxmind-db-writer-perl mmdb-bin
  # the hop store: SQLite and libpq; the sqlite3 and psql CLIs and a PostgreSQL 15
  # server the integration test starts in a temporary directory
  libsqlite3-dev sqlite3 libpq-dev postgresql-15 postgresql-client-15
  # the VM: tests/integration/vagrant_test.sh runs `vagrant validate` (Debian packages it)
  vagrant
  # scripts/vm-test.sh: a Debian 12 image (mmdebstrap, mkfs.ext4) booted by qemu
  mmdebstrap qemu-system-x86 e2fsprogs
)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: must run as root (installs packages)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # bpftool is packaged as 'linux-tools-common'-style on Ubuntu; accept either.
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup.sh: installing ${missing[*]}"
# postgresql-15 would create and start a "main" cluster on port 5432; pathmap's
# tests start their own on a private Unix socket, so none is wanted.
# (createcluster.d, not the package's own conffile createcluster.conf.)
if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/pathmap.conf
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/pathmap-setup.log 2>&1; then
  # Ubuntu ships bpftool inside linux-tools; retry without it there.
  if grep -qi ubuntu /etc/os-release; then
    missing=("${missing[@]/bpftool/linux-tools-generic}")
    # Ubuntu 24.04 no longer ships vagrant; its test then skips.
    keep=(); for p in "${missing[@]}"; do [ "$p" = vagrant ] || keep+=("$p"); done; missing=("${keep[@]}")
    apt-get install -y -qq --no-install-recommends "${missing[@]}" || { cat /tmp/pathmap-setup.log >&2; exit 1; }
  else
    cat /tmp/pathmap-setup.log >&2
    exit 1
  fi
fi
