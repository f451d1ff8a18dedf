// pathmap sweep: traceroute whole subnets at once (Doubletree/FlashRoute
// style), writing OUT/traces.jsonl and OUT/summary.json.
#include <net/if.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "graph/graph_outputs.h"
#include "graph/location_db.h"
#include "pathmap/log.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/io_path_cli.h"
#include "userspace/cli/owners_cli.h"
#include "userspace/cli/rdns_cli.h"
#include "userspace/cli/stop_signals.h"
#include "userspace/cli/store_cli.h"
#include "userspace/engine/sched/target_set.h"
#include "userspace/engine/sched/target_shard.h"
#include "userspace/engine/session/probe_session.h"
#include "userspace/engine/sweep/sweep_run.h"

namespace pathmap::cli {
namespace {

struct SweepOptions {
    std::vector<std::string> targets;
    std::string target_file;
    std::string out_dir;
    std::string proto = "icmp";
    IoPathOptions io;
    std::vector<std::string> allow;
    uint32_t per_24 = 1;
    bool all_hosts = false;
    bool complete_traces = false;
    bool no_graph = false;
    bool hosts = false;
    std::string max_memory = "4G";
    RdnsOptions rdns;
    LocationOptions location;
    StoreCliOptions store;
    std::string shard; // --shard K/N: "" = the whole sweep
    uint16_t port = 0;
    std::string mda_proto; // "" = the sweep's --proto, or udp for icmp
    sweep::SweepConfig cfg;
};

std::atomic<bool> g_stop{false}, g_abort{false};

extern "C" void on_signal(int) noexcept
{
    if (g_stop.load(std::memory_order_relaxed)) g_abort.store(true, std::memory_order_relaxed);
    g_stop.store(true, std::memory_order_relaxed);
}

// "4G", "512M", "1.5GiB", "1000000": bytes (binary units).
uint64_t parse_size(const std::string &text)
{
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    std::string unit = text.substr(used);
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    for (auto &c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static const std::pair<const char *, uint64_t> units[] = {{"", 1}, {"B", 1}, {"K", 1ull << 10}, {"KIB", 1ull << 10},
                                                              {"M", 1ull << 20}, {"MIB", 1ull << 20}, {"G", 1ull << 30},
                                                              {"GIB", 1ull << 30}, {"T", 1ull << 40}, {"TIB", 1ull << 40}};
    if (used > 0 && v > 0)
        for (const auto &[name, mult] : units)
            if (unit == name) return static_cast<uint64_t>(v * double(mult));
    throw UsageError(fmt::format("--max-memory {}: not a size (e.g. 4G, 512M)", text));
}

void check_writable(const std::string &dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UsageError(fmt::format("-o {}: cannot create directory: {}", dir, ec.message()));
    const std::string probe_file = dir + "/.pathmap-write-test";
    {
        std::ofstream f(probe_file);
        if (!f) throw UsageError(fmt::format("-o {}: directory is not writable", dir));
    }
    std::filesystem::remove(probe_file, ec);
}

void run(SweepOptions &o)
{
    sweep::SweepConfig cfg = o.cfg;
    if (o.proto == "icmp") cfg.proto = probe::Proto::icmp;
    else if (o.proto == "udp") cfg.proto = probe::Proto::udp;
    else if (o.proto == "tcp") cfg.proto = probe::Proto::tcp;
    cfg.tx = o.io.tx_kind();
    cfg.rx = o.io.rx_path();
    cfg.dport = o.port;
    if (o.complete_traces) {
        cfg.stop_set = false;
    }
    if (cfg.mda.enabled) {
        if (!(cfg.mda.confidence > 0.0 && cfg.mda.confidence < 1.0))
            throw UsageError(fmt::format("--mda-confidence {}: must lie strictly between 0 and 1 (e.g. 0.95, 0.99)",
                                         cfg.mda.confidence));
        if (cfg.flows > 1)
            throw UsageError("--mda picks its own flow ids per hop (up to --mda-max-flows): drop --flows");
        const std::string &mp = o.mda_proto.empty() ? (o.proto == "icmp" ? std::string("udp") : o.proto) : o.mda_proto;
        cfg.mda.proto = mp == "tcp" ? probe::Proto::tcp : mp == "icmp" ? probe::Proto::icmp : probe::Proto::udp;
    }

    std::optional<sched::Shard> shard;
    if (!o.shard.empty()) {
        shard = sched::parse_shard(o.shard);
        if (!shard) throw UsageError(fmt::format("--shard {}: write K/N with 1 <= K <= N (e.g. 2/4)", o.shard));
        // Every vantage point must pick the same targets and cut them the same way.
        if (cfg.seed == 0) throw UsageError("--shard needs --seed S, the same on every vantage point of the sweep");
    }
    if (cfg.seed == 0) cfg.seed = session::random_run_id();
    std::vector<Ipv4Prefix> prefixes, allowed;
    try {
        for (const auto &t : o.targets) prefixes.push_back(sched::parse_target(t));
        if (!o.target_file.empty()) {
            auto more = sched::read_target_file(o.target_file);
            prefixes.insert(prefixes.end(), more.begin(), more.end());
        }
        for (const auto &a : o.allow) {
            auto p = parse_prefix(a);
            if (!p) throw sched::TargetError(fmt::format("--allow {}: not a CIDR prefix (host bits must be zero)", a));
            allowed.push_back(*p);
        }
        auto set = sched::select_targets(prefixes, sched::Blocklist(allowed),
                                         sched::TargetSelection{.per_24 = o.per_24, .all_hosts = o.all_hosts, .seed = cfg.seed});
        if (set.blocked) log::warn("{} addresses skipped: special-purpose blocks (open one with --allow PREFIX)", set.blocked);
        cfg.targets = std::move(set.addrs);
        if (shard) {
            const size_t whole = cfg.targets.size();
            cfg.targets = sched::shard_targets(cfg.targets, *shard, cfg.seed);
            if (cfg.targets.empty())
                throw UsageError(fmt::format("--shard {}: this part of the {} targets is empty", o.shard, whole));
            log::info("shard {}: {} of {} targets", o.shard, cfg.targets.size(), whole);
        }
    } catch (const sched::TargetError &e) {
        throw UsageError(e.what());
    }

    // Known before the first probe: refuse rather than be OOM-killed halfway.
    const uint64_t need = sweep::estimate_sweep_bytes(cfg.targets.size(), cfg.flows, cfg.max_ttl, !o.no_graph);
    const uint64_t limit = parse_size(o.max_memory);
    if (need > limit) {
        throw UsageError(fmt::format("{} targets x {} flow(s) x {} TTLs need about {} of memory, above --max-memory {}: "
                                     "sweep a part at a time (e.g. one /16 per run) or raise --max-memory",
                                     cfg.targets.size(), cfg.flows, cfg.max_ttl, sweep::format_bytes(need),
                                     sweep::format_bytes(limit)));
    }
    // A --location-db or --asn-db the user named must open before anything is sent.
    if (!o.location.off && !o.location.is_default()) {
        try {
            graph::LocationDb check(o.location.selected());
        } catch (const graph::LocationDbError &e) {
            if (!o.location.asn_db.empty()) throw; // one line, exit 1
            throw UsageError(e.what());
        }
    }
    const auto db_url = sweep_db_url(o.store, o.out_dir);
    if (geteuid() != 0) throw UsageError("sweep needs root (raw sockets, AF_XDP and XDP): run it with sudo");
    if (!cfg.iface.empty() && if_nametoindex(cfg.iface.c_str()) == 0) {
        throw UsageError(fmt::format("--iface {}: no such interface (see `ip link`)", cfg.iface));
    }
    check_writable(o.out_dir);
    std::optional<StoreFailure> db_failure;
    const auto started = store::Clock::now();
    log::info("sweeping {} targets, {} rate {} pps, max TTL {}", cfg.targets.size(), o.proto, cfg.rate_pps, cfg.max_ttl);

    sweep::SweepResult result;
    {
        g_stop = false;
        g_abort = false;
        // Held until the last file is written: a signal during the writing
        // only sets the flags (every file is renamed into place whole).
        StopSignals signals(on_signal);
        result = sweep::run_sweep(cfg, &g_stop, &g_abort);
        // After the probing, so names never slow it; before the outputs, so
        // traces.jsonl, the graph and its role rules all carry them.
        result.summary["rdns"] = name_trace_hops(result.traces, o.rdns);
        result.summary["location"] = own_trace_hops(result.traces, o.location);
        sweep::write_sweep_outputs(o.out_dir, result);
        if (db_url)
            db_failure = store_sweep(*db_url, o.store, {.result = result, .targets = o.targets,
                                                        .target_file = o.target_file, .proto = o.proto,
                                                        .dst_port = cfg.dport, .started = started,
                                                        .shard = o.shard});
        if (!o.no_graph) {
            try {
                const auto g = graph::write_graph_outputs(result.traces, o.out_dir, graph::GraphOutputOptions{.host_vertices = o.hosts, .location_db = o.location.selected(), .country_db = o.location.country_fallback()});
                log::info("graph: {} vertices, {} edges, {} files", g.vertices, g.edges, g.files.size());
            } catch (const std::exception &e) {
                log::warn("graph outputs not written: {}", e.what());
            }
        }
    }
    const auto &s = result.summary;
    if (!cfg.quiet) {
        std::fprintf(stderr,
                     "%s: %zu targets (%s reached), %s interfaces, %s links, %s probes in %.1f s -> %s/traces.jsonl\n",
                     result.complete ? "done" : "interrupted", cfg.targets.size(), s["targets_reached"].dump().c_str(),
                     s["interfaces"].dump().c_str(), s["links"].dump().c_str(), s["probes_sent"].dump().c_str(),
                     s["duration_s"].get<double>(), o.out_dir.c_str());
    }
    raise_store_failure(db_failure);
}

} // namespace

void add_sweep_command(CLI::App &app)
{
    auto opts = std::make_shared<SweepOptions>();
    const sweep::SweepConfig def;
    CLI::App *cmd = app.add_subcommand(
        "sweep",
        "Traceroute many targets at once: one random address per /24 of each prefix (or every address),\n"
        "probes in a randomized order, redundant hops skipped (Doubletree stop set), rate-limited holes re-asked.");
    cmd->add_option("targets", opts->targets, "Addresses or CIDR prefixes to trace (e.g. 198.19.0.0/16 198.19.7.9)");
    cmd->add_option("-f,--file", opts->target_file, "Read targets from FILE, one address or prefix a line, # comments");
    cmd->add_option("-o,--out", opts->out_dir, "Output directory: traces.jsonl, summary.json, topology.graphml/.gexf/.dot, profiles.jsonl")->required();
    cmd->add_option("--proto", opts->proto, "Probe protocol: icmp (echo), udp (to --port) or tcp (SYN to --port)")
        ->check(CLI::IsMember({"icmp", "udp", "tcp"}))
        ->capture_default_str();
    cmd->add_option("--port", opts->port, "Destination port of UDP/TCP probes (default 33434 UDP, 80 TCP)");
    cmd->add_option("--rate", opts->cfg.rate_pps, "Probes per second (1000..2000000)")
        ->check(CLI::Range(uint64_t{1}, uint64_t{2'000'000}))
        ->default_val(def.rate_pps);
    cmd->add_option("--max-ttl", opts->cfg.max_ttl, "Highest TTL probed (1..64)")
        ->check(CLI::Range(1, 64))
        ->default_val(int{def.max_ttl});
    auto *per24 = cmd->add_option("--per-24", opts->per_24, "Random addresses per /24 of each prefix")
                      ->check(CLI::Range(1, 256))
                      ->capture_default_str();
    auto *all = cmd->add_flag("--all-hosts", opts->all_hosts, "Trace every address of every prefix");
    per24->excludes(all);
    cmd->add_option("--iface", opts->cfg.iface,
                    "Interface every probe must leave by (default: each target where the kernel routes it, one "
                    "session per interface; summary.json route_groups lists them)");
    add_io_path_options(*cmd, opts->io);
    add_sweep_rdns_options(*cmd, opts->rdns);
    add_location_options(*cmd, opts->location, "public hops, into traces.jsonl and the graph");
    add_sweep_store_options(*cmd, opts->store);
    cmd->add_option("--max-memory", opts->max_memory,
                    "Refuse a sweep whose memory estimate (targets x flows x TTLs, checked before the first probe) "
                    "exceeds this (K/M/G/T, binary)")
        ->capture_default_str();
    cmd->add_option("--queues", opts->cfg.tx_queues,
                    "AF_XDP: TX queues to bind, a socket and a thread each (0 = all the device has); one by default, "
                    "since every bound queue is one the host also sends on")
        ->check(CLI::Range(0, 256))
        ->default_val(def.tx_queues);
    cmd->add_flag("--zerocopy", opts->cfg.zerocopy,
                  "AF_XDP zero-copy mode (copy mode by default: on i40e/ice/mlx5 zero-copy re-backs the bound queue's "
                  "RX ring with pathmap's memory, taking that queue's receive traffic from the host; veth has none)");
    cmd->add_option("--allow", opts->allow, "Open a special-purpose block (RFC 1918, 100.64/10, 198.18/15, ...) for probing")
        ->type_name("CIDR");
    cmd->add_option("--wait", opts->cfg.wait_ms, "Milliseconds a reply may take (later ones count as late); the final drain stops sooner once replies stop")
        ->check(CLI::Range(10, 60000))
        ->default_val(def.wait_ms);
    cmd->add_option("--flows", opts->cfg.flows, "Paris flow ids per target (ECMP branches), each its own trace")
        ->check(CLI::Range(1, 64))
        ->default_val(def.flows);
    auto *mda = cmd->add_flag(
        "--mda", opts->cfg.mda.enabled,
        "After the sweep, enumerate every next hop of every hop toward a few destinations (all targets when at most "
        "--mda-max-targets, else one per distinct last router) by varying the Paris flow id, until Diamond-Miner's "
        "stopping rule holds: n_k = ceil(ln(eps/k) / ln((k-1)/k)) flows through a node, all landing on the k-1 next "
        "hops seen, rule out a k-th (eps = 1 - --mda-confidence). Costs about 6 probes per hop and destination (5 "
        "when the sweep probed with the same protocol), 12-16 at each TTL of a 2-way diamond, a few seconds; finds "
        "each ECMP diamond's branches with their flows (traces.jsonl lines with flow ids above the sweep's, "
        "stop_reason \"mda\"; summary.json \"mda\": probes, branches, hops at a bound)");
    cmd->add_option("--mda-confidence", opts->cfg.mda.confidence,
                    "--mda: chance per hop that no next hop is missed; higher asks more flows (0.95: 6, 11, 16 flows "
                    "for 1, 2, 3 next hops; 0.99: 8, 15, 21)")
        ->default_val(def.mda.confidence)
        ->needs(mda);
    cmd->add_option("--mda-max-flows", opts->cfg.mda.max_flows,
                    "--mda: flow ids one destination may use; a node that would need more is counted in "
                    "summary.json mda.hops_at_bound (128 rule out a 21st next hop at 0.95)")
        ->check(CLI::Range(6, 1024))
        ->default_val(def.mda.max_flows)
        ->needs(mda);
    cmd->add_option("--mda-max-targets", opts->cfg.mda.max_targets,
                    "--mda: destinations enumerated at most; more candidates than this: one per distinct last router")
        ->check(CLI::Range(1, 4096))
        ->default_val(def.mda.max_targets)
        ->needs(mda);
    cmd->add_option("--mda-max-probes", opts->cfg.mda.max_probes, "--mda: probes the MDA phase may send in all")
        ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
        ->default_val(def.mda.max_probes)
        ->needs(mda);
    cmd->add_option("--mda-proto", opts->mda_proto,
                    "--mda: protocol of the MDA probes (default: the sweep's --proto, udp instead of icmp: Linux's L4 "
                    "multipath hash and many routers' ignore an ICMP echo's id). With the sweep's protocol, each "
                    "destination's sweep trace is the MDA's first flow, one probe less per hop")
        ->check(CLI::IsMember({"udp", "tcp", "icmp"}))
        ->needs(mda);
    cmd->add_option("--gap-limit", opts->cfg.gap_limit, "Silent TTLs in a row that end a trace")
        ->check(CLI::Range(1, 32))
        ->default_val(int{def.gap_limit});
    cmd->add_option("--discoverers", opts->cfg.discoverers,
                    "Traces that go on probing below an interface already in the stop set: more find the ECMP "
                    "branches behind it, fewer save probes")
        ->check(CLI::Range(1, 64))
        ->default_val(int{def.discoverers});
    cmd->add_option("--scouts", opts->cfg.prefix_scouts,
                    "Addresses per /24 traced in full first; once their traces agree, the /24's other addresses "
                    "probe only their distance and last hop (or, behind a silent or unreachable end, once). 0 = "
                    "trace every address on its own (off anyway with --complete-traces or --flows > 1)")
        ->check(CLI::Range(0, 64))
        ->default_val(int{def.prefix_scouts});
    cmd->add_option("--scout-sample", opts->cfg.prefix_sample,
                    "Of the other addresses of a /24 whose scouts reached it, 1 in N still traces in full (0 = none)")
        ->check(CLI::Range(0, 1 << 20))
        ->default_val(def.prefix_sample);
    cmd->add_option("--hole-passes", opts->cfg.hole_passes, "Most passes re-asking TTLs lost to ICMP rate limits (they stop once one finds no new interface or link; with --complete-traces, once one gets no answer)")
        ->check(CLI::Range(0, 20))
        ->default_val(def.hole_passes);
    cmd->add_flag("--complete-traces", opts->complete_traces,
                  "Probe every trace down to TTL 1 (no stop set): more probes, full per-target paths");
    cmd->add_flag("--no-graph", opts->no_graph, "Skip the topology files (GraphML, GEXF, DOT, PNG, profiles)");
    cmd->add_flag("--hosts", opts->hosts,
                  "Graph: one vertex per destination host (default: reached hosts count in their /24's prefix vertex)");
    cmd->add_flag("--pass-replies", opts->cfg.pass_replies, "Let the kernel see our replies too (they are dropped by default)");
    cmd->add_flag("-q,--quiet", opts->cfg.quiet, "No status line");
    cmd->add_option("--seed", opts->cfg.seed, "Seed for target sampling and probe order (default: random)");
    cmd->add_option("--shard", opts->shard,
                    "Probe only part K of N of the targets, so N vantage points split one sweep (each with the "
                    "same targets and --seed; the parts are disjoint and together the whole)")
        ->type_name("K/N");
    cmd->footer("Examples:\n"
                "  pathmap sweep 203.0.113.0/24 -o out/          # blocked: documentation range, needs --allow\n"
                "  pathmap sweep 198.19.0.0/16 --allow 198.18.0.0/15 -o out/ --rate 50000\n"
                "  pathmap sweep -f targets.txt --proto udp --per-24 4 -o out/\n"
                "  pathmap sweep 198.19.1.0/24 --all-hosts --allow 198.18.0.0/15 --complete-traces -o out/\n"
                "  pathmap sweep 198.19.0.0/16 --allow 198.18.0.0/15 --seed 7 --shard 2/4 --db postgresql://db/topo -o out/\n"
                "  pathmap sweep 198.19.0.0/16 --allow 198.18.0.0/15 --mda -o out/   # + every ECMP branch, summary.json mda\n"
                "Nothing is probed unless named. Ctrl-C stops sending, waits --wait ms for replies and writes\n"
                "partial results marked \"complete\": false.");
    cmd->callback([opts] {
        if (opts->targets.empty() && opts->target_file.empty()) throw UsageError("no targets: name addresses or prefixes, or -f FILE");
        run(*opts);
    });
}

} // namespace pathmap::cli
