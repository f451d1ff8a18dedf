"""Topology files: loading, validation and the plan of nodes, links and routes.

A topology is read into a Plan: every namespace, interface, address and
route that `up` will create. The same Plan is what truth.py walks to compute
ground truth, so the network that runs and the truth written beside it come
from one source. docs/TESTBED.md describes the file format.
"""
import ipaddress
import json
import re
from collections import deque

ALLOWED = [ipaddress.ip_network(n) for n in ("198.18.0.0/15", "100.64.0.0/10", "10.0.0.0/8")]
TARGET_SPACE = ipaddress.ip_network("198.19.0.0/16")
CGNAT = ipaddress.ip_network("100.64.0.0/10")
PRIVATE = ipaddress.ip_network("10.0.0.0/8")
NODE_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
RDNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")
ICMP_MODES = ("open", "linux-default", "silent", "limited")
SPECIAL_KINDS = ("unreachable", "prohibit", "blackhole")


class TopologyError(Exception):
    """A topology file that cannot be built; the message names the culprit."""


def _addr(text, where):
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError:
        raise TopologyError(f"{where}: '{text}' is not an IPv4 address/prefix")
    if iface.version != 4:
        raise TopologyError(f"{where}: '{text}' is not IPv4")
    if not any(iface.ip in n for n in ALLOWED):
        raise TopologyError(f"{where}: {iface.ip} is outside 198.18.0.0/15, 100.64.0.0/10 and 10.0.0.0/8")
    if iface.ip in TARGET_SPACE:
        raise TopologyError(f"{where}: {iface.ip} is inside the target space 198.19.0.0/16; "
                            "keep infrastructure addresses out of it")
    return iface


def _subnet_pair(spec, where):
    """Addresses of the two ends of a point-to-point link: explicit or from 'subnet'."""
    if "subnet" in spec:
        try:
            net = ipaddress.ip_network(spec["subnet"])
        except ValueError:
            raise TopologyError(f"{where}: bad subnet '{spec['subnet']}'")
        hosts = list(net.hosts())[:2] if net.prefixlen < 31 else list(net)[:2]
        if len(hosts) < 2:
            raise TopologyError(f"{where}: subnet {net} has fewer than two host addresses")
        a = f"{hosts[0]}/{net.prefixlen}"
        b = f"{hosts[1]}/{net.prefixlen}"
    else:
        if "a_addr" not in spec or "b_addr" not in spec:
            raise TopologyError(f"{where}: give 'subnet' or both 'a_addr' and 'b_addr'")
        a, b = spec["a_addr"], spec["b_addr"]
    ia, ib = _addr(a, where), _addr(b, where)
    if ia.network != ib.network:
        raise TopologyError(f"{where}: {ia} and {ib} are not on one subnet")
    if ia.ip == ib.ip:
        raise TopologyError(f"{where}: both ends have {ia.ip}")
    return ia, ib


def _prefixes(items, where):
    out = []
    for item in items:
        if isinstance(item, str):
            first, count = item, 1
        elif isinstance(item, dict) and "first" in item:
            first, count = item["first"], item.get("count", 1)
        else:
            raise TopologyError(f"{where}: prefix entries are strings or {{\"first\": P, \"count\": N}}")
        try:
            net = ipaddress.ip_network(first)
        except ValueError:
            raise TopologyError(f"{where}: '{first}' is not a network prefix")
        if not isinstance(count, int) or count < 1 or count > 65536:
            raise TopologyError(f"{where}: bad count {count!r}")
        for i in range(count):
            p = ipaddress.ip_network((int(net.network_address) + i * net.num_addresses, net.prefixlen))
            if not p.subnet_of(TARGET_SPACE):
                raise TopologyError(f"{where}: {p} is outside the target space 198.19.0.0/16")
            out.append(p)
    return out


def _icmp(value, where):
    if isinstance(value, dict) and "limited" in value:
        rate = value["limited"]
        mode = "limited"
    else:
        parts = str(value).replace(":", " ").split()
        mode = parts[0] if parts else ""
        rate = None
        if mode == "limited":
            if len(parts) != 2 or not parts[1].isdigit():
                raise TopologyError(f"{where}: write 'limited N' with N replies per second")
            rate = int(parts[1])
        elif len(parts) != 1:
            raise TopologyError(f"{where}: bad icmp mode '{value}'")
    if mode not in ICMP_MODES:
        raise TopologyError(f"{where}: icmp mode '{value}' is not one of open, linux-default, silent, limited N")
    if mode == "limited" and (not isinstance(rate, int) or rate < 1):
        raise TopologyError(f"{where}: 'limited' needs a positive rate")
    return {"mode": mode, "rate": rate}


class Interface:
    def __init__(self, node, ifname, addr, peer, link):
        self.node, self.ifname, self.addr, self.peer, self.link = node, ifname, addr, peer, link
        self.rdns = None


class Node:
    def __init__(self, name, kind, spec):
        self.name, self.kind, self.spec = name, kind, spec
        self.ifaces = []  # Interface, in creation order
        self.icmp = {"mode": "open", "rate": None}

    def iface_to(self, peer):
        for i in self.ifaces:
            if i.peer == peer:
                return i
        return None


class Link:
    def __init__(self, index, a, b, a_addr, b_addr, spec):
        self.index, self.a, self.b = index, a, b
        self.a_addr, self.b_addr = a_addr, b_addr
        self.delay_ms = spec.get("delay_ms", 0)
        self.loss = spec.get("loss", 0.0)
        self.loss_direction = spec.get("loss_direction", "a_to_b")
        self.spec = spec
        self.wire = None  # namespace suffix of the delay line, if any


class Uplink:
    """A prober interface beyond eth0: its link to router, and the prefixes
    the prober routes out of it."""

    def __init__(self, iface, link, router, prefixes):
        self.iface, self.link, self.router, self.prefixes = iface, link, router, prefixes


class Plan:
    """Everything `up` builds, in topology terms (no namespace prefix yet)."""

    def __init__(self, doc):
        if not isinstance(doc, dict):
            raise TopologyError("topology: top level must be a JSON object")
        self.doc = doc
        self.description = doc.get("description", "")
        self.nodes = {}
        self.links = []
        self.routers = []
        self.sinks = []
        self.special = []  # (prefix, kind, router)
        self.nat = []  # (router, toward)
        self._load()
        self._plan_routes()

    # ---- loading -------------------------------------------------------
    def _add_node(self, name, kind, spec):
        if not isinstance(name, str) or not NODE_NAME.match(name):
            raise TopologyError(f"{kind} name {name!r}: use 1-12 of [a-z0-9], starting with a letter")
        if name in self.nodes or name in ("prober", "dns") and kind not in ("prober", "dns"):
            raise TopologyError(f"node name '{name}' is used twice (or is reserved)")
        n = Node(name, kind, spec)
        self.nodes[name] = n
        return n

    def _connect(self, a, b, spec, where):
        if a not in self.nodes or b not in self.nodes:
            raise TopologyError(f"{where}: unknown node '{a if a not in self.nodes else b}'")
        if a == b:
            raise TopologyError(f"{where}: a link from {a} to itself")
        na, nb = self.nodes[a], self.nodes[b]
        if na.iface_to(b):
            raise TopologyError(f"{where}: a second link between {a} and {b}")
        ia, ib = _subnet_pair(spec, where)
        link = Link(len(self.links), a, b, ia, ib, spec)
        d = link.delay_ms
        if not isinstance(d, (int, float)) or d < 0 or d > 2000:
            raise TopologyError(f"{where}: delay_ms must be 0..2000")
        p = link.loss
        if not isinstance(p, (int, float)) or p < 0 or p >= 1:
            raise TopologyError(f"{where}: loss must be a probability in [0, 1)")
        if link.loss_direction not in ("a_to_b", "b_to_a", "both"):
            raise TopologyError(f"{where}: loss_direction is a_to_b, b_to_a or both")
        if d and (na.kind != "router" or nb.kind != "router"):
            raise TopologyError(f"{where}: delay lines go between two routers")
        self.links.append(link)
        for node, addr, peer, key in ((na, ia, b, "a_rdns"), (nb, ib, a, "b_rdns")):
            # Stubs number their interfaces (only the prober has more than eth0).
            ifname = f"eth{len(node.ifaces)}" if node.kind in ("prober", "dns", "sink") else ("to-" + peer)
            iface = Interface(node.name, ifname, addr, peer, link)
            iface.rdns = spec.get(key)
            node.ifaces.append(iface)
        if d:
            link.wire = f"w-{a}-{b}"
        return link

    def _load(self):
        doc = self.doc
        for key in ("prober", "routers", "links", "sinks"):
            if key not in doc:
                raise TopologyError(f"topology: missing '{key}'")
        routers = doc["routers"]
        if not isinstance(routers, list) or not routers:
            raise TopologyError("topology: 'routers' must be a non-empty list")
        for i, r in enumerate(routers):
            if not isinstance(r, dict) or "name" not in r:
                raise TopologyError(f"routers[{i}]: needs a name")
            n = self._add_node(r["name"], "router", r)
            n.icmp = _icmp(r.get("icmp", "open"), f"router {n.name}")
            self.routers.append(n)
            for kind in SPECIAL_KINDS:
                for p in _prefixes(r.get(kind, []), f"router {n.name} {kind}"):
                    self.special.append((p, kind, n.name))
        for i, l in enumerate(doc["links"]):
            if not isinstance(l, dict) or "a" not in l or "b" not in l:
                raise TopologyError(f"links[{i}]: needs 'a' and 'b'")
            for end in ("a", "b"):
                if l[end] in self.nodes and self.nodes[l[end]].kind != "router":
                    raise TopologyError(f"links[{i}]: {l[end]} is not a router")
            self._connect(l["a"], l["b"], l, f"links[{i}] {l['a']}-{l['b']}")

        def stub(kind, name, spec, where):
            if not isinstance(spec, dict) or "router" not in spec:
                raise TopologyError(f"{where}: needs 'router'")
            if spec["router"] not in self.nodes or self.nodes[spec["router"]].kind != "router":
                raise TopologyError(f"{where}: unknown router '{spec['router']}'")
            node = self._add_node(name, kind, spec)
            # The router end comes first in the subnet, the stub second.
            s = dict(spec)
            if "addr" in spec and "router_addr" in spec:
                s["a_addr"], s["b_addr"] = spec["router_addr"], spec["addr"]
            self._connect(spec["router"], name, s, where)
            return node

        self.prober = stub("prober", "prober", doc["prober"], "prober")
        self._load_uplinks()
        self.dns = stub("dns", "dns", doc["dns"], "dns") if "dns" in doc else None
        seen = {}
        for i, s in enumerate(doc["sinks"]):
            if not isinstance(s, dict) or "name" not in s:
                raise TopologyError(f"sinks[{i}]: needs a name")
            node = stub("sink", s["name"], s, f"sink {s.get('name')}")
            node.icmp = _icmp(s.get("icmp", "open"), f"sink {node.name}")
            node.prefixes = _prefixes(s.get("prefixes", []), f"sink {node.name}")
            if not node.prefixes:
                raise TopologyError(f"sink {node.name}: no prefixes")
            node.tcp_port = s.get("tcp_port", 80)
            if node.tcp_port is not None and (not isinstance(node.tcp_port, int) or not 0 < node.tcp_port < 65536):
                raise TopologyError(f"sink {node.name}: bad tcp_port")
            for p in node.prefixes:
                if p in seen:
                    raise TopologyError(f"prefix {p} is on both {seen[p]} and {node.name}")
                seen[p] = node.name
            self.sinks.append(node)
        for p, kind, r in self.special:
            if any(p.overlaps(q) for q in seen):
                raise TopologyError(f"{kind} prefix {p} on {r} overlaps a sink prefix")
        # Truth follows a target prefix out of one prober interface: none may
        # straddle the edge of an uplink's prefixes.
        for p, what in [(p, f"sink prefix {p} on {n}") for p, n in seen.items()] + \
                       [(p, f"{kind} prefix {p} on {r}") for p, kind, r in self.special]:
            for up in self.uplinks:
                for q in up.prefixes:
                    if p.overlaps(q) and not p.subnet_of(q):
                        raise TopologyError(f"{what} is only partly inside uplink {up.iface.ifname}'s "
                                            f"prefix {q}; split it or the uplink prefix")
        # Addresses unique, subnets not shared across links.
        addrs, nets = {}, {}
        for l in self.links:
            for ip in (l.a_addr.ip, l.b_addr.ip):
                if ip in addrs:
                    raise TopologyError(f"address {ip} is used twice")
                addrs[ip] = l
            for other_net, other in nets.items():
                if l.a_addr.network.overlaps(other_net):
                    raise TopologyError(f"subnets of links {other.a}-{other.b} and {l.a}-{l.b} overlap")
            nets[l.a_addr.network] = l
        for r in doc["routers"]:
            if "nat" in r:
                toward = r["nat"].get("toward") if isinstance(r["nat"], dict) else None
                node = self.nodes[r["name"]]
                if not toward or not node.iface_to(toward):
                    raise TopologyError(f"router {r['name']}: nat needs {{\"toward\": NEIGHBOUR}}")
                self.nat.append((r["name"], toward))
            if "ecmp" in r and not isinstance(r["ecmp"], bool):
                raise TopologyError(f"router {r['name']}: ecmp is true or false")
        self._check_connected()
        self._assign_rdns()

    def _load_uplinks(self):
        """Extra prober interfaces eth1, eth2, ... with routes for some prefixes."""
        self.uplinks = []  # Uplink, eth1 first
        spec = self.doc["prober"].get("uplinks", [])
        if not isinstance(spec, list):
            raise TopologyError("prober: 'uplinks' must be a list")
        main = self.doc["prober"]["router"]
        routers, taken = {main: "the main link (eth0)"}, []  # taken: (prefix, where)
        for k, u in enumerate(spec):
            where = f"prober uplinks[{k}]"
            if not isinstance(u, dict) or "router" not in u:
                raise TopologyError(f"{where}: needs 'router'")
            r = u["router"]
            stubs = {x.get("name"): "a sink" for x in self.doc["sinks"] if isinstance(x, dict)}
            stubs.update(prober="the prober itself", dns="the dns node")
            if r not in self.nodes and r in stubs:
                raise TopologyError(f"{where}: '{r}' is {stubs[r]}, not a router")
            if r not in self.nodes:
                raise TopologyError(f"{where}: unknown router '{r}'")
            if "subnet" not in u and not ("router_addr" in u and "addr" in u):
                raise TopologyError(f"{where} ({r}): give 'subnet' or both 'router_addr' and 'addr'")
            if self.nodes[r].kind != "router":
                raise TopologyError(f"{where}: '{r}' is a {self.nodes[r].kind}, not a router")
            if r in routers:
                raise TopologyError(f"{where}: the prober already reaches {r} through {routers[r]}; "
                                    "one link per router")
            items = u.get("prefixes")
            if not isinstance(items, list) or not items:
                raise TopologyError(f"{where} ({r}): 'prefixes' must be a non-empty list of CIDR prefixes")
            prefixes = []
            for text in items:
                try:
                    net = ipaddress.ip_network(text)
                except (ValueError, TypeError):
                    raise TopologyError(f"{where} ({r}): {text!r} is not a network prefix "
                                        "(host bits set, or not CIDR)")
                if net.version != 4 or not any(net.subnet_of(n) for n in ALLOWED):
                    raise TopologyError(f"{where} ({r}): prefix {net} is outside 198.18.0.0/15, "
                                        "100.64.0.0/10 and 10.0.0.0/8")
                for q, qwhere in taken:
                    if net.overlaps(q):
                        raise TopologyError(f"{where} ({r}): prefix {net} overlaps {q} of {qwhere}")
                taken.append((net, f"{where} ({r})"))
                prefixes.append(net)
            s = dict(u)
            if "addr" in u and "router_addr" in u:
                s["a_addr"], s["b_addr"] = u["router_addr"], u["addr"]
            link = self._connect(r, "prober", s, f"{where} ({r})")
            routers[r] = f"uplinks[{k}]"
            self.uplinks.append(Uplink(self.prober.ifaces[-1], link, r, prefixes))
        for up in self.uplinks:
            for net in up.prefixes:
                for i in self.prober.ifaces:
                    if net.overlaps(i.addr.network):
                        raise TopologyError(f"prober uplink {up.iface.ifname} ({up.router}): prefix {net} "
                                            f"overlaps the prober's own link {i.addr.network} ({i.ifname})")

    def prober_iface(self, addr):
        """The prober interface the kernel sends a packet for addr out of:
        an uplink whose prefixes hold addr (they never overlap), else eth0."""
        for up in self.uplinks:
            if any(addr in p for p in up.prefixes):
                return up.iface
        return self.prober.ifaces[0]

    def _check_connected(self):
        start = self.prober.name
        seen, todo = {start}, deque([start])
        while todo:
            for i in self.nodes[todo.popleft()].ifaces:
                if i.peer not in seen:
                    seen.add(i.peer)
                    todo.append(i.peer)
        missing = sorted(set(self.nodes) - seen)
        if missing:
            raise TopologyError(f"topology: not reachable from the prober: {', '.join(missing)}")

    def _assign_rdns(self):
        for r in self.routers:
            host = r.spec.get("hostname", f"{r.name}.{r.spec.get('site', 'lab1')}")
            prefix = r.spec.get("port_prefix", "be")
            domain = r.spec.get("domain", self.doc.get("rdns_domain", "example.net"))
            for k, i in enumerate(r.ifaces, 1):
                if not i.rdns:
                    i.rdns = f"{prefix}{k}.{host}.{domain}"
                if not RDNS_NAME.match(i.rdns):
                    raise TopologyError(f"router {r.name}: '{i.rdns}' is not a valid DNS name")

    # ---- routing -------------------------------------------------------
    def router_neighbours(self, name):
        """(neighbour router, my interface, its interface), in link order."""
        out = []
        for i in self.nodes[name].ifaces:
            peer = self.nodes[i.peer]
            if peer.kind == "router":
                out.append((i.peer, i, peer.iface_to(name)))
        return out

    def _distances(self, owners):
        dist = {o: 0 for o in owners}
        todo = deque(owners)
        while todo:
            x = todo.popleft()
            for y, _, _ in self.router_neighbours(x):
                if y not in dist:
                    dist[y] = dist[x] + 1
                    todo.append(y)
        return dist

    def _plan_routes(self):
        """routes[router] = list of (prefix, action); action is one of
        ('via', [next-hop router...]), ('sink', sink), ('connected', None),
        ('unreachable'|'prohibit'|'blackhole', None)."""
        self.routes = {r.name: [] for r in self.routers}
        dests = []  # (prefix, owners, ecmp_allowed, owner action)
        for l in self.links:
            owners = [n for n in (l.a, l.b) if self.nodes[n].kind == "router"]
            dests.append((l.a_addr.network, owners, False, ("connected", None)))
        for s in self.sinks:
            for p in s.prefixes:
                dests.append((p, [s.spec["router"]], True, ("sink", s.name)))
        for p, kind, r in self.special:
            dests.append((p, [r], True, (kind, None)))
        for prefix, owners, ecmp_ok, own_action in dests:
            dist = self._distances(owners)
            for r in self.routers:
                if r.name not in dist:
                    raise TopologyError(f"router {r.name} has no path to {prefix}")
                if dist[r.name] == 0:
                    self.routes[r.name].append((prefix, own_action))
                    continue
                nhs = [y for y, _, _ in self.router_neighbours(r.name) if dist.get(y) == dist[r.name] - 1]
                if not (ecmp_ok and r.spec.get("ecmp")):
                    nhs = nhs[:1]
                self.routes[r.name].append((prefix, ("via", nhs)))

    def lookup(self, router, addr):
        """The route router uses for addr: (prefix, action), longest match."""
        best = None
        for prefix, action in self.routes[router]:
            if addr in prefix and (best is None or prefix.prefixlen > best[0].prefixlen):
                best = (prefix, action)
        return best

    def egress(self, router, addr):
        """The interface router sends a packet for addr out of (single path)."""
        route = self.lookup(router, addr)
        if route is None:
            return None
        prefix, (kind, arg) = route
        node = self.nodes[router]
        if kind == "connected":
            return next(i for i in node.ifaces if addr in i.addr.network)
        if kind == "sink":
            return node.iface_to(arg)
        if kind == "via":
            return node.iface_to(arg[0])
        return None


def load(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise TopologyError(f"cannot read topology {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise TopologyError(f"{path}: not valid JSON: {e}")
    return Plan(doc)
