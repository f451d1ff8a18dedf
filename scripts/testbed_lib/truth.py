"""Ground truth of a planned testbed, computed from the same Plan `up` builds.

A Linux router sends Time Exceeded from the address of the interface its
route back to the probe's source leaves by (icmp_send picks no source, so
the route lookup toward the source decides). Beyond a NAT edge the source
the routers see is the NAT's egress address, so their replies are routed
toward that instead. A multi-homed prober sends a target's probes out of the
interface its routes pick (an uplink whose prefixes hold the target, else
eth0) from that interface's address, so paths start at that interface's
router and replies head back to that address. docs/TESTBED.md documents
every key written here.
"""
import ipaddress

from .topology import CGNAT, PRIVATE

MAX_PATHS = 256


def _ip(iface):
    return str(iface.ip) if iface is not None else None


def reply_address(plan, router, source):
    """Source address of ICMP errors router sends toward source."""
    out = plan.egress(router, ipaddress.ip_address(source))
    return _ip(out.addr) if out else None


def _paths(plan, prefix, first):
    """All forwarding paths from router first for prefix: lists of router
    names, plus how each path ends (action of the last router)."""
    probe_dst = prefix.network_address
    done, todo = [], [[first]]
    while todo:
        path = todo.pop()
        route = plan.lookup(path[-1], probe_dst)
        if route is None:
            done.append((path, ("unrouted", None)))
            continue
        kind, arg = route[1]
        if kind == "via":
            for nh in arg:
                if nh in path:
                    raise RuntimeError(f"routing loop toward {prefix} at {nh}")
                todo.append(path + [nh])
        else:
            done.append((path, (kind, arg)))
        if len(done) + len(todo) > MAX_PATHS:
            raise RuntimeError(f"more than {MAX_PATHS} ECMP paths toward {prefix}")
    done.sort()
    return done


def _path_replies(plan, path, source):
    """Reply address of each router on path for probes from source, tracking NAT on the way."""
    nat = dict(plan.nat)
    replies = []
    for k, r in enumerate(path):
        node = plan.nodes[r]
        replies.append(None if node.icmp["mode"] == "silent" else reply_address(plan, r, source))
        nxt = path[k + 1] if k + 1 < len(path) else None
        if r in nat and nxt == nat[r]:
            source = str(node.iface_to(nxt).addr.ip)
    return replies, source


def compute(plan, ns_prefix, tcp_ports):
    prober_if = plan.prober.ifaces[0]
    prober_addr = str(prober_if.addr.ip)
    gw = plan.nodes[prober_if.peer].iface_to("prober")
    truth = {
        "format": 1,
        "description": plan.description,
        "prober": {"ns": ns_prefix + "prober", "iface": "eth0", "addr": prober_addr,
                   "prefixlen": prober_if.addr.network.prefixlen, "gateway": _ip(gw.addr),
                   "gateway_router": prober_if.peer},
        "routers": [], "sinks": [], "targets": [],
    }
    uplink_prefixes = {up.iface.ifname: [str(p) for p in up.prefixes] for up in plan.uplinks}
    truth["prober"]["uplinks"] = [
        {"iface": i.ifname, "addr": _ip(i.addr), "prefixlen": i.addr.network.prefixlen,
         "gateway": _ip(plan.nodes[i.peer].iface_to("prober").addr), "gateway_router": i.peer,
         "prefixes": uplink_prefixes.get(i.ifname, [])}
        for i in plan.prober.ifaces]
    kinds = {}
    for r in plan.routers:
        roles = list(r.spec.get("roles", []))
        addrs = [_ip(i.addr) for i in r.ifaces]
        if any(ipaddress.ip_address(a) in CGNAT for a in addrs) and "cgnat" not in roles:
            roles.append("cgnat")
        if any(ipaddress.ip_address(a) in PRIVATE for a in addrs) and "private" not in roles:
            roles.append("private")
        entry = {
            "name": r.name, "ns": ns_prefix + r.name, "roles": roles,
            "icmp": r.icmp["mode"], "icmp_rate": r.icmp["rate"],
            "ecmp": bool(r.spec.get("ecmp", False)),
            "reply_addr": None if r.icmp["mode"] == "silent" else reply_address(plan, r.name, prober_addr),
            "reply_addr_if_not_silent": reply_address(plan, r.name, prober_addr),
            "interfaces": [{"ifname": i.ifname, "addr": _ip(i.addr), "prefixlen": i.addr.network.prefixlen,
                            "peer": i.peer, "rdns": i.rdns} for i in r.ifaces],
            "addresses": addrs,
            "rdns": {_ip(i.addr): i.rdns for i in r.ifaces},
        }
        for key in ("city", "country", "lat", "lon", "iata", "operator", "asn"):
            if key in r.spec:
                entry[key] = r.spec[key]
        truth["routers"].append(entry)
    for s in plan.sinks:
        truth["sinks"].append({"name": s.name, "ns": ns_prefix + s.name, "router": s.spec["router"],
                               "addr": _ip(s.ifaces[0].addr), "icmp": s.icmp["mode"],
                               "tcp_port": s.tcp_port, "prefixes": [str(p) for p in s.prefixes]})

    prefixes = [(p, "sink", s) for s in plan.sinks for p in s.prefixes]
    prefixes += [(p, kind, None) for p, kind, _ in plan.special]
    for p, kind, sink in prefixes:
        out_if = plan.prober_iface(p.network_address)
        source = _ip(out_if.addr)
        paths = _paths(plan, p, out_if.peer)
        hop_sets, links, path_addrs = [], set(), []
        outcomes = set()
        for path, (end_kind, _) in paths:
            # A blackhole route drops before the TTL check: that router never answers.
            routers = path[:-1] if end_kind == "blackhole" else path
            replies, _src = _path_replies(plan, routers, source)
            path_addrs.append(replies)
            for k, a in enumerate(replies):
                while len(hop_sets) <= k:
                    hop_sets.append(set())
                hop_sets[k].add(a)
            for x, y in zip(replies, replies[1:]):
                links.add((x, y))
            outcomes.add(end_kind)
        entry = {
            "prefix": str(p),
            "kind": kind,
            "hops": [sorted(h, key=lambda a: (a is None, a or "")) for h in hop_sets],
            "paths": path_addrs,
            "links": [list(l) for l in sorted(links, key=lambda l: (l[0] or "~", l[1] or "~"))],
            "router_paths": [path for path, _ in paths],
            "prober_iface": out_if.ifname,
            "source": source,
        }
        if kind == "sink":
            entry.update({"sink": sink.name, "tcp_port": sink.tcp_port,
                          "destination_hop": len(paths[0][0]) + 1,
                          "behind_nat": any(r in dict(plan.nat) and
                                            (path + [sink.name])[k + 1] == dict(plan.nat)[r]
                                            for path, _ in paths for k, r in enumerate(path))})
        else:
            entry["answered_by"] = None if kind == "blackhole" else sorted({ps[-1] for ps in path_addrs if ps[-1]})
            entry["icmp_code"] = {"unreachable": 1, "prohibit": 13, "blackhole": None}[kind]
        truth["targets"].append(entry)

    first = plan.prober.spec["router"]
    truth["unrouted"] = {"answered_by": reply_address(plan, first, prober_addr), "router": first,
                         "icmp": "net-unreachable (type 3 code 0)"}
    truth["unreachable_prefixes"] = [str(p) for p, k, _ in plan.special if k in ("unreachable", "prohibit")]
    truth["blackholed_prefixes"] = [str(p) for p, k, _ in plan.special if k == "blackhole"]
    truth["silent_routers"] = [r.name for r in plan.routers if r.icmp["mode"] == "silent"]
    truth["rate_limited_routers"] = [{"name": r.name, "mode": r.icmp["mode"], "per_sec": r.icmp["rate"]}
                                     for r in plan.routers if r.icmp["mode"] in ("limited", "linux-default")]
    truth["ecmp_routers"] = [r.name for r in plan.routers if r.spec.get("ecmp")]
    truth["nat_edges"] = [{"router": r, "toward": t, "egress_addr": _ip(plan.nodes[r].iface_to(t).addr)}
                          for r, t in plan.nat]
    truth["lossy_links"] = []
    truth["delay_links"] = []
    for l in plan.links:
        a_if, b_if = plan.nodes[l.a].iface_to(l.b), plan.nodes[l.b].iface_to(l.a)
        base = {"a": l.a, "b": l.b, "a_addr": _ip(a_if.addr), "b_addr": _ip(b_if.addr)}
        if "distance_km" in l.spec:
            base["distance_km"] = l.spec["distance_km"]
        if l.loss:
            truth["lossy_links"].append(dict(base, probability=l.loss, direction=l.loss_direction))
        if l.delay_ms:
            truth["delay_links"].append(dict(base, delay_ms=l.delay_ms, one_way_ms=l.delay_ms / 2,
                                             wire_ns=ns_prefix + l.wire))
    truth["links"] = [{"a": l.a, "b": l.b, "a_addr": _ip(l.a_addr), "b_addr": _ip(l.b_addr),
                       "subnet": str(l.a_addr.network), "delay_ms": l.delay_ms, "loss": l.loss,
                       **({"distance_km": l.spec["distance_km"]} if "distance_km" in l.spec else {})}
                      for l in plan.links]
    truth["dns"] = None
    if plan.dns:
        truth["dns"] = {"ns": ns_prefix + "dns", "addr": _ip(plan.dns.ifaces[0].addr), "port": 53}
    truth["rdns"] = {_ip(i.addr): i.rdns for r in plan.routers for i in r.ifaces}
    all_router_addrs = [_ip(i.addr) for r in plan.routers for i in r.ifaces]
    truth["cgnat_addresses"] = [a for a in all_router_addrs if ipaddress.ip_address(a) in CGNAT]
    truth["private_addresses"] = [a for a in all_router_addrs if ipaddress.ip_address(a) in PRIVATE]
    truth["tcp_ports"] = tcp_ports
    if "geo" in plan.doc:
        truth["geo"] = plan.doc["geo"]
    return truth
