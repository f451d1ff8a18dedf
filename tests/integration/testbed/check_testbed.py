#!/usr/bin/python3
"""Checks a running testbed against its truth.json with real tools.

Usage:
  check_testbed.py small NAME     traceroute, delay, loss, rDNS, TCP on small.json
  check_testbed.py default NAME   requirements of default.json plus two traceroutes
  check_testbed.py gone NAME PIDFILE_COPY_DIR   nothing of NAME is left
Every check prints one line; the exit status is the number of failures.
"""
import ipaddress
import json
import os
import random
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTBED = os.path.join(HERE, "..", "..", "..", "scripts", "testbed")
failures = 0


def check(ok, what):
    global failures
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        failures += 1
    return ok


def load_truth(name):
    path = subprocess.run([TESTBED, "truth", "--name", name], capture_output=True, text=True,
                          check=True).stdout.strip()
    with open(path) as f:
        return json.load(f)


def in_prober(name, argv, timeout=60, **kw):
    return subprocess.run([TESTBED, "exec", "--name", name, "--"] + argv, capture_output=True,
                          text=True, timeout=timeout, **kw)


def traceroute(name, dst, max_ttl, queries=2):
    """Per TTL: list of answers, each an address or '*'; plus annotations like !H."""
    out = in_prober(name, ["traceroute", "-n", "-q", str(queries), "-w", "1", "-m", str(max_ttl), dst]).stdout
    hops, notes = [], []
    for line in out.splitlines()[1:]:
        tokens = line.split()
        if not tokens or not tokens[0].isdigit():
            continue
        answers = [t for t in tokens[1:] if t == "*" or re.match(r"^\d+\.\d+\.\d+\.\d+$", t)]
        # traceroute prints an address once for consecutive probes answered by it.
        hops.append(answers)
        notes.append([t for t in tokens[1:] if t.startswith("!")])
    return hops, notes, out


def sample_addresses(prefix, k, rng):
    net = ipaddress.ip_network(prefix)
    return [str(net.network_address + rng.randrange(1, net.num_addresses - 1)) for _ in range(k)]


def check_trace(name, truth, target, dst, lossy_from=None):
    """traceroute sees exactly the truth's reply addresses, '*' only where silent."""
    hops = target["hops"]
    final = target.get("destination_hop")
    max_ttl = final if final else len(hops) + 2
    got, notes, raw = traceroute(name, dst, max_ttl)
    ok = True
    why = ""
    for ttl, answers in enumerate(got, 1):
        expected = set(hops[ttl - 1]) if ttl <= len(hops) else ({dst} if ttl == final else {None})
        addrs = [a for a in answers if a != "*"]
        stars = len(answers) - len(addrs)
        tolerate_loss = lossy_from is not None and ttl >= lossy_from
        if any(a not in expected for a in addrs):
            ok, why = False, f"ttl {ttl}: {addrs} not in {sorted(expected, key=str)}"
            break
        # The destination and an unreachable route's ICMP (limited by the
        # kernel's global route.error_cost) may skip a probe once one answered.
        answered_end = addrs and (ttl == final or (target["kind"] in ("unreachable", "prohibit")
                                                   and ttl == len(hops)))
        # A rate-limited router may skip a probe, never answer from elsewhere.
        limited = {r["reply_addr"] for r in truth["routers"] if r["icmp"] in ("limited", "linux-default")}
        answered_end = answered_end or (addrs and expected <= limited)
        if stars and None not in expected and not tolerate_loss and not answered_end:
            ok, why = False, f"ttl {ttl}: '*' but expected {sorted(expected, key=str)}"
            break
        if expected == {None} and addrs:
            ok, why = False, f"ttl {ttl}: silent hop answered {addrs}"
            break
    if ok and final and len(got) != final:
        ok, why = False, f"reached ttl {len(got)}, truth says the destination is at {final}"
    if ok and final and dst not in got[-1] and not lossy_from:
        ok, why = False, f"destination {dst} did not answer at ttl {final}"
    if ok and target["kind"] in ("unreachable", "prohibit"):
        want = "!H" if target["kind"] == "unreachable" else "!X"
        last = max((i for i, a in enumerate(got) if any(x != "*" for x in a)), default=-1)
        if last != len(hops) - 1 or want not in notes[last]:
            ok, why = False, f"expected {want} from {target['answered_by']} at ttl {len(hops)}"
    if ok and target["kind"] == "blackhole":
        if any(x != "*" for a in got[len(hops):] for x in a):
            ok, why = False, "something answered beyond the blackholing router"
    check(ok, f"traceroute {dst} ({target['kind']} {target['prefix']}) matches truth" + (f": {why}\n{raw}" if why else ""))
    return [a for answers in got for a in answers if a != "*"]


def ping_rtts(name, dst, count, interval):
    r = in_prober(name, ["ping", "-n", "-c", str(count), "-i", str(interval), "-W", "1", dst], timeout=120)
    rtts = [float(m) for m in re.findall(r"time=([\d.]+) ms", r.stdout)]
    return rtts, r.stdout


def te_count(name, truth, router, count, seconds):
    """Time Exceeded replies from router for count probes aimed to expire there."""
    for t in truth["targets"]:
        for path in t["router_paths"]:
            if router in path and t["kind"] == "sink":
                ttl = path.index(router) + 1
                dst = str(ipaddress.ip_network(t["prefix"]).network_address + 9)
                r = next(x for x in truth["routers"] if x["name"] == router)
                src = r["reply_addr_if_not_silent"]
                out = in_prober(name, ["/usr/bin/python3", os.path.join(HERE, "icmp_rate.py"), dst, str(ttl),
                                       str(count), str(seconds), src])
                return int(out.stdout.strip() or -1)
    raise RuntimeError(f"no path through {router}")


def check_icmp_modes(name, truth):
    """open answers every probe, silent none, limited N about N/s after a burst of N,
    linux-default about 6 then 1/s."""
    count, seconds = 400, 2.0
    lossy = {x for l in truth["lossy_links"] for x in (l["a"], l["b"])}
    for r in truth["routers"]:
        mode = r["icmp"]
        if mode == "open" and r["name"] not in lossy:
            got = te_count(name, truth, r["name"], count, seconds)
            check(got >= 0.98 * count, f"icmp open {r['name']}: {got}/{count} Time Exceeded in {seconds}s")
            break
    for r in truth["routers"]:
        if r["icmp"] == "silent":
            got = te_count(name, truth, r["name"], 100, 0.5)
            check(got == 0, f"icmp silent {r['name']}: {got}/100 Time Exceeded")
    for r in truth["routers"]:
        if r["icmp"] == "limited":
            n = r["icmp_rate"]
            expected = n + n * seconds
            got = te_count(name, truth, r["name"], count, seconds)
            check(0.6 * expected <= got <= 1.4 * expected,
                  f"icmp limited {n} {r['name']}: {got}/{count} Time Exceeded in {seconds}s (expected ~{expected:.0f})")
        elif r["icmp"] == "linux-default":
            got = te_count(name, truth, r["name"], 100, 1.0)
            check(3 <= got <= 12, f"icmp linux-default {r['name']}: {got}/100 Time Exceeded in 1s (expected ~7)")


def small(name):
    truth = load_truth(name)
    rng = random.Random(7)
    lossy = {(l["a"], l["b"]) for l in truth["lossy_links"]}
    seen = set()
    for t in truth["targets"]:
        lossy_from = None
        for path in t["router_paths"]:
            for k, (x, y) in enumerate(zip(path, path[1:])):
                if (x, y) in lossy or (y, x) in lossy:
                    lossy_from = k + 2
        for dst in sample_addresses(t["prefix"], 2 if t["kind"] == "sink" else 1, rng):
            seen.update(check_trace(name, truth, t, dst, lossy_from))
    # Both branches of the ECMP diamond show up across varied flows.
    branch_sets = [set(h) - {None} for t in truth["targets"] for h in t["hops"] if len(h) > 1]
    if check(bool(branch_sets), "small topology has an ECMP hop in truth"):
        check(all(b <= seen for b in branch_sets), f"traceroute saw every ECMP branch {sorted(set().union(*branch_sets))}")
    unrouted = str(ipaddress.ip_address("198.19.99.1"))
    got, notes, raw = traceroute(name, unrouted, 3, queries=1)
    check(got and got[0] == [truth["unrouted"]["answered_by"]] and "!N" in notes[0],
          f"unrouted {unrouted} answered !N by {truth['unrouted']['answered_by']}")

    check_icmp_modes(name, truth)

    # Delay line: RTT through it within 10% of the configured added RTT.
    d = truth["delay_links"][0]
    delayed = next(t for t in truth["targets"] if t["kind"] == "sink"
                   and any(d["a"] in p and d["b"] in p for p in t["router_paths"]))
    dst = sample_addresses(delayed["prefix"], 1, rng)[0]
    ping_rtts(name, dst, 2, 0.2)  # warm ARP through the wire
    rtts, raw = ping_rtts(name, dst, 30, 0.05)
    if check(len(rtts) >= 28, f"ping through the delay line: {len(rtts)}/30 replies"):
        med = statistics.median(rtts)
        check(abs(med - d["delay_ms"]) <= 0.1 * d["delay_ms"],
              f"delay line {d['a']}-{d['b']}: median RTT {med:.2f} ms (min {min(rtts):.2f}, max {max(rtts):.2f}) "
              f"for configured {d['delay_ms']} ms")
    # A path without the wire stays fast, so the delay is the wire's doing.
    quick = next(t for t in truth["targets"] if t["kind"] == "sink" and not t.get("behind_nat")
                 and not any(d["a"] in p and d["b"] in p for p in t["router_paths"]))
    rtts, _ = ping_rtts(name, sample_addresses(quick["prefix"], 1, rng)[0], 10, 0.02)
    check(rtts and statistics.median(rtts) < 0.2 * d["delay_ms"],
          f"path without the delay line: median RTT {statistics.median(rtts) if rtts else float('nan'):.3f} ms")

    # Loss rule: ping loss through the lossy link close to its probability.
    l = truth["lossy_links"][0]
    behind = next(t for t in truth["targets"] if t["kind"] == "sink"
                  and any(l["a"] in p and l["b"] in p for p in t["router_paths"]))
    p = l["probability"]
    expected = 1 - (1 - p) ** 2 if l["direction"] == "both" else p
    n = 300
    rtts, raw = ping_rtts(name, sample_addresses(behind["prefix"], 1, rng)[0], n, 0.01)
    loss = 1 - len(rtts) / n
    tol = max(0.06, 4 * (expected * (1 - expected) / n) ** 0.5)
    check(abs(loss - expected) <= tol, f"lossy link {l['a']}->{l['b']}: ping loss {loss:.3f} over {n}, "
          f"configured {expected:.3f} (tolerance {tol:.3f})")

    # rDNS through dnsmasq inside the testbed.
    for addr in sorted(truth["rdns"])[:3] + [truth["prober"]["gateway"]]:
        r = in_prober(name, ["getent", "hosts", addr])
        check(r.returncode == 0 and r.stdout.split()[1:2] == [truth["rdns"][addr]],
              f"rDNS {addr} -> {r.stdout.strip() or r.stderr.strip()} (truth {truth['rdns'][addr]})")
    r = subprocess.run(["getent", "hosts", truth["prober"]["gateway"]], capture_output=True, text=True)
    check(truth["rdns"][truth["prober"]["gateway"]] not in r.stdout, "rDNS of the testbed is not visible from the root namespace")

    # TCP: SYN-ACK on the listening port, RST on a closed one.
    t = next(t for t in truth["targets"] if t["kind"] == "sink" and t["tcp_port"])
    dst = sample_addresses(t["prefix"], 1, rng)[0]
    probe = ("import socket,sys\n"
             "def go(port):\n"
             "    s=socket.socket(); s.settimeout(3)\n"
             "    try:\n        s.connect((sys.argv[1],port)); return 'open'\n"
             "    except ConnectionRefusedError: return 'refused'\n"
             "    except OSError as e: return 'error:'+str(e)\n"
             "print(go(int(sys.argv[2])), go(int(sys.argv[2])+1))\n")
    r = in_prober(name, ["/usr/bin/python3", "-c", probe, dst, str(t["tcp_port"])])
    check(r.stdout.split() == ["open", "refused"],
          f"TCP {dst}:{t['tcp_port']} open and :{t['tcp_port'] + 1} refused (got {r.stdout.strip() or r.stderr.strip()})")


def default(name):
    truth = load_truth(name)
    sinks = [t for t in truth["targets"] if t["kind"] == "sink"]
    target_space = ipaddress.ip_network("198.19.0.0/16")
    slash24 = sum(1 for t in sinks if ipaddress.ip_network(t["prefix"]).prefixlen == 24
                  and ipaddress.ip_network(t["prefix"]).subnet_of(target_space))
    longest = max(len(p) for t in truth["targets"] for p in t["router_paths"])
    diamonds = truth["ecmp_routers"]
    check(len(truth["routers"]) >= 25, f"default: {len(truth['routers'])} routers (>= 25)")
    check(longest >= 8, f"default: longest path {longest} router hops (>= 8)")
    multi_hops = {json.dumps(h) for t in sinks for h in t["hops"] if len(h) > 1}
    check(len(diamonds) >= 2 and len(multi_hops) >= 2, f"default: {len(multi_hops)} ECMP hop groups from {len(diamonds)} ECMP routers (>= 2)")
    check(len(truth["silent_routers"]) >= 2, f"default: silent routers {truth['silent_routers']}")
    check(len(truth["rate_limited_routers"]) >= 3, f"default: rate-limited routers {[r['name'] for r in truth['rate_limited_routers']]}")
    check(bool(truth["cgnat_addresses"]), f"default: CGNAT segment {truth['cgnat_addresses'][:3]}")
    check(bool(truth["private_addresses"]), f"default: private backbone {truth['private_addresses'][:3]}")
    check(slash24 >= 200, f"default: {slash24} routed /24s of 198.19.0.0/16 (>= 200)")
    check(bool(truth["unreachable_prefixes"]) and bool(truth["blackholed_prefixes"]),
          f"default: unreachable {truth['unreachable_prefixes']} blackholed {truth['blackholed_prefixes']}")
    check(bool(truth["nat_edges"]) and bool(truth["delay_links"]) and bool(truth["lossy_links"]),
          "default: NAT edge, delay line and lossy link present")
    rng = random.Random(11)
    longest_target = max(sinks, key=lambda t: len(t["hops"]))
    cgnat_target = next(t for t in sinks if any(a in truth["cgnat_addresses"] for h in t["hops"] for a in h if a))
    for t in (longest_target, cgnat_target):
        check_trace(name, truth, t, sample_addresses(t["prefix"], 1, rng)[0])
    # After the traceroutes: this empties the router's token bucket.
    for r in truth["routers"]:
        if r["icmp"] == "linux-default":
            got = te_count(name, truth, r["name"], 100, 1.0)
            check(3 <= got <= 12, f"default: linux-default {r['name']}: {got}/100 Time Exceeded in 1s (expected ~7)")
            break


def gone(name, pids_file):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    left = [l.split()[0] for l in out.splitlines() if l.startswith(f"pm{name}-")]
    check(not left, f"down left no namespace ({left})")
    alive = []
    with open(pids_file) as f:
        for line in f:
            pid = line.split()[0]
            try:
                with open(f"/proc/{pid}/stat") as st:
                    if st.read().rpartition(")")[2].split()[0] != "Z":
                        alive.append(pid)
            except OSError:
                pass
    check(not alive, f"down left no process ({alive})")
    check(not os.path.exists(f"/etc/netns/pm{name}-prober"), "down removed /etc/netns entry")
    check(not os.path.exists(os.path.join(os.environ.get("PATHMAP_TESTBED_STATE", "/run/pathmap-testbed"), name)), "down removed the state dir")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "small":
        small(sys.argv[2])
    elif mode == "default":
        default(sys.argv[2])
    elif mode == "gone":
        gone(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: check_testbed.py small|default|gone NAME [PIDS]")
    sys.exit(min(failures, 100))
