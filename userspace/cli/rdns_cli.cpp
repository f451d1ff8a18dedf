// --rdns for sweep and graph over names::ReverseDns.
#include "userspace/cli/rdns_cli.h"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/names/reverse_dns.h"

namespace pathmap::cli {

namespace {

void add_common(CLI::App &cmd, RdnsOptions &o)
{
    cmd.add_option("--resolver", o.resolver,
                   "DNS servers for reverse lookups, comma-separated (default: the system's /etc/resolv.conf; inside "
                   "`ip netns exec NS`, /etc/netns/NS/resolv.conf)")
        ->type_name("IP[,IP]");
    cmd.add_option("--rdns-timeout", o.timeout_ms, "Milliseconds per reverse lookup try (2 tries)")
        ->check(CLI::Range(50, 30000))
        ->capture_default_str();
}

// Resolves addrs within tries x timeout (+0.5 s); one warning line when the
// resolver gave nothing back.
nlohmann::json run(names::ReverseDns &dns, const std::vector<uint32_t> &addrs, const RdnsOptions &o)
{
    dns.resolve(addrs, 2 * o.timeout_ms + 500);
    const names::ReverseDnsStats &s = dns.stats();
    if (s.queries > 0 && s.answered + s.no_name == 0)
        log::warn("reverse DNS: the resolver ({}) did not answer ({} of {} lookups timed out, {} failed); names left out",
                  dns.servers(), s.timed_out + s.cut, s.queries, s.failed);
    return {{"servers", dns.servers()}, {"addresses", addrs.size()}, {"queries", s.queries},
            {"answered", s.answered},   {"no_name", s.no_name},       {"failed", s.failed},
            {"timed_out", s.timed_out}, {"cut_at_deadline", s.cut}};
}

} // namespace

void add_sweep_rdns_options(CLI::App &cmd, RdnsOptions &o)
{
    o.mode = "routers";
    cmd.add_option("--rdns", o.mode,
                   "Reverse DNS names for hops, into traces.jsonl, the graph and the role rules: routers (the router "
                   "interfaces), all (destinations too), none")
        ->check(CLI::IsMember({"routers", "all", "none"}))
        ->capture_default_str();
    add_common(cmd, o);
}

void add_graph_rdns_options(CLI::App &cmd, RdnsOptions &o)
{
    cmd.add_flag_callback("--rdns", [&o] { o.mode = "on"; },
                          "Look up reverse DNS names for interfaces the input files carry none for");
    add_common(cmd, o);
}

void add_geolocate_rdns_options(CLI::App &cmd, RdnsOptions &o)
{
    cmd.add_flag_callback("--rdns", [&o] { o.mode = "on"; },
                          "Look up reverse DNS names for hops the input carries none for; names are parsed for city, "
                          "IATA and operator codes");
    add_common(cmd, o);
}

nlohmann::json resolve_names(std::vector<uint32_t> addrs, const RdnsOptions &o,
                             const std::function<void(uint32_t, const std::string &)> &on_name)
{
    std::sort(addrs.begin(), addrs.end());
    addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
    try {
        names::ReverseDns dns({.timeout_ms = o.timeout_ms, .servers = o.resolver});
        nlohmann::json summary = run(dns, addrs, o);
        for (uint32_t a : addrs)
            if (auto n = dns.name(a)) on_name(a, *n);
        return summary;
    } catch (const names::ResolverError &e) {
        log::warn("reverse DNS: {}; names left out", e.what());
        return {{"error", e.what()}};
    }
}

nlohmann::json name_trace_hops(std::vector<Trace> &traces, const RdnsOptions &o)
{
    if (o.mode == "none" || o.mode.empty()) return {{"mode", "none"}};
    const bool all = o.mode == "all";
    std::unordered_map<uint32_t, std::vector<Hop *>> wanted;
    for (Trace &t : traces)
        for (Hop &h : t.hops) {
            if (h.addr.empty() || h.rdns || (!all && h.addr == t.dst)) continue;
            if (auto a = parse_ipv4(h.addr)) wanted[*a].push_back(&h);
        }
    nlohmann::json summary = resolve_names_for(wanted, o, [](Hop *h, const std::string &name) { h->rdns = name; });
    summary["mode"] = o.mode;
    return summary;
}

nlohmann::json name_graph_interfaces(graph::TopologyBuilder &builder, const RdnsOptions &o)
{
    if (o.mode.empty() || o.mode == "none") return {{"mode", "none"}};
    graph::TopologyGraph &g = builder.graph();
    std::unordered_map<uint32_t, std::vector<graph::VertexId>> wanted;
    for (graph::VertexId v = 0; v < g.vertex_count(); ++v) {
        const graph::VertexInfo &vi = g.vertex(v);
        if (vi.kind == graph::VertexKind::interface && vi.rdns.empty()) wanted[vi.addr].push_back(v);
    }
    return resolve_names_for(wanted, o, [&](graph::VertexId v, const std::string &name) { builder.set_rdns(v, name); });
}

} // namespace pathmap::cli
