// pathmap diff --db URL A B: which destinations changed path between two
// stored scans (hops added or removed, a changed last hop, newly
// unreachable or reachable, a changed distance), as text or --json.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "userspace/cli/commands.h"
#include "userspace/cli/store_cli.h"
#include "userspace/store/scan_diff.h"
#include "userspace/store/store.h"

namespace pathmap::cli
{
namespace
{

struct DiffArgs {
    std::string db;
    int64_t a = 0, b = 0;
    bool json = false;
};

std::string joined(const std::vector<std::string> &v, const char *prefix)
{
    std::string out;
    for (const auto &s : v)
        out += (out.empty() ? "" : " ") + std::string(prefix) + s;
    return out;
}

std::string last_hops(const store::DestinationPath &p)
{
    return p.last_hops.empty() ? "(none)" : joined(p.last_hops, "");
}

// One line per changed destination: what changed, then the evidence.
std::string change_line(const store::DestinationChange &c)
{
    std::string line = fmt::format("{:<15}  {}", c.dst, joined(c.kinds(), ""));
    if (!c.added.empty()) line += "  " + joined(c.added, "+");
    if (!c.removed.empty()) line += "  " + joined(c.removed, "-");
    if (c.last_hop_changed) line += fmt::format("  last hop {} -> {}", last_hops(c.a), last_hops(c.b));
    if (c.distance_changed) line += fmt::format("  distance {} -> {}", c.a.distance, c.b.distance);
    return line;
}

std::string scan_text(const store::ScanSummary &s)
{
    return fmt::format("scan {} ({} {} {})", s.id, s.vantage, s.mode, s.started);
}

void run(const DiffArgs &args)
{
    const auto db = open_store_for_reading(args.db);
    store::ScanSummary sa, sb;
    try {
        sa = store::find_scan(*db, args.a);
        sb = store::find_scan(*db, args.b);
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
    const auto ta = db->read_traces(sa.id), tb = db->read_traces(sb.id);
    const store::ScanDiff d = store::diff_scans(ta, tb);
    if (args.json) {
        nlohmann::ordered_json changed = nlohmann::ordered_json::array();
        for (const auto &c : d.changed)
            changed.push_back(store::to_json(c));
        const nlohmann::ordered_json out = {{"a", scan_summary_json(sa)}, {"b", scan_summary_json(sb)},
                                            {"compared", d.compared},     {"changed", std::move(changed)},
                                            {"only_in_a", d.only_in_a},   {"only_in_b", d.only_in_b}};
        fmt::print("{}\n", out.dump(2));
        return;
    }
    fmt::print(
        "{} -> {}: {} destinations compared, {} changed path; {} only in scan {}, {} only in scan {}\n",
        scan_text(sa), scan_text(sb), d.compared, d.changed.size(), d.only_in_a.size(), sa.id,
        d.only_in_b.size(), sb.id);
    for (const auto &c : d.changed)
        fmt::print("{}\n", change_line(c));
}

} // namespace

void add_diff_command(CLI::App &app)
{
    auto args = std::make_shared<DiffArgs>();
    auto *cmd = app.add_subcommand(
        "diff", "Which destinations changed path between two stored scans: hops added or removed, a changed "
                "last hop, newly unreachable");
    cmd->add_option("--db", args->db, "Hop store: a path, sqlite:PATH or postgresql://...")
        ->type_name("URL")
        ->required();
    cmd->add_option("A", args->a, "The earlier scan's id (pathmap scans lists them)")->required();
    cmd->add_option("B", args->b, "The later scan's id")->required();
    cmd->add_flag("--json", args->json, "One JSON object instead of the text report");
    cmd->footer(
        "A destination's path is every address that answered below it, over all its flows. An address "
        "counts\n"
        "as added (removed) only where the other scan probed the TTL it was seen at, so TTLs a sweep's stop "
        "set\n"
        "left unprobed are no change. The last hop is, per flow, the last address before the destination.\n"
        "Exit 0 whether or not paths changed; a scan id the store does not hold is one line, exit 2.\n"
        "Example:\n"
        "  pathmap diff --db out/pathmap.db 1 2\n"
        "  pathmap diff --db postgresql://pathmap@db/topology 12 14 --json");
    cmd->callback([args] { run(*args); });
}

} // namespace pathmap::cli
