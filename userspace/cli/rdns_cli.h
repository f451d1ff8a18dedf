// Reverse DNS as sweep and graph offer it: the options, and filling names
// into traces (sweep) or into a built graph's interfaces (graph --rdns),
// with one warning line when the resolver does not answer.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "pathmap/trace.h"

namespace CLI {
class App;
}
namespace pathmap::graph {
class TopologyBuilder;
}

namespace pathmap::cli {

struct RdnsOptions {
    std::string mode;          // sweep: routers | all | none; graph: "" (off) or "on"
    std::string resolver;      // servers, comma-separated; "" = the system's resolv.conf
    unsigned timeout_ms = 1000; // per query try
};

// sweep: --rdns MODE (default routers), --resolver, --rdns-timeout.
void add_sweep_rdns_options(CLI::App &cmd, RdnsOptions &o);
// graph: --rdns (flag), --resolver, --rdns-timeout.
void add_graph_rdns_options(CLI::App &cmd, RdnsOptions &o);

// geolocate: --rdns (flag), --resolver, --rdns-timeout; names are parsed for
// city, IATA and operator codes.
void add_geolocate_rdns_options(CLI::App &cmd, RdnsOptions &o);

// Resolves the addresses (duplicates allowed) and calls on_name(addr, name)
// for each that has a name; returns the summary's "rdns" object. A resolver
// that cannot start or does not answer is one warning line, not an error.
nlohmann::json resolve_names(std::vector<uint32_t> addrs, const RdnsOptions &o,
                             const std::function<void(uint32_t, const std::string &)> &on_name);

// resolve_names over the addresses of `wanted`, calling assign(item, name)
// for every item filed under an address that has a name.
template <class Item, class Assign>
nlohmann::json resolve_names_for(const std::unordered_map<uint32_t, std::vector<Item>> &wanted, const RdnsOptions &o,
                                 Assign assign)
{
    std::vector<uint32_t> addrs;
    addrs.reserve(wanted.size());
    for (const auto &entry : wanted)
        addrs.push_back(entry.first);
    return resolve_names(std::move(addrs), o, [&](uint32_t a, const std::string &name) {
        for (const Item &item : wanted.at(a))
            assign(item, name);
    });
}

// Names the router hops (mode routers) or every answering hop (all) of the
// traces; returns the summary's "rdns" object (counts, servers, or the error).
nlohmann::json name_trace_hops(std::vector<Trace> &traces, const RdnsOptions &o);
// Names the interfaces of a built graph that carry none.
nlohmann::json name_graph_interfaces(graph::TopologyBuilder &builder, const RdnsOptions &o);

} // namespace pathmap::cli
