// scamper JSON (sc_warts2json, scamper -O json) into Traces, and the mapping
// of scamper's records (graph/scamper_records.h) that the warts reader shares:
// - "trace" records: the replies per probe TTL ("hops"), every TTL from
//   firsthop to hop_count probed; several addresses at one TTL are branches.
// - "tracelb" records (MDA): "nodes" and the "links" between them, each
//   link with the probes (flow ids) that crossed it. Every link becomes part
//   of at least one Trace that follows only real links, so each branch of a
//   diamond is in the graph and no edge is invented; a Trace carries the flow
//   id of the first probe of the link it was built for.
// IPv4-mapped addresses (::ffff:a.b.c.d, as pantrace writes) are IPv4. IPv6
// records are skipped with a count.
#include <map>
#include <set>
#include <string>

#include "graph/input_formats.h"
#include "graph/reader_hops.h"
#include "graph/reader_json.h"
#include "graph/scamper_records.h"
#include "pathmap/log.h"

namespace pathmap::graph
{

using nlohmann::json;

namespace
{

[[noreturn]] void fail(const std::string &name, const std::string &what)
{
    throw InputError(name + ": " + what);
}

std::vector<uint32_t> json_mpls_labels(const json &r)
{
    std::vector<uint32_t> out;
    if (!r.contains("icmpext") || !r["icmpext"].is_array()) return out;
    for (const json &ext : r["icmpext"])
        for (const json &l : ext.value("mpls_labels", json::array()))
            if (auto v = json_int(l, "mpls_label")) out.push_back(static_cast<uint32_t>(*v));
    return out;
}

std::string stop_reason(const std::string &s)
{
    if (s == "COMPLETED") return "reached";
    if (s == "UNREACH") return "unreachable";
    if (s == "GAPLIMIT") return "gap_limit";
    if (s == "LOOP") return "loop";
    if (s == "HOPLIMIT") return "max_ttl";
    return {};
}

ScamperTrace trace_from_json(const json &j)
{
    ScamperTrace t;
    t.dst = json_string(j, "dst");
    t.firsthop = json_int(j, "firsthop").value_or(1);
    t.hop_count = json_int(j, "hop_count").value_or(0);
    t.stop_reason = json_string(j, "stop_reason");
    for (const json &jh : j.value("hops", json::array())) {
        ScamperTraceHop h;
        h.probe_ttl = json_int(jh, "probe_ttl").value_or(0);
        h.addr = json_string(jh, "addr");
        h.name = json_string(jh, "name");
        h.rtt_ms = json_double(jh, "rtt").value_or(0.0);
        h.icmp_type = static_cast<int>(json_int(jh, "icmp_type").value_or(-1));
        h.icmp_code = static_cast<int>(json_int(jh, "icmp_code").value_or(-1));
        h.reply_ttl = static_cast<int>(json_int(jh, "reply_ttl").value_or(0));
        h.quoted_ttl = static_cast<int>(json_int(jh, "icmp_q_ttl").value_or(0));
        h.mpls_labels = json_mpls_labels(jh);
        t.hops.push_back(std::move(h));
    }
    return t;
}

ScamperTracelb tracelb_from_json(const json &j, const std::string &name)
{
    ScamperTracelb t;
    t.dst = json_string(j, "dst");
    t.firsthop = json_int(j, "firsthop").value_or(1);
    const json &nodes = j.value("nodes", json::array());
    if (!nodes.is_array()) fail(name, "tracelb to " + t.dst + ": nodes is not a list");
    for (const json &n : nodes) {
        ScamperLbNode node{.addr = json_string(n, "addr")};
        // sc_warts2json groups a node's link hops inconsistently ([[a, b]] for
        // two links, [[*], [c]] for one through a silent hop), so the groups
        // are flattened: every addressed entry is a link of its own.
        for (const json &group : n.value("links", json::array())) {
            if (!group.is_array()) fail(name, "tracelb to " + t.dst + ": a link is not a list");
            for (const json &hop : group) {
                ScamperLbEntry e{.addr = json_string(hop, "addr")};
                for (const json &p : hop.value("probes", json::array())) {
                    ScamperLbProbe probe{.ttl = json_int(p, "ttl").value_or(0),
                                         .flowid = json_int(p, "flowid").value_or(-1),
                                         .replyc = json_int(p, "replyc").value_or(0)};
                    for (const json &r : p.value("replies", json::array())) {
                        probe.replies.push_back(ScamperLbReply{
                            .rtt_ms = json_double(r, "rtt").value_or(0.0),
                            .reply_ttl = static_cast<int>(json_int(r, "ttl").value_or(0)),
                            .icmp_type = static_cast<int>(json_int(r, "icmp_type").value_or(-1)),
                            .icmp_code = static_cast<int>(json_int(r, "icmp_code").value_or(-1)),
                            .quoted_ttl = static_cast<int>(json_int(r, "icmp_q_ttl").value_or(0)),
                            .mpls_labels = json_mpls_labels(r)});
                    }
                    e.probes.push_back(std::move(probe));
                }
                node.entries.push_back(std::move(e));
            }
        }
        t.nodes.push_back(std::move(node));
    }
    return t;
}

// A tracelb link u -> v: v's reply to the first probe that crossed it.
struct LbLink {
    std::string to;
    Hop reply;
    std::vector<uint32_t> flows;
};

} // namespace

void scamper_trace_to_traces(const ScamperTrace &j, const std::string &dst, const std::string &name,
                             std::vector<Trace> &out)
{
    HopAlternatives table;
    for (const ScamperTraceHop &jh : j.hops) {
        const long long ttl = jh.probe_ttl;
        if (ttl < 1 || ttl > 255) fail(name, "trace to " + dst + ": hop without a valid probe_ttl");
        auto v4 = ipv4_text(jh.addr);
        if (!v4) {
            if (!jh.addr.empty() && !looks_like_ipv6(jh.addr)) fail(name, "trace to " + dst + ": bad hop address " + jh.addr);
            table.probed(static_cast<int>(ttl));
            continue;
        }
        Hop h{.ttl = static_cast<uint8_t>(ttl), .addr = *v4, .rtt_ms = jh.rtt_ms};
        h.icmp_type = jh.icmp_type;
        h.icmp_code = jh.icmp_code;
        h.reply_ttl = jh.reply_ttl;
        h.quoted_ttl = jh.quoted_ttl;
        h.mpls_labels = jh.mpls_labels;
        if (!jh.name.empty()) h.rdns = jh.name;
        table.add(std::move(h));
    }
    // scamper lists replies only; it probed every TTL from firsthop up.
    const int first = static_cast<int>(std::clamp<long long>(j.firsthop, 1, 256));
    const int last = std::max<int>(static_cast<int>(std::clamp<long long>(j.hop_count, 0, 256)), table.last_ttl());
    table.probed_range(first, last);
    Trace base;
    base.dst = dst;
    base.first_ttl = static_cast<uint8_t>(std::min(first, 255));
    base.reached = j.stop_reason == "COMPLETED";
    base.stop_reason = stop_reason(j.stop_reason);
    for (Trace &t : table.traces(base))
        out.push_back(std::move(t));
}

void scamper_tracelb_to_traces(const ScamperTracelb &j, const std::string &dst, const std::string &name,
                               std::vector<Trace> &out)
{
    const int firsthop = static_cast<int>(std::clamp<long long>(j.firsthop, 1, 255));
    std::map<std::string, int> ttl;                        // a node's lowest probe TTL
    std::map<std::string, std::vector<LbLink>> links;      // out links of a node
    std::map<std::string, std::vector<std::string>> preds; // in links
    std::vector<std::string> order;                        // nodes as listed
    std::set<std::pair<std::string, std::string>> link_seen;
    for (const ScamperLbNode &n : j.nodes) {
        auto from = ipv4_text(n.addr);
        if (!from) continue; // an IPv6 or unnamed node: nothing to graph
        if (order.empty()) ttl.emplace(*from, firsthop);
        order.push_back(*from);
        // "*" entries are silent TTLs, which the probe TTL of the next entry
        // accounts for.
        for (const ScamperLbEntry &hop : n.entries) {
            auto to = ipv4_text(hop.addr);
            if (!to) continue;
            LbLink l{.to = *to};
            int lowest = 256;
            for (const ScamperLbProbe &p : hop.probes) {
                if (p.replyc == 0) continue;
                if (p.ttl < 1 || p.ttl > 255) fail(name, "tracelb to " + dst + ": probe without a valid ttl");
                if (p.flowid >= 0) l.flows.push_back(static_cast<uint32_t>(p.flowid));
                if (p.ttl < lowest) {
                    lowest = static_cast<int>(p.ttl);
                    const ScamperLbReply r = p.replies.empty() ? ScamperLbReply{} : p.replies[0];
                    l.reply = Hop{.ttl = static_cast<uint8_t>(p.ttl), .addr = *to, .rtt_ms = r.rtt_ms};
                    l.reply.reply_ttl = r.reply_ttl;
                    l.reply.icmp_type = r.icmp_type;
                    l.reply.icmp_code = r.icmp_code;
                    l.reply.quoted_ttl = r.quoted_ttl;
                    l.reply.mpls_labels = r.mpls_labels;
                }
            }
            if (lowest == 256) continue; // no probe of it answered
            auto [it, fresh] = ttl.emplace(*to, lowest);
            if (!fresh) it->second = std::min(it->second, lowest);
            // The same link listed twice (a node's groups overlap): the first
            // entry stands for it, as link_of below would pick it anyway.
            if (!link_seen.insert({*from, *to}).second) continue;
            preds[*to].push_back(*from);
            links[*from].push_back(std::move(l));
        }
    }
    for (const std::string &n : order)
        ttl.emplace(n, firsthop);
    std::set<std::pair<std::string, std::string>> covered;
    std::set<std::string> placed;
    auto link_of = [&](const std::string &u, const std::string &v) -> const LbLink * {
        for (const LbLink &l : links[u])
            if (l.to == v) return &l;
        return nullptr;
    };
    auto emit = [&](const std::vector<std::string> &path, uint32_t flow) {
        HopAlternatives table;
        table.probed_range(firsthop, ttl[path.back()]);
        for (size_t i = 0; i < path.size(); ++i) {
            const LbLink *in = i ? link_of(path[i - 1], path[i]) : nullptr;
            Hop h = in ? in->reply : Hop{.addr = path[i]};
            h.ttl = static_cast<uint8_t>(ttl[path[i]]);
            table.add(std::move(h));
            placed.insert(path[i]);
            if (i) covered.insert({path[i - 1], path[i]});
        }
        Trace base;
        base.dst = dst;
        base.first_ttl = static_cast<uint8_t>(firsthop);
        for (Trace &t : table.traces(base)) {
            t.flow_id = static_cast<uint16_t>(flow);
            out.push_back(std::move(t));
        }
    };
    // Each node's first predecessor at a lower TTL ("" if none), the step
    // back along a chain of predecessors; found once per node, so a file with
    // many links into one node costs no more than its links.
    std::map<std::string, std::string> back;
    for (const auto &[v, ps] : preds) {
        std::string &b = back[v];
        for (const std::string &p : ps)
            if (ttl[p] < ttl[v]) {
                b = p;
                break;
            }
    }
    // One path through each link not yet on a path: back along the chain of
    // predecessors, forward preferring links still uncovered. TTLs rise along
    // a path, which also stops a malformed file's cycles.
    for (const std::string &u : order)
        for (const LbLink &l : std::vector<LbLink>(links[u])) {
            if (covered.count({u, l.to})) continue;
            std::vector<std::string> path{u, l.to};
            for (std::string cur = u;;) {
                auto b = back.find(cur);
                if (b == back.end() || b->second.empty()) break;
                path.insert(path.begin(), b->second);
                cur = b->second;
            }
            for (std::string cur = l.to; links.count(cur);) {
                const LbLink *pick = nullptr;
                for (const LbLink &o : links[cur]) {
                    if (ttl[o.to] <= ttl[cur]) continue;
                    if (!pick || (!covered.count({cur, o.to}) && covered.count({cur, pick->to}))) pick = &o;
                }
                if (!pick) break;
                path.push_back(pick->to);
                cur = pick->to;
            }
            emit(path, l.flows.empty() ? 0 : l.flows.front());
        }
    for (const std::string &n : order)
        if (!placed.count(n)) emit({n}, 0); // a node no link reaches or leaves
}

std::string ScamperRecordTally::destination(const std::string &type, const std::string &dst, const std::string &name)
{
    ++records_;
    if (auto v4 = ipv4_text(dst)) return *v4;
    if (!looks_like_ipv6(dst)) fail(name, type + " destination '" + dst + "' is not an IP address");
    ++ipv6_;
    return {};
}

void ScamperRecordTally::log(const std::string &name) const
{
    if (records_ > 0 && ipv6_ == records_)
        log::warn("{}: only IPv6 scamper records ({}); pathmap graphs IPv4 only", name, records_);
    else if (ipv6_)
        log::info("{}: skipped {} IPv6 scamper records", name, ipv6_);
}

std::vector<Trace> parse_scamper_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    ScamperRecordTally tally;
    for_each_json_record(text, name, [&](const json &j) {
        if (!j.is_object()) return;
        const std::string type = json_string(j, "type");
        if (type != "trace" && type != "tracelb") return; // cycle-start/stop, ping, ...
        const std::string dst = tally.destination(type, json_string(j, "dst"), name);
        if (dst.empty()) return;
        try {
            if (type == "trace")
                scamper_trace_to_traces(trace_from_json(j), dst, name, out);
            else
                scamper_tracelb_to_traces(tracelb_from_json(j, name), dst, name, out);
        } catch (const json::exception &e) {
            fail(name, "scamper " + type + ": " + e.what());
        }
    });
    tally.log(name);
    return out;
}

} // namespace pathmap::graph
