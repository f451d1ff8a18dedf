// TopologyBuilder: grows a TopologyGraph one trace at a time (during a sweep
// or while reading files) and keeps every path as a compact vertex sequence
// for the classifier, profiles and path queries.
//
// The graph holds only what was observed:
// - A TTL that was probed and went unanswered, between two answered hops of
//   the trace (the vantage counts as answered at TTL 0), becomes an
//   `anonymous` vertex keyed by (previous answered vertex, next answered
//   vertex, offset), so one silent router crossed by many paths is one vertex.
// - A TTL never probed (no entry in the trace) becomes no vertex; the edge
//   across it carries the gap (EdgeInfo::ttl_gap). A trace whose first probe
//   went out above TTL 1 (Doubletree's stop set) joins the graph at its first
//   answer; finish() links the vantage to such a vertex only if no trace
//   reached it from below.
// - Each trace starts at its own vantage point: Trace::vantage_id (a stored
//   scan's vantage, an Atlas prb_id) names a vantage vertex, "" the one
//   labelled BuilderConfig::vantage_label. Traces from different vantage
//   points never share a first edge that nobody measured.
// - A hop that answered but is known by its name only (mtr or tracepath
//   without -n: Hop::rdns set, Hop::addr empty) is an interface vertex keyed
//   by that name (addr 0, label and rdns the name), so traces through the
//   same named router meet there.
// - Trailing silence ends the path with no vertex.
// - A reached destination is folded into its /24's prefix vertex (unless
//   host_vertices), which counts the hosts probed and reached there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph/detail/flat_index.h"
#include "graph/topology_graph.h"
#include "pathmap/trace.h"

namespace pathmap::graph {

struct BuilderConfig {
    std::string vantage_label = "vantage";
    uint8_t prefix_len = 24; // a reached target is grouped into this prefix
    bool host_vertices = false; // true: every destination host keeps an interface vertex (--hosts)
};

struct PathHop {
    VertexId vertex = kNoVertex;
    float rtt_ms = 0.0f;        // 0 for a silent hop, NaN for an answer without a measured RTT
    uint8_t ttl = 0;            // hop distance: the probe TTL, or an unreachable's distance from its quote
    uint8_t reply_ttl = 0;
    uint8_t quoted_ttl = 0;
    uint8_t flags = 0;          // kResponded | kMpls | kDestination (vertex is then the prefix unless host_vertices)

    static constexpr uint8_t kResponded = 1;
    static constexpr uint8_t kMpls = 2;
    static constexpr uint8_t kDestination = 4;
    static constexpr uint8_t kDropped = 8; // finish() removes the slot (internal)
    bool responded() const { return flags & kResponded; }
};

struct PathRecord {
    uint32_t dst = 0;          // host order
    VertexId vantage = kNoVertex; // where the trace started (TopologyBuilder::vantage() unless named)
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
    // host order, addr 0 = probed and silent; a TTL with no entry was not
    // probed. hops must be sorted by ttl.
    struct Reply {
        uint8_t ttl = 0;
        uint32_t addr = 0;
        float rtt_ms = 0.0f;    // NaN: the reply came but its RTT was not measured (Hop::rtt_known)
        uint8_t reply_ttl = 0;
        uint8_t quoted_ttl = 0; // see tunnel_quoted_ttl()
        bool mpls = false;
        uint8_t distance = 0;   // see unreachable_distance(); 0 = the probe TTL is the distance
    };
    // A Destination Unreachable quotes the probe's header as it arrived (Linux
    // routers and hosts do not decrement before the route lookup fails), so
    // the sender's distance is probe TTL - quoted TTL + 1. It matters for a
    // probe sent far beyond the sender (the sweep's TTL-32 preprobe answered
    // by the first router). 0 when the reply is not an unreachable or the
    // quote says nothing. The builder uses it only where it agrees with the
    // neighbouring hops: for the trace's last answer, beyond the previous
    // answer and below the probe TTL.
    static uint8_t unreachable_distance(int icmp_type, int probe_ttl, int quoted_ttl)
    {
        if (icmp_type != 3 || quoted_ttl < 1 || quoted_ttl > probe_ttl) return 0;
        return static_cast<uint8_t>(probe_ttl - quoted_ttl + 1);
    }
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

    // Completes the graph for analysis and export: links the vantage to the
    // first answer of traces that started above TTL 1 where no other trace
    // reached that vertex, and stores each prefix vertex's host counts.
    // Idempotent; call again after adding more traces.
    void finish();
    // True when nothing waits for finish(): analyses and exports need it.
    bool finished() const { return silent_runs_.empty() && pending_starts_.empty(); }

    // The address that answered at a path hop: the destination for a folded
    // destination hop, else the vertex's address (0 for a silent hop).
    uint32_t hop_address(const PathRecord &rec, const PathHop &h) const
    {
        if (!h.responded()) return 0;
        return (h.flags & PathHop::kDestination) ? rec.dst : graph_.vertex(h.vertex).addr;
    }

    TopologyGraph &graph() { return graph_; }
    const TopologyGraph &graph() const { return graph_; }
    const std::vector<PathRecord> &paths() const { return paths_; }
    const std::vector<PathHop> &hops() const { return hops_; }
    // The first vantage vertex (the only one unless traces name theirs), and all of them.
    VertexId vantage() const { return vantage_; }
    const std::vector<VertexId> &vantages() const { return vantages_; }
    bool is_vantage(VertexId v) const { return graph_.vertex(v).kind == VertexKind::vantage; }
    const BuilderConfig &config() const { return cfg_; }
    void reserve(size_t traces, size_t hops);

private:
    struct PrefixSlot {
        PrefixStats stats;
        VertexId vertex = kNoVertex; // created when a host of the prefix is first reached
    };
    PrefixSlot &prefix_slot(uint32_t dst);
    VertexId prefix_vertex(uint32_t dst);
    VertexId anonymous_vertex(VertexId prev, VertexId next, uint8_t offset);
    VertexId named_vertex(std::string_view name);
    VertexId vantage_vertex(const std::string &id);
    VertexId default_vantage(); // vantage_vertex(""), cached for the reply-level add_path
    void place_silent_runs();
    void link_edge(VertexId from, VertexId to, EdgeKind kind, uint8_t near_ttl, uint8_t gap, float delta,
                   bool both_answered);
    // named: per entry of hops, the name of a hop known by name only ("" for
    // the others), or nullptr when there are none.
    void add_path_impl(VertexId vantage, uint32_t dst, uint16_t flow_id, bool reached, const Reply *hops, size_t n,
                       const HopName *names, size_t n_names, const std::string_view *named);
    void count_host(uint32_t dst, bool reached, float rtt_ms);

    BuilderConfig cfg_;
    TopologyGraph graph_;
    VertexId vantage_ = kNoVertex;
    VertexId default_vantage_ = kNoVertex;                     // traces without a vantage_id
    std::vector<VertexId> vantages_;                           // vantage_ first
    std::unordered_map<std::string, VertexId> named_vantages_; // vantage id (label for "") -> vertex
    std::vector<PathRecord> paths_;
    std::vector<PathHop> hops_;
    // Looked up once per trace and per silent hop: hashed, not std::map trees.
    detail::FlatIndex prefixes_;    // prefix address -> index into prefix_slots_
    std::vector<PrefixSlot> prefix_slots_;
    detail::FlatIndex hosts_probed_, hosts_reached_; // destination -> insertion number
    // First answer of a trace that started above TTL 1: vertex, the gap below it, its vantage.
    struct PendingStart {
        VertexId vertex = kNoVertex;
        uint8_t gap = 0;
        VertexId from = kNoVertex;
    };
    std::vector<PendingStart> pending_starts_;
    // Probed, silent TTLs between two answers of one trace, placed by finish().
    struct SilentRun {
        uint32_t first_hop = 0; // hops_ index of the first silent slot; the answer follows the run
        uint8_t count = 0;
        VertexId from = kNoVertex; // the answer before (or the vantage)
        uint8_t from_ttl = 0;
        VertexId to = kNoVertex;   // the answer after
        uint8_t to_ttl = 0;
        bool to_destination = false;
    };
    std::vector<SilentRun> silent_runs_;
    // (hop vertex << 8 | reply TTL) of destinations that answered one TTL after that hop.
    std::unordered_set<uint64_t> direct_destinations_;
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
    std::unordered_map<std::string, VertexId> named_; // hops known by name only
    std::vector<Reply> scratch_;
    std::vector<std::string_view> scratch_named_;
    std::vector<HopName> scratch_names_;
};

// One traces.jsonl line as parse_trace_line_replies (input_formats.h) reads it.
struct TraceLineReplies {
    uint32_t dst = 0;
    uint16_t flow_id = 0;
    uint8_t first_ttl = 0;
    bool reached = false;
    std::vector<TopologyBuilder::Reply> replies;
    std::vector<TopologyBuilder::HopName> names;
};

} // namespace pathmap::graph
