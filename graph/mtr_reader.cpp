// mtr --json into Traces, in both layouts mtr has written:
//   {"report": {"mtr": {"dst": "8.8.8.8", ...},
//               "hubs": [{"count": 1, "host": "192.0.2.1", "Best": 0.3, ...}]}}   (0.87+; 0.92
//                                                         writes "count": "1", numbers as strings)
//   {"dst": "8.8.8.8", "hops": [{"hop": 1, "ipaddr": "192.0.2.1", "host": "gw", "best": 0.8}]}  (older)
// The hop number is "count"/"hop", never the array position: mtr leaves out
// TTLs past the destination and gaps where it stopped early. "???" is a
// silent TTL. Without -n mtr prints a name as "host"; pathmap does not
// resolve it, so such a hop keeps its TTL, RTT and name (Hop::rdns) but no
// address, and the graph keys its vertex by the name (see docs/GRAPH.md).
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

struct MtrCounts {
    size_t names_only = 0, ipv6 = 0, reports = 0;
};

// One report's hops (hubs or the older hops[]) into a table.
void read_hubs(const json &hubs, bool legacy, const std::string &name, HopAlternatives &table, MtrCounts &n,
               bool &v6)
{
    if (!hubs.is_array())
        throw InputError(name + ": mtr report: " + (legacy ? "hops" : "hubs") + " is not a list");
    for (const json &hub : hubs) {
        const auto ttl = json_int(hub, legacy ? "hop" : "count");
        if (!ttl || *ttl < 1 || *ttl > 255)
            throw InputError(name + ": mtr hop without a valid " + (legacy ? "\"hop\"" : "\"count\"") +
                             " number");
        table.probed(static_cast<int>(*ttl));
        const std::string host = json_string(hub, "host");
        std::string addr = legacy ? json_string(hub, "ipaddr") : host;
        std::string rdns = legacy && host != "unresolved" && host != addr ? host : std::string();
        if (addr.empty() || addr == "???") continue;
        Hop h{.ttl = static_cast<uint8_t>(*ttl)};
        if (auto v4 = ipv4_text(addr)) {
            h.addr = *v4;
        } else if (looks_like_ipv6(addr)) {
            v6 = true;
            continue;
        } else if (!legacy) {
            ++n.names_only; // mtr without -n: a name, address unknown
            rdns = addr;
        } else {
            throw InputError(name + ": mtr hop " + std::to_string(*ttl) + ": bad ipaddr '" + addr + "'");
        }
        if (!rdns.empty()) h.rdns = rdns;
        h.rtt_ms = json_double(hub, legacy ? "best" : "Best")
                       .value_or(json_double(hub, legacy ? "avg" : "Avg").value_or(0.0));
        if (h.addr.empty()) {
            table.answered_by_name(static_cast<int>(*ttl), rdns, h.rtt_ms);
            continue;
        }
        table.add(std::move(h));
    }
}

} // namespace

std::vector<Trace> parse_mtr_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    MtrCounts n;
    for (const json &doc : json_documents(text, name)) {
        if (!doc.is_object()) throw InputError(name + ": mtr report must be an object");
        const bool legacy = !doc.contains("report");
        const json &report = legacy ? doc : doc["report"];
        if (!report.is_object()) throw InputError(name + ": mtr report must be an object");
        const json &head = legacy ? report : report.value("mtr", json::object());
        if (!legacy && !report.contains("hubs")) throw InputError(name + ": mtr report without \"hubs\"");
        if (legacy && !report.contains("hops"))
            throw InputError(name + ": mtr report without \"hubs\" or \"hops\"");
        ++n.reports;
        HopAlternatives table;
        bool v6 = false;
        read_hubs(legacy ? report["hops"] : report["hubs"], legacy, name, table, n, v6);
        const std::string dst = json_string(head, "dst");
        if (looks_like_ipv6(dst) || (v6 && table.responding_ttls() == 0)) {
            ++n.ipv6;
            continue;
        }
        Trace base;
        // mtr writes the destination as given: a name when one was typed. The
        // last answer then stands for it only if it is an address.
        if (auto v4 = ipv4_text(dst))
            base.dst = *v4;
        else if (!table.last_address().empty())
            base.dst = table.last_address();
        else
            throw InputError(name + ": mtr report to '" + dst +
                             "' shows no address anywhere, so its destination is unknown; run mtr -n (or -b)");
        for (Trace &t : table.traces(base))
            out.push_back(std::move(t));
    }
    if (n.reports > 0 && n.ipv6 == n.reports)
        log::warn("{}: only IPv6 mtr reports ({}); pathmap graphs IPv4 only", name, n.reports);
    if (n.names_only)
        log::info(
            "{}: {} mtr hops show a name and no address (mtr without -n): kept by name; run mtr -n (or -b) for "
            "addresses",
            name, n.names_only);
    return out;
}

} // namespace pathmap::graph
