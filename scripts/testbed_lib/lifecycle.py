"""Bringing a planned testbed up and tearing it down.

`up` writes every command into the run's state directory first (ip batch
files, one shell script, iptables rule sets), runs them with few processes,
then starts the run's daemons (delay lines, TCP listeners, dnsmasq) and
records their pids. `down` works from what exists (namespaces named
pm<N>-*, pid files), so it also cleans a half-built run and is idempotent.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from . import topology, truth as truth_mod

STATE_ROOT = os.environ.get("PATHMAP_TESTBED_STATE", "/run/pathmap-testbed")
LIB_DIR = os.path.dirname(os.path.abspath(__file__))
RUN_NAME = re.compile(r"^[a-z0-9]{1,10}$")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
DELAY_QUEUE_FRAMES = 4096


class TestbedError(Exception):
    pass


def check_name(name):
    if not RUN_NAME.match(name or ""):
        raise TestbedError(f"run name '{name}': use 1-10 of [a-z0-9] (it becomes the namespace prefix pm<name>-)")


def ns_prefix(name):
    return f"pm{name}-"


def state_dir(name):
    return os.path.join(STATE_ROOT, name)


def run_namespaces(name):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    pre = ns_prefix(name)
    return [l.split()[0] for l in out.splitlines() if l.split() and l.split()[0].startswith(pre)]


def _sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise TestbedError(f"'{' '.join(cmd)}' failed: {(r.stderr or r.stdout).strip()}")
    return r.stdout


def _icmp_sysctls(icmp):
    mode = icmp["mode"]
    if mode in ("open", "silent"):
        # silent drops Time Exceeded in iptables; its other ICMP stays open.
        return ["net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_per_sec=1000000",
                "net.ipv4.icmp_msgs_burst=1000000"]
    if mode == "limited":
        # Per-destination limiting off, so the namespace-wide N/s is what shows.
        n = icmp["rate"]
        return ["net.ipv4.icmp_ratelimit=0", f"net.ipv4.icmp_msgs_per_sec={n}", f"net.ipv4.icmp_msgs_burst={n}"]
    return []  # linux-default: untouched


def _script(plan, name, sd):
    """Write the batch files and the one setup script; return its path."""
    pre = ns_prefix(name)
    nss = [pre + n for n in plan.nodes] + [pre + l.wire for l in plan.links if l.wire]
    root = [f"netns add {ns}" for ns in nss]
    per_ns = {n: [] for n in plan.nodes}
    ethtool = []
    for l in plan.links:
        a_if = plan.nodes[l.a].iface_to(l.b)
        b_if = plan.nodes[l.b].iface_to(l.a)
        if l.wire:
            w = pre + l.wire
            root.append(f"link add name {a_if.ifname} netns {pre + l.a} type veth peer name side-a netns {w}")
            root.append(f"link add name {b_if.ifname} netns {pre + l.b} type veth peer name side-b netns {w}")
            per_ns.setdefault(l.wire, []).extend(["link set lo up", "link set side-a up", "link set side-b up"])
            off = "tx off rx off gso off gro off tso off"
            ethtool += [f"ip netns exec {w} ethtool -K side-a {off} >/dev/null",
                        f"ip netns exec {w} ethtool -K side-b {off} >/dev/null",
                        f"ip netns exec {pre + l.a} ethtool -K {a_if.ifname} {off} >/dev/null",
                        f"ip netns exec {pre + l.b} ethtool -K {b_if.ifname} {off} >/dev/null"]
        else:
            root.append(f"link add name {a_if.ifname} netns {pre + l.a} type veth peer name {b_if.ifname} netns {pre + l.b}")
    for n, node in plan.nodes.items():
        cmds = per_ns[n]
        cmds.append("link set lo up")
        for i in node.ifaces:
            cmds.append(f"addr add {i.addr} dev {i.ifname}")
            cmds.append(f"link set {i.ifname} up")
        if node.kind in ("prober", "dns", "sink"):
            gw = plan.nodes[node.ifaces[0].peer].iface_to(n)
            cmds.append(f"route add default via {gw.addr.ip} dev eth0")
        if node.kind == "prober":
            # No src: the kernel picks the uplink's own address, as truth assumes.
            for up in plan.uplinks:
                gw = plan.nodes[up.router].iface_to(n)
                for p in up.prefixes:
                    cmds.append(f"route add {p} via {gw.addr.ip} dev {up.iface.ifname}")
        if node.kind == "sink":
            for p in node.prefixes:
                cmds.append(f"route add local {p} dev lo")
        if node.kind == "router":
            for prefix, (kind, arg) in plan.routes[n]:
                if kind == "connected":
                    continue
                if kind == "sink":
                    s = plan.nodes[arg]
                    cmds.append(f"route add {prefix} via {s.ifaces[0].addr.ip}")
                elif kind == "via":
                    hops = [plan.nodes[h].iface_to(n).addr.ip for h in arg]
                    if len(hops) == 1:
                        cmds.append(f"route add {prefix} via {hops[0]}")
                    else:
                        cmds.append(f"route add {prefix} " + " ".join(f"nexthop via {h}" for h in hops))
                else:
                    cmds.append(f"route add {kind} {prefix}")
    lines = ["set -e", f"ip -batch {sd}/netns.batch"]
    with open(f"{sd}/netns.batch", "w") as f:
        f.write("\n".join(root) + "\n")
    for n, cmds in per_ns.items():
        ns = pre + n
        node = plan.nodes.get(n)
        sysctls = ["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]
        if node is not None:
            sysctls += ["net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"]
            sysctls += [f"net.ipv4.conf.{i.ifname.replace('.', '/')}.rp_filter=0" for i in node.ifaces]
            if node.kind == "router":
                sysctls.append("net.ipv4.ip_forward=1")
                if node.spec.get("ecmp"):
                    sysctls.append("net.ipv4.fib_multipath_hash_policy=1")
            if node.kind in ("router", "sink"):
                sysctls += _icmp_sysctls(node.icmp)
        lines.append(f"ip netns exec {ns} sysctl -q -w {' '.join(sysctls)}")
        with open(f"{sd}/{n}.batch", "w") as f:
            f.write("\n".join(cmds) + "\n")
        lines.append(f"ip -n {ns} -batch {sd}/{n}.batch")
    # iptables: silent routers, loss, NAT.
    rules = {}
    for r in plan.routers:
        if r.icmp["mode"] == "silent":
            rules.setdefault(r.name, {}).setdefault("filter", []).append(
                "-A OUTPUT -p icmp --icmp-type time-exceeded -j DROP")
    for l in plan.links:
        if not l.loss:
            continue
        dirs = {"a_to_b": [(l.b, l.a)], "b_to_a": [(l.a, l.b)], "both": [(l.b, l.a), (l.a, l.b)]}[l.loss_direction]
        for receiver, sender in dirs:
            if plan.nodes[receiver].kind != "router":
                raise TestbedError(f"loss on {l.a}-{l.b}: the receiving end {receiver} must be a router")
            ifn = plan.nodes[receiver].iface_to(sender).ifname
            rules.setdefault(receiver, {}).setdefault("raw", []).append(
                f"-A PREROUTING -i {ifn} -m statistic --mode random --probability {l.loss} -j DROP")
    for r, toward in plan.nat:
        ifn = plan.nodes[r].iface_to(toward).ifname
        rules.setdefault(r, {}).setdefault("nat", []).append(f"-A POSTROUTING -o {ifn} -j MASQUERADE")
    for r, tables in rules.items():
        text = []
        for table, rs in tables.items():
            text.append(f"*{table}")
            text += rs
            text.append("COMMIT")
        with open(f"{sd}/{r}.iptables", "w") as f:
            f.write("\n".join(text) + "\n")
        lines.append(f"ip netns exec {pre + r} iptables-restore --noflush < {sd}/{r}.iptables")
    lines += ethtool
    path = f"{sd}/setup.sh"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _spawn(sd, label, ns, argv, match):
    log_path = f"{sd}/logs/{label}.log"
    with open(log_path, "wb") as log:
        p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    p.log_path = log_path
    with open(f"{sd}/pids/{label}.pid", "w") as f:
        f.write(f"{p.pid} {match}\n")
    return p


def _wait_files(procs, timeout=10.0):
    """procs: list of (Popen, ready file, label). Fails if one dies or stalls."""
    deadline = time.monotonic() + timeout
    pending = list(procs)
    while pending:
        for item in list(pending):
            p, ready, label = item
            if os.path.exists(ready):
                pending.remove(item)
            elif p.poll() is not None:
                with open(p.log_path, errors="replace") as f:
                    last = f.read().strip().splitlines()[-1:]
                raise TestbedError(f"{label} exited early (status {p.returncode}): {' '.join(last)}")
        if pending and time.monotonic() > deadline:
            raise TestbedError(f"{pending[0][2]} did not become ready within {timeout:.0f}s")
        time.sleep(0.02)


def _compile_delay_line(sd):
    out = f"{sd}/delay_line"
    r = subprocess.run(["cc", "-O2", "-o", out, f"{LIB_DIR}/delay_line.c"], capture_output=True, text=True)
    if r.returncode != 0:
        raise TestbedError(f"compiling the delay line failed (is build-essential installed?): {r.stderr.strip()}")
    return out


def _start_daemons(plan, name, sd, tb):
    pre = ns_prefix(name)
    waits = []
    if any(l.wire for l in plan.links):
        dl = _compile_delay_line(sd)
        for l in plan.links:
            if not l.wire:
                continue
            stats = f"{sd}/{l.wire}.stats.json"
            one_way_us = int(round(l.delay_ms * 1000 / 2))
            p = _spawn(sd, l.wire, pre + l.wire,
                       [dl, "side-a", "side-b", str(one_way_us), str(DELAY_QUEUE_FRAMES), stats], "delay_line")
            waits.append((p, stats, f"delay line {l.wire}"))
    for s in plan.sinks:
        if s.tcp_port is None:
            continue
        ready = f"{sd}/{s.name}.listening"
        p = _spawn(sd, f"tcp-{s.name}", pre + s.name,
                   [PYTHON, f"{LIB_DIR}/tcp_listener.py", str(s.tcp_port), ready], "tcp_listener.py")
        waits.append((p, ready, f"TCP listener on {s.name}"))
    if plan.dns:
        hosts = f"{sd}/rdns.hosts"
        with open(hosts, "w") as f:
            for addr, n in sorted(tb["rdns"].items()):
                f.write(f"{addr} {n}\n")
        addr = tb["dns"]["addr"]
        pidf = f"{sd}/dnsmasq.pidfile"
        p = _spawn(sd, "dnsmasq", pre + "dns",
                   ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--port=53",
                    "--bind-interfaces", f"--listen-address={addr}", f"--addn-hosts={hosts}",
                    "--conf-file=/dev/null", "--user=root", "--group=root", f"--pid-file={pidf}",
                    "--log-facility=-", "--cache-size=0",
                    # Authoritative for reverse names: an address without a
                    # name gets NXDOMAIN, as from a real server, not REFUSED.
                    "--local=/in-addr.arpa/"], "dnsmasq")
        waits.append((p, pidf, "dnsmasq"))
        os.makedirs(f"/etc/netns/{pre}prober", exist_ok=True)
        with open(f"/etc/netns/{pre}prober/resolv.conf", "w") as f:
            f.write(f"# pathmap testbed {name}: rDNS through the testbed's dnsmasq\nnameserver {addr}\n"
                    "options timeout:1 attempts:2\n")
    _wait_files(waits)


def up(topology_path, name):
    check_name(name)
    plan = topology.load(topology_path)
    sd = state_dir(name)
    if os.path.exists(sd) or run_namespaces(name):
        raise TestbedError(f"a testbed named '{name}' already exists; run: scripts/testbed down --name {name}")
    if os.geteuid() != 0:
        raise TestbedError("testbed up must run as root (it creates network namespaces)")
    t0 = time.monotonic()
    os.makedirs(f"{sd}/pids")
    os.makedirs(f"{sd}/logs")
    try:
        tb = truth_mod.compute(plan, ns_prefix(name), {s.name: s.tcp_port for s in plan.sinks})
        tb["run"] = {"name": name, "state_dir": sd, "topology": os.path.abspath(topology_path)}
        shutil.copy(topology_path, f"{sd}/topology.json")
        script = _script(plan, name, sd)
        r = subprocess.run(["sh", script], capture_output=True, text=True)
        if r.returncode != 0:
            raise TestbedError(f"building namespaces failed: {r.stderr.strip().splitlines()[-1:]} "
                               f"(commands in {script})")
        _start_daemons(plan, name, sd, tb)
        tb["run"]["up_seconds"] = round(time.monotonic() - t0, 3)
        with open(f"{sd}/truth.json.tmp", "w") as f:
            json.dump(tb, f, indent=1)
        os.rename(f"{sd}/truth.json.tmp", f"{sd}/truth.json")
    except BaseException:
        down(name, quiet=True)
        raise
    return sd, tb


def _kill_pid(pid, match):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    if match and match not in cmd:
        return False  # pid reused by something else: not ours
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True


def _alive(pid):
    """True while pid runs; reaps it if it is our own child (failed up)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def down(name, quiet=False):
    check_name(name)
    pre = ns_prefix(name)
    sd = state_dir(name)
    killed = []
    if os.path.isdir(f"{sd}/pids"):
        for fn in os.listdir(f"{sd}/pids"):
            try:
                pid_text, _, match = open(f"{sd}/pids/{fn}").read().strip().partition(" ")
                if _kill_pid(int(pid_text), match):
                    killed.append(int(pid_text))
            except (OSError, ValueError):
                continue
    nss = run_namespaces(name)
    # Anything still running inside our namespaces is ours too.
    for ns in nss:
        out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
        for pid in out.split():
            if not pid.isdigit() or int(pid) in killed:
                continue
            try:
                os.kill(int(pid), signal.SIGTERM)
                killed.append(int(pid))
            except (ProcessLookupError, ValueError):
                pass
    deadline = time.monotonic() + 3
    for pid in killed:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if nss:
        subprocess.run(["ip", "-force", "-batch", "-"], input="".join(f"netns del {ns}\n" for ns in nss),
                       capture_output=True, text=True)
    etc = f"/etc/netns/{pre}prober"
    if os.path.isdir(etc):
        shutil.rmtree(etc, ignore_errors=True)
    had_state = os.path.isdir(sd)
    if had_state:
        shutil.rmtree(sd, ignore_errors=True)
    left = run_namespaces(name)
    if left:
        raise TestbedError(f"could not delete namespaces: {' '.join(left)}")
    if not quiet:
        if nss or had_state:
            print(f"testbed {name}: down ({len(nss)} namespaces, {len(killed)} processes)")
        else:
            print(f"testbed {name}: nothing to tear down")


def list_runs():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    runs = set(os.listdir(STATE_ROOT)) if os.path.isdir(STATE_ROOT) else set()
    counts = {}
    for l in out.splitlines():
        ns = l.split()[0] if l.split() else ""
        m = re.match(r"^pm([a-z0-9]{1,10})-", ns)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    for r in sorted(runs | set(counts)):
        truth = os.path.join(STATE_ROOT, r, "truth.json")
        print(f"{r}\t{counts.get(r, 0)} namespaces\t{truth if os.path.exists(truth) else '(no truth file)'}")
