// pathmap graph INPUT... -o DIR: build the topology from trace files of any
// supported format, or from scans in a hop store (--db URL [--scan ID...]),
// and write topology.graphml/.gexf/.dot/.png and profiles.jsonl.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "graph/graph_outputs.h"
#include "graph/input_formats.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/owners_cli.h"
#include "userspace/cli/rdns_cli.h"
#include "userspace/cli/store_cli.h"

namespace pathmap::cli {

namespace {
struct GraphArgs {
    std::vector<std::string> inputs;
    std::string outdir;
    std::string format = "auto";
    std::string rules, pfx2as, ixp;
    bool replace_rules = false;
    bool geolocate = false;
    bool no_png = false;
    bool hosts = false;
    LocationOptions location;
    RdnsOptions rdns;
    std::string db;             // --db: traces from a hop store
    std::vector<int64_t> scans; // --scan: which of its scans (all when none)
};
} // namespace

void add_graph_command(CLI::App &app)
{
    auto args = std::make_shared<GraphArgs>();
    auto *cmd = app.add_subcommand("graph", "Build the topology graph from traces (traces.jsonl, scamper JSON, RIPE Atlas "
                                            "JSON, mtr --json, traceroute output) and write GraphML, GEXF, DOT/PNG and profiles");
    cmd->add_option("inputs", args->inputs, "Input files (or --db)")->check(CLI::ExistingFile);
    auto *db = cmd->add_option("--db", args->db,
                               "Read the traces from a hop store instead (a path, sqlite:PATH or postgresql://...; "
                               "docs/STORE.md), as well as from any input files")
                   ->type_name("URL");
    cmd->add_option("--scan", args->scans,
                    "With --db: the scan to read (repeatable; `pathmap scans` lists them); default every scan. "
                    "Several scans merge into one graph")
        ->type_name("ID")
        ->needs(db);
    cmd->add_option("-o,--output", args->outdir, "Output directory (created if missing)")->required();
    cmd->add_option("--format", args->format, std::string("Input format: ") + graph::input_format_names())
        ->capture_default_str();
    cmd->add_option("--rules", args->rules, "Hop-role rules file (JSON) added before the built-in rules")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--replace-rules", args->replace_rules, "Use only the --rules file, not the built-in rules");
    cmd->add_option("--pfx2as", args->pfx2as, "CAIDA prefix-to-AS file (prefix, length, ASN per line)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--ixp", args->ixp, "IXP peering LAN prefixes, one CIDR per line")->check(CLI::ExistingFile);
    cmd->add_flag("--geolocate", args->geolocate, "Add region vertices from path geolocation");
    cmd->add_flag("--no-png", args->no_png, "Do not render topology.png with graphviz");
    add_graph_rdns_options(*cmd, args->rdns);
    add_location_options(*cmd, args->location, "public interfaces (a --pfx2as file's AS wins)");
    cmd->add_flag("--hosts", args->hosts,
                  "One vertex per destination host (default: a reached host counts in its /24's prefix vertex, "
                  "which carries hosts_probed, hosts_reached and the RTT range; profiles.jsonl keeps every host)");
    cmd->footer("Vertices: vantage (the prober), interface (an address that answered), anonymous (a TTL that was "
                "probed and stayed silent between two answers; shared by the traces that cross it), prefix (a "
                "destination /24), and cluster/router/region incidence vertices. TTLs never probed become no vertex: "
                "the edge across them carries ttl_gap. topology.png folds many /24s behind one hop into one node; "
                "topology.dot keeps everything.\n"
                "Examples:\n"
                "  pathmap graph out/traces.jsonl -o graph/\n"
                "  pathmap graph --db out/pathmap.db -o graph/\n"
                "  pathmap graph --db postgresql://pathmap@db/topology --scan 12 --scan 14 -o graph/");
    cmd->callback([args] {
        auto fmt_opt = graph::parse_input_format(args->format);
        if (!fmt_opt) throw UsageError("--format: '" + args->format + "' is not one of " + graph::input_format_names());
        if (args->replace_rules && args->rules.empty()) throw UsageError("--replace-rules needs --rules FILE");
        // An --asn-db that cannot be read fails before the inputs are read (one line, exit 1).
        if (!args->location.asn_db.empty()) (void)graph::detect_asn_db_format(args->location.asn_db);
        graph::GraphOutputOptions opts{.rules_file = args->rules,
                                       .extend_rules = !args->replace_rules,
                                       .pfx2as_file = args->pfx2as,
                                       .ixp_file = args->ixp,
                                       .geolocate = args->geolocate,
                                       .png = !args->no_png,
                                       .host_vertices = args->hosts,
                                       .location_db = args->location.selected(),
                                       .country_db = args->location.country_fallback()};
        if (args->inputs.empty() && args->db.empty()) throw UsageError("give input files or --db URL");
        StoredScans stored;
        if (!args->db.empty()) {
            stored = read_stored_scans(args->db, args->scans);
            // One vantage vertex per vantage point, each path starting at its own.
            std::string names;
            for (const auto &v : stored.vantages) names += (names.empty() ? "" : ", ") + v;
            fmt::print("{} scans from {} vantage point{} ({}), {} traces\n", stored.scans.size(),
                       stored.vantages.size(), stored.vantages.size() == 1 ? "" : "s", names, stored.traces.size());
        }
        graph::TopologyBuilder builder({.vantage_label = opts.vantage_label, .host_vertices = args->hosts});
        size_t traces = 0;
        for (const Trace &t : stored.traces) {
            try {
                builder.add(t);
            } catch (const std::invalid_argument &e) {
                throw UsageError(fmt::format("{}: {}", args->db, e.what()));
            }
            ++traces;
        }
        stored.traces = {};
        for (const std::string &in : args->inputs) {
            try {
                traces += graph::ingest_traces_file(in, *fmt_opt, builder);
            } catch (const graph::InputError &e) {
                throw UsageError(e.what());
            }
        }
        if (traces == 0) throw UsageError(args->inputs.empty() ? "no traces in the stored scans" : "no IPv4 traces in the input");
        if (!args->rdns.mode.empty()) {
            const auto r = name_graph_interfaces(builder, args->rdns);
            if (r.contains("answered"))
                fmt::print("reverse DNS: {} names for {} interfaces without one\n", r["answered"].get<uint64_t>(),
                           r["addresses"].get<uint64_t>());
        }
        graph::GraphOutputSummary s = graph::write_graph_outputs(builder, args->outdir, opts);
        fmt::print("{} traces, {} vertices, {} edges, {} clusters\n", traces, s.vertices, s.edges, s.clusters);
        for (const auto &f : s.files) fmt::print("wrote {}\n", f.string());
    });
}

} // namespace pathmap::cli
