// tracelb records of a warts file (type 8), decoded and laid out as
// sc_warts2json 20211212 prints them (scamper_tracelb_json.c's node_tostr):
// per node with links, each link's probes with their replies from the link's
// far end, RTTs as reply minus probe time.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "graph/detail/warts_fields.h"

namespace pathmap::graph::warts
{

namespace
{

// tracelb: nodes, then links between them, each a probeset per hop between
// its ends, each probeset its probes, each probe its replies.
struct RawLbReply {
    uint32_t rx_sec = 0, rx_usec = 0;
    uint8_t ttl = 0, flags = 0, icmp_type = 0, icmp_code = 0, q_ttl = 0;
    std::optional<WartsAddr> from;
    std::vector<uint32_t> labels;
};
struct RawLbProbe {
    uint32_t tx_sec = 0, tx_usec = 0;
    uint16_t flowid = 0;
    uint8_t ttl = 0;
    std::vector<RawLbReply> replies;
};
struct RawLbLink {
    uint16_t from = 0;
    std::optional<uint16_t> to;
    std::vector<std::vector<RawLbProbe>> sets;
};

RawLbReply read_lb_reply(Cursor &c, AddrTable &table)
{
    RawLbReply r;
    Params p = read_params(c, 11);
    Cursor &v = p.values;
    for (int id : p.ids) {
        switch (id) {
        case 1:
            r.rx_sec = v.u32();
            r.rx_usec = v.u32();
            break;
        case 2: v.u16(); break;
        case 3: r.ttl = v.u8(); break;
        case 4: r.flags = v.u8(); break;
        case 5:
            r.icmp_type = v.u8();
            r.icmp_code = v.u8();
            break;
        case 6: case 9: v.u8(); break;
        case 7: r.labels = read_icmpext_labels(v); break;
        case 8: r.q_ttl = v.u8(); break;
        case 10: r.from = table.read_global(v); break;
        case 11: r.from = table.read(v); break;
        }
    }
    if (!r.from) bad("tracelb reply without an address");
    return r;
}

RawLbProbe read_lb_probe(Cursor &c, AddrTable &table)
{
    RawLbProbe pr;
    uint16_t rxc = 0;
    Params p = read_params(c, 5);
    Cursor &v = p.values;
    for (int id : p.ids) {
        switch (id) {
        case 1:
            pr.tx_sec = v.u32();
            pr.tx_usec = v.u32();
            break;
        case 2: pr.flowid = v.u16(); break;
        case 3: pr.ttl = v.u8(); break;
        case 4: v.u8(); break;
        case 5: rxc = v.u16(); break;
        }
    }
    pr.replies.reserve(std::min<size_t>(rxc, c.left()));
    for (uint16_t i = 0; i < rxc; ++i)
        pr.replies.push_back(read_lb_reply(c, table));
    return pr;
}

// timeval_diff_tv then timeval_tostr_us, as sc_warts2json prints a tracelb RTT.
double lb_rtt_ms(const RawLbProbe &p, const RawLbReply &r)
{
    int64_t sec = int64_t{r.rx_sec} - p.tx_sec, usec = int64_t{r.rx_usec} - p.tx_usec;
    if (usec < 0) {
        --sec;
        usec += 1000000;
    }
    const uint32_t us = static_cast<uint32_t>(sec * 1000000 + usec);
    return us / 1000.0;
}

// probe_tostr: the probe with only its replies from `addr`.
ScamperLbProbe lb_probe_view(const RawLbProbe &p, const WartsAddr &addr)
{
    ScamperLbProbe o{.ttl = p.ttl, .flowid = p.flowid};
    for (const RawLbReply &r : p.replies) {
        if (!(*r.from == addr)) continue;
        ScamperLbReply v{.rtt_ms = lb_rtt_ms(p, r), .reply_ttl = r.ttl, .mpls_labels = r.labels};
        if (!(r.flags & 0x02)) { // not TCP
            v.icmp_type = r.icmp_type;
            v.icmp_code = r.icmp_code;
            const bool v4 = r.from->type == 1, v6 = r.from->type == 2;
            const bool ttl_exp = (v4 && r.icmp_type == 11) || (v6 && r.icmp_type == 3);
            const bool unreach = (v4 && r.icmp_type == 3) || (v6 && r.icmp_type == 1);
            if (ttl_exp || unreach) v.quoted_ttl = r.q_ttl;
        }
        o.replies.push_back(v);
    }
    o.replyc = static_cast<long long>(o.replies.size());
    return o;
}

ScamperLbEntry lb_entry(const WartsAddr &addr, const std::vector<RawLbProbe> *set)
{
    ScamperLbEntry e{.addr = addr_text(addr)};
    if (set)
        for (const RawLbProbe &p : *set)
            e.probes.push_back(lb_probe_view(p, addr));
    return e;
}

} // namespace

ScamperTracelb read_tracelb(Cursor &c, const WartsState &s)
{
    AddrTable table{s, {}};
    std::optional<WartsAddr> src, dst;
    uint8_t firsthop = 0;
    uint16_t nodec = 0, linkc = 0;
    Params p = read_params(c, 25);
    Cursor &v = p.values;
    for (int id : p.ids) {
        switch (id) {
        case 1: check_list(s, v.u32()); break;
        case 2: check_cycle(s, v.u32()); break;
        case 3: src = table.read_global(v); break;
        case 4: dst = table.read_global(v); break;
        case 5: v.bytes(8, "the start time"); break;
        case 6: case 7: case 8: v.u16(); break;
        case 10: firsthop = v.u8(); break;
        case 16: nodec = v.u16(); break;
        case 17: linkc = v.u16(); break;
        case 18: case 19: case 23: v.u32(); break;
        case 21: src = table.read(v); break;
        case 22: dst = table.read(v); break;
        case 25: AddrTable::read_static(v); break;
        default: v.u8(); break; // type, waits, attempts, confidence, tos, gaplimit, flags
        }
    }
    if (!src || !dst) bad("tracelb without a source or destination");
    struct Node {
        WartsAddr addr;
        uint16_t linkc = 0;
        std::vector<const RawLbLink *> links;
    };
    std::vector<Node> nodes;
    nodes.reserve(std::min<size_t>(nodec, c.left()));
    for (uint16_t i = 0; i < nodec; ++i) {
        Node n;
        std::optional<WartsAddr> a;
        Params np = read_params(c, 6);
        for (int id : np.ids) {
            switch (id) {
            case 1: a = table.read_global(np.values); break;
            case 3: n.linkc = np.values.u16(); break;
            case 5: a = table.read(np.values); break;
            case 6: np.values.text("the node's name"); break;
            default: np.values.u8(); break; // flags, quoted TTL
            }
        }
        if (!a) bad("tracelb node without an address");
        n.addr = *a;
        nodes.push_back(std::move(n));
    }
    std::vector<RawLbLink> links;
    links.reserve(std::min<size_t>(linkc, c.left()));
    for (uint16_t i = 0; i < linkc; ++i) {
        RawLbLink l;
        uint8_t hopc = 0;
        Params lp = read_params(c, 3);
        if (!lp.has(1)) bad("tracelb link without its first node");
        for (int id : lp.ids) {
            if (id == 1) l.from = lp.values.u16();
            if (id == 2) l.to = lp.values.u16();
            if (id == 3) hopc = lp.values.u8();
        }
        if (l.from >= nodes.size() || (l.to && *l.to >= nodes.size())) bad("tracelb link to a node that does not exist");
        for (uint8_t h = 0; h < hopc; ++h) {
            uint16_t probec = 0;
            Params sp = read_params(c, 1);
            if (sp.has(1)) probec = sp.values.u16();
            std::vector<RawLbProbe> set;
            set.reserve(std::min<size_t>(probec, c.left()));
            for (uint16_t k = 0; k < probec; ++k)
                set.push_back(read_lb_probe(c, table));
            l.sets.push_back(std::move(set));
        }
        links.push_back(std::move(l));
    }
    // scamper hands each link to its first node, which must end up with
    // exactly as many as it says it has.
    for (const RawLbLink &l : links) {
        Node &n = nodes[l.from];
        if (n.links.size() == n.linkc) bad("tracelb node with more links than it counts");
        n.links.push_back(&l);
    }
    for (const Node &n : nodes)
        if (n.links.size() != n.linkc) bad("tracelb node with fewer links than it counts");
    // node_tostr: what sc_warts2json prints of each node that has links.
    ScamperTracelb t{.dst = addr_text(*dst), .firsthop = firsthop};
    for (const Node &n : nodes) {
        if (n.linkc < 1) continue;
        ScamperLbNode o{.addr = addr_text(n.addr)};
        if (n.linkc > 1) {
            for (const RawLbLink *l : n.links) // each link's first probeset only
                if (l->to) o.entries.push_back(lb_entry(nodes[*l->to].addr, l->sets.empty() ? nullptr : &l->sets[0]));
        } else {
            const RawLbLink &l = *n.links[0];
            // The hops between the ends: every address that answered there.
            for (size_t j = 0; j + 1 < l.sets.size(); ++j) {
                std::vector<WartsAddr> seen;
                for (const RawLbProbe &pr : l.sets[j])
                    for (const RawLbReply &r : pr.replies)
                        if (std::find(seen.begin(), seen.end(), *r.from) == seen.end()) seen.push_back(*r.from);
                std::sort(seen.begin(), seen.end(),
                          [](const WartsAddr &a, const WartsAddr &b) { return scamper_order(a) < scamper_order(b); });
                for (const WartsAddr &a : seen) {
                    ScamperLbEntry e{.addr = addr_text(a)};
                    for (const RawLbProbe &pr : l.sets[j]) {
                        ScamperLbProbe view = lb_probe_view(pr, a);
                        if (view.replyc > 0) e.probes.push_back(std::move(view));
                    }
                    o.entries.push_back(std::move(e));
                }
            }
            if (l.to) o.entries.push_back(lb_entry(nodes[*l.to].addr, l.sets.empty() ? nullptr : &l.sets.back()));
        }
        t.nodes.push_back(std::move(o));
    }
    return t;
}


} // namespace pathmap::graph::warts
