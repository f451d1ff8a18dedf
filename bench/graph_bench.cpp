// Graph benchmarks (docs/BENCHMARKS.md, "Topology graph"): replies into the
// graph, traces.jsonl ingest, GraphML export, peak RSS. Each mode prints its
// own number and a baseline measured in the same process.
//   graph_bench replies N_REPLIES      (10 hops per path)
//   graph_bench ingest FILE N_TRACES   (writes FILE, then reads it back twice)
//   graph_bench graphml FILE N_NODES
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/graph_export.h"
#include "graph/input_formats.h"
#include "graph/topology_builder.h"
#include "pathmap/trace_io.h"

using namespace pathmap;
using namespace pathmap::graph;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }
// User + system CPU seconds of this process: steadier than wall time on the
// shared, loaded benchmark machine.
double cpu_secs()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
long peak_rss_mib()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

// A synthetic provider: 3 core hops, 64 aggregation routers, 4096 access
// routers, 3 hops towards each destination; one path per destination.
void make_path(uint64_t i, std::vector<TopologyBuilder::Reply> &hops, uint32_t &dst)
{
    hops.clear();
    uint32_t agg = static_cast<uint32_t>(i % 64), acc = static_cast<uint32_t>(i % 4096);
    dst = 0xC6130000u + static_cast<uint32_t>(i % 65536) + (static_cast<uint32_t>(i / 65536) << 16) % (1u << 20);
    uint32_t addrs[10] = {0xC6120001u, 0xC6120101u, 0xC6120201u, 0x0A000000u + agg, 0x64400000u + acc,
                          0xC6140000u + acc * 4 + 1, 0xC6150000u + (dst >> 8 & 0xffff), 0xC6160000u + (dst & 0xffff),
                          (i % 7 == 0) ? 0u : 0xC6170000u + (dst >> 4 & 0xffff), dst};
    for (int h = 0; h < 10; ++h)
        hops.push_back({.ttl = static_cast<uint8_t>(h + 1), .addr = addrs[h], .rtt_ms = 1.0f + h * 0.7f});
}

int replies(uint64_t n)
{
    uint64_t paths = n / 10;
    std::vector<TopologyBuilder::Reply> hops;
    uint32_t dst = 0;
    // Baseline: the simplest link counter one would write, std::unordered_map of (a,b) -> count.
    // Timed up to its last reply (its destructor is not counted, nor is the builder's).
    auto t0 = Clock::now();
    double c0 = cpu_secs();
    double base = 0, base_cpu = 0;
    {
        std::unordered_map<uint64_t, uint32_t> links;
        for (uint64_t i = 0; i < paths; ++i) {
            make_path(i, hops, dst);
            uint32_t prev = 0;
            for (auto &h : hops) {
                ++links[(uint64_t{prev} << 32) | h.addr];
                prev = h.addr;
            }
        }
        base = secs(t0);
        base_cpu = cpu_secs() - c0;
        std::printf("baseline unordered_map link counter: %llu replies in %.3f s (CPU %.3f s) (%zu links)\n",
                    static_cast<unsigned long long>(paths * 10), base, base_cpu, links.size());
    }
    long rss_before = peak_rss_mib();
    t0 = Clock::now();
    c0 = cpu_secs();
    TopologyBuilder b;
    b.reserve(paths, paths * 10);
    for (uint64_t i = 0; i < paths; ++i) {
        make_path(i, hops, dst);
        b.add_path(dst, 0, true, hops.data(), hops.size());
    }
    b.finish(); // places the silent hops: part of building the graph
    double t = secs(t0), t_cpu = cpu_secs() - c0;
    long rss_ingest = peak_rss_mib();
    auto t1 = Clock::now();
    size_t deg = b.graph().degree(0); // first adjacency query materialises the Boost adjacency lists
    double sync = secs(t1);
    std::printf("Boost adjacency materialised on first query in %.3f s (vantage degree %zu); peak RSS after ingest %ld MiB\n",
                sync, deg, rss_ingest);
    std::printf("TopologyBuilder: %llu replies in %.3f s (CPU %.3f s) = %.2f M replies/s; %zu vertices, %zu edges; "
                "time / baseline %.2f (CPU %.2f)\n",
                static_cast<unsigned long long>(paths * 10), t, t_cpu, paths * 10 / t / 1e6, b.graph().vertex_count(),
                b.graph().edge_count(), t / base, t_cpu / base_cpu);
    std::printf("peak RSS with adjacency %ld MiB (baseline phase peak %ld MiB)\n", peak_rss_mib(), rss_before);
    return 0;
}

int ingest(const char *file, uint64_t traces)
{
    {
        std::ofstream out(file);
        std::vector<TopologyBuilder::Reply> hops;
        uint32_t dst = 0;
        for (uint64_t i = 0; i < traces; ++i) {
            make_path(i, hops, dst);
            Trace t;
            t.dst = format_ipv4(dst);
            t.flow_id = static_cast<uint16_t>(i);
            t.reached = true;
            t.stop_reason = "reached";
            for (auto &r : hops) {
                Hop h;
                h.ttl = r.ttl;
                if (r.addr) h.addr = format_ipv4(r.addr);
                h.rtt_ms = r.rtt_ms;
                h.icmp_type = 11;
                h.icmp_code = 0;
                h.reply_ttl = 64 - r.ttl;
                h.quoted_ttl = 1;
                t.hops.push_back(h);
            }
            write_trace_line(out, t);
        }
    }
    size_t n_hops = 0;
    auto t0 = Clock::now();
    double c0 = cpu_secs();
    {
        auto ts = read_traces_jsonl_file(file); // baseline: nlohmann::json tree per line
        TopologyBuilder b;
        for (auto &t : ts) n_hops += t.hops.size();
        b.add(ts);
    }
    double base = secs(t0), base_cpu = cpu_secs() - c0;
    std::printf("baseline read_traces_jsonl (nlohmann) + build: %zu hops in %.3f s (CPU %.3f s) = %.2f M hops/s (CPU-time rate %.2f)\n",
                n_hops, base, base_cpu, n_hops / base / 1e6, n_hops / base_cpu / 1e6);
    t0 = Clock::now();
    c0 = cpu_secs();
    auto ts = read_traces_file(file, InputFormat::pathmap);
    double parse = secs(t0);
    TopologyBuilder b;
    b.add(ts);
    b.finish();
    double t = secs(t0), t_cpu = cpu_secs() - c0;
    std::printf("fast reader into std::vector<Trace> + build: %zu hops in %.3f s (CPU %.3f s) = %.2f M hops/s (CPU-time rate %.2f); "
                "of which parsing %.3f s\n", n_hops, t, t_cpu, n_hops / t / 1e6, n_hops / t_cpu / 1e6, parse);
    ts.clear();
    ts.shrink_to_fit();
    t0 = Clock::now();
    c0 = cpu_secs();
    TopologyBuilder streamed;
    size_t n = ingest_traces_file(file, InputFormat::pathmap, streamed);
    streamed.finish();
    double ts_stream = secs(t0), ts_cpu = cpu_secs() - c0;
    std::printf("pathmap graph ingest_traces_file (streamed into the builder): %zu traces, %zu hops in %.3f s (CPU %.3f s) = "
                "%.2f M hops/s (CPU-time rate %.2f); speed-up over the baseline %.2fx (CPU %.2fx)\n",
                n, n_hops, ts_stream, ts_cpu, n_hops / ts_stream / 1e6, n_hops / ts_cpu / 1e6, base / ts_stream,
                base_cpu / ts_cpu);
    return 0;
}

int graphml(const char *file, uint64_t nodes)
{
    // One vertex per destination host, as builds before the /24 folding made
    // them, so old and new builds export graphs of the same shape. finish()
    // places the silent hops, so it runs as the graph grows.
    TopologyBuilder b({.host_vertices = true});
    std::vector<TopologyBuilder::Reply> hops;
    uint32_t dst = 0;
    uint64_t i = 0;
    while (b.graph().vertex_count() < nodes) {
        for (int k = 0; k < 256; ++k) {
            make_path(i++, hops, dst);
            b.add_path(dst, 0, true, hops.data(), hops.size());
        }
        b.finish();
    }
    auto t0 = Clock::now();
    {
        std::ofstream out(file);
        write_graphml(b.graph(), out);
    }
    double t = secs(t0);
    std::printf("GraphML export: %zu nodes, %zu edges in %.3f s\n", b.graph().vertex_count(), b.graph().edge_count(), t);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 3 && !std::strcmp(argv[1], "replies")) return replies(std::stoull(argv[2]));
    if (argc >= 4 && !std::strcmp(argv[1], "ingest")) return ingest(argv[2], std::stoull(argv[3]));
    if (argc >= 4 && !std::strcmp(argv[1], "graphml")) return graphml(argv[2], std::stoull(argv[3]));
    std::fprintf(stderr, "usage: graph_bench replies N | ingest FILE N_TRACES | graphml FILE N_NODES\n");
    return 2;
}
