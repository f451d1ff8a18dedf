// scamper JSON (sc_warts2json, scamper -O json) into Traces:
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

void read_icmpext(const json &r, Hop &h)
{
    if (!r.contains("icmpext") || !r["icmpext"].is_array()) return;
    for (const json &ext : r["icmpext"])
        for (const json &l : ext.value("mpls_labels", json::array()))
            if (auto v = json_int(l, "mpls_label")) h.mpls_labels.push_back(static_cast<uint32_t>(*v));
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

void read_trace(const json &j, const std::string &dst, const std::string &name, std::vector<Trace> &out)
{
    HopAlternatives table;
    for (const json &jh : j.value("hops", json::array())) {
        const auto ttl = json_int(jh, "probe_ttl");
        if (!ttl || *ttl < 1 || *ttl > 255) fail(name, "trace to " + dst + ": hop without a valid probe_ttl");
        const std::string a = json_string(jh, "addr");
        auto v4 = ipv4_text(a);
        if (!v4) {
            if (!a.empty() && !looks_like_ipv6(a)) fail(name, "trace to " + dst + ": bad hop address " + a);
            table.probed(static_cast<int>(*ttl));
            continue;
        }
        Hop h{.ttl = static_cast<uint8_t>(*ttl), .addr = *v4, .rtt_ms = json_double(jh, "rtt").value_or(0.0)};
        h.icmp_type = static_cast<int>(json_int(jh, "icmp_type").value_or(-1));
        h.icmp_code = static_cast<int>(json_int(jh, "icmp_code").value_or(-1));
        h.reply_ttl = static_cast<int>(json_int(jh, "reply_ttl").value_or(0));
        h.quoted_ttl = static_cast<int>(json_int(jh, "icmp_q_ttl").value_or(0));
        read_icmpext(jh, h);
        if (const std::string n = json_string(jh, "name"); !n.empty()) h.rdns = n;
        table.add(std::move(h));
    }
    // scamper lists replies only; it probed every TTL from firsthop up.
    const int first = std::max<int>(1, static_cast<int>(json_int(j, "firsthop").value_or(1)));
    const int last = std::max<int>(static_cast<int>(json_int(j, "hop_count").value_or(0)), table.last_ttl());
    table.probed_range(first, last);
    Trace base;
    base.dst = dst;
    base.first_ttl = static_cast<uint8_t>(std::min(first, 255));
    const std::string stop = json_string(j, "stop_reason");
    base.reached = stop == "COMPLETED";
    base.stop_reason = stop_reason(stop);
    for (Trace &t : table.traces(base))
        out.push_back(std::move(t));
}

// A tracelb link u -> v: v's reply to the first probe that crossed it.
struct LbLink {
    std::string to;
    Hop reply;
    std::vector<uint32_t> flows;
};

void read_tracelb(const json &j, const std::string &dst, const std::string &name, std::vector<Trace> &out)
{
    const int firsthop = std::max<int>(1, static_cast<int>(json_int(j, "firsthop").value_or(1)));
    std::map<std::string, int> ttl;                        // a node's lowest probe TTL
    std::map<std::string, std::vector<LbLink>> links;      // out links of a node
    std::map<std::string, std::vector<std::string>> preds; // in links
    std::vector<std::string> order;                        // nodes as listed
    const json &nodes = j.value("nodes", json::array());
    if (!nodes.is_array()) fail(name, "tracelb to " + dst + ": nodes is not a list");
    for (const json &n : nodes) {
        auto from = ipv4_text(json_string(n, "addr"));
        if (!from) continue; // an IPv6 or unnamed node: nothing to graph
        if (order.empty()) ttl.emplace(*from, firsthop);
        order.push_back(*from);
        // sc_warts2json groups a node's link hops inconsistently ([[a, b]] for
        // two links, [[*], [c]] for one through a silent hop), so every
        // addressed entry is a link of its own; "*" entries are silent TTLs,
        // which the probe TTL of the next entry accounts for.
        for (const json &group : n.value("links", json::array())) {
            if (!group.is_array()) fail(name, "tracelb to " + dst + ": a link is not a list");
            for (const json &hop : group) {
                auto to = ipv4_text(json_string(hop, "addr"));
                if (!to) continue;
                LbLink l{.to = *to};
                int lowest = 256;
                for (const json &p : hop.value("probes", json::array())) {
                    if (json_int(p, "replyc").value_or(0) == 0) continue;
                    const auto pt = json_int(p, "ttl");
                    if (!pt || *pt < 1 || *pt > 255)
                        fail(name, "tracelb to " + dst + ": probe without a valid ttl");
                    if (auto f = json_int(p, "flowid")) l.flows.push_back(static_cast<uint32_t>(*f));
                    if (*pt < lowest) {
                        lowest = static_cast<int>(*pt);
                        const json &replies = p.value("replies", json::array());
                        const json r = replies.empty() ? json::object() : replies[0];
                        l.reply = Hop{.ttl = static_cast<uint8_t>(*pt),
                                      .addr = *to,
                                      .rtt_ms = json_double(r, "rtt").value_or(0.0)};
                        l.reply.reply_ttl = static_cast<int>(json_int(r, "ttl").value_or(0));
                        l.reply.icmp_type = static_cast<int>(json_int(r, "icmp_type").value_or(-1));
                        l.reply.icmp_code = static_cast<int>(json_int(r, "icmp_code").value_or(-1));
                        l.reply.quoted_ttl = static_cast<int>(json_int(r, "icmp_q_ttl").value_or(0));
                        read_icmpext(r, l.reply);
                    }
                }
                if (lowest == 256) continue; // no probe of it answered
                auto [it, fresh] = ttl.emplace(*to, lowest);
                if (!fresh) it->second = std::min(it->second, lowest);
                preds[*to].push_back(*from);
                links[*from].push_back(std::move(l));
            }
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
    // One path through each link not yet on a path: back along any chain of
    // predecessors, forward preferring links still uncovered. TTLs rise along
    // a path, which also stops a malformed file's cycles.
    for (const std::string &u : order)
        for (const LbLink &l : std::vector<LbLink>(links[u])) {
            if (covered.count({u, l.to})) continue;
            std::vector<std::string> path{u, l.to};
            for (std::string cur = u; preds.count(cur);) {
                std::string next;
                for (const std::string &p : preds[cur])
                    if (ttl[p] < ttl[cur]) {
                        next = p;
                        break;
                    }
                if (next.empty()) break;
                path.insert(path.begin(), next);
                cur = next;
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

} // namespace

std::vector<Trace> parse_scamper_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    size_t records = 0, ipv6 = 0;
    const std::vector<json> docs = json_documents(text, name);
    for (const json *jp : json_records(docs)) {
        const json &j = *jp;
        if (!j.is_object()) continue;
        const std::string type = json_string(j, "type");
        if (type != "trace" && type != "tracelb") continue; // cycle-start/stop, ping, ...
        ++records;
        const std::string dst = json_string(j, "dst");
        auto v4 = ipv4_text(dst);
        if (!v4) {
            if (!looks_like_ipv6(dst)) fail(name, type + " destination '" + dst + "' is not an IP address");
            ++ipv6;
            continue;
        }
        try {
            if (type == "trace")
                read_trace(j, *v4, name, out);
            else
                read_tracelb(j, *v4, name, out);
        } catch (const json::exception &e) {
            fail(name, "scamper " + type + ": " + e.what());
        }
    }
    if (records > 0 && ipv6 == records)
        log::warn("{}: only IPv6 scamper records ({}); pathmap graphs IPv4 only", name, records);
    else if (ipv6)
        log::info("{}: skipped {} IPv6 scamper records", name, ipv6);
    return out;
}

} // namespace pathmap::graph
