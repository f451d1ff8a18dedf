// TopologyBuilder: grows a TopologyGraph one trace at a time (during a sweep
// or while reading files) and keeps every path as a compact vertex sequence
// for the classifier, profiles and path queries.
//
// Silent hops become `anonymous` vertices keyed by their responding
// neighbours (previous responding vertex, next responding vertex, offset), so
// one silent router crossed by many paths is one vertex, not one per path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/detail/flat_index.h"
#include "graph/topology_graph.h"
#include "pathmap/trace.h"

namespace pathmap::graph {

struct BuilderConfig {
    std::string vantage_label = "vantage";
    uint8_t prefix_len = 24; // a reached target is grouped into this prefix
};

struct PathHop {
    VertexId vertex = kNoVertex;
    float rtt_ms = 0.0f;        // 0 for a silent hop
    uint8_t ttl = 0;
    uint8_t reply_ttl = 0;
    uint8_t quoted_ttl = 0;
    uint8_t flags = 0;          // kResponded | kMpls | kDestination

    static constexpr uint8_t kResponded = 1;
    static constexpr uint8_t kMpls = 2;
    static constexpr uint8_t kDestination = 4;
    bool responded() const { return flags & kResponded; }
};

struct PathRecord {
    uint32_t dst = 0;          // host order
    uint16_t flow_id = 0;
    bool reached = false;
    VertexId prefix = kNoVertex;
    uint32_t first_hop = 0;    // index into TopologyBuilder::hops()
    uint32_t hop_count = 0;
};

class TopologyBuilder {
public:
    explicit TopologyBuilder(BuilderConfig cfg = {});

    // Adds one trace. A trace whose destination is not a dotted quad, or with
    // a hop address that is not, throws std::invalid_argument naming it.
    void add(const Trace &t);
    void add(const std::vector<Trace> &traces)
    {
        for (const Trace &t : traces) add(t);
    }
    // Reply-level entry point used by benchmarks and the sweep: addresses in
    // host order, addr 0 = silent. hops must be sorted by ttl.
    struct Reply {
        uint8_t ttl = 0;
        uint32_t addr = 0;
        float rtt_ms = 0.0f;
        uint8_t reply_ttl = 0;
        uint8_t quoted_ttl = 0; // see tunnel_quoted_ttl()
        bool mpls = false;
    };
    // The quoted TTL is tunnel evidence only in a Time Exceeded reply: there a
    // value above 1 means the TTL was not decremented along the way (an MPLS
    // tunnel). A Destination Unreachable quotes whatever TTL the probe had left,
    // so its quote says nothing and is dropped. icmp_type -1 = not known.
    static uint8_t tunnel_quoted_ttl(int icmp_type, int quoted_ttl)
    {
        if (icmp_type >= 0 && icmp_type != 11) return 0;
        return static_cast<uint8_t>(quoted_ttl < 0 ? 0 : quoted_ttl > 255 ? 255 : quoted_ttl);
    }
    void add_path(uint32_t dst, uint16_t flow_id, bool reached, const Reply *hops, size_t n);
    // The rDNS name (possibly empty) of each hop that has an address, in trace
    // order; add_path with names attaches them as add(const Trace &) does.
    struct HopName {
        uint8_t ttl = 0;
        std::string_view name;
    };
    void add_path(uint32_t dst, uint16_t flow_id, bool reached, const Reply *hops, size_t n, const HopName *names,
                  size_t n_names);

    // Attach an rDNS name seen for an address (first one wins).
    void set_rdns(VertexId v, const std::string &name);

    TopologyGraph &graph() { return graph_; }
    const TopologyGraph &graph() const { return graph_; }
    const std::vector<PathRecord> &paths() const { return paths_; }
    const std::vector<PathHop> &hops() const { return hops_; }
    VertexId vantage() const { return vantage_; }
    const BuilderConfig &config() const { return cfg_; }
    void reserve(size_t traces, size_t hops);

private:
    VertexId prefix_vertex(uint32_t dst);
    VertexId anonymous_vertex(VertexId prev, VertexId next, uint8_t offset);
    void attach_names(size_t first_hop, const HopName *names, size_t n);

    BuilderConfig cfg_;
    TopologyGraph graph_;
    VertexId vantage_ = kNoVertex;
    std::vector<PathRecord> paths_;
    std::vector<PathHop> hops_;
    // Looked up once per trace and per silent hop: hashed, not std::map trees.
    detail::FlatIndex prefixes_;
    struct AnonymousKey {
        VertexId prev, next;
        uint8_t offset;
        bool operator==(const AnonymousKey &) const = default;
    };
    struct AnonymousKeyHash {
        size_t operator()(const AnonymousKey &k) const noexcept
        {
            return detail::mix64((uint64_t{k.prev} << 32 | k.next) ^ (uint64_t{k.offset} << 56));
        }
    };
    std::unordered_map<AnonymousKey, VertexId, AnonymousKeyHash> anonymous_;
    std::vector<Reply> scratch_;
    std::vector<HopName> scratch_names_;
};

// One traces.jsonl line as parse_trace_line_replies (input_formats.h) reads it.
struct TraceLineReplies {
    uint32_t dst = 0;
    uint16_t flow_id = 0;
    bool reached = false;
    std::vector<TopologyBuilder::Reply> replies;
    std::vector<TopologyBuilder::HopName> names;
};

} // namespace pathmap::graph
