// --db for sweep, mtr and import over userspace/store.
#include "userspace/cli/store_cli.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <iterator>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "pathmap/log.h"
#include "userspace/cli/commands.h"

namespace pathmap::cli
{

namespace
{
constexpr const char *kDbHelp = "a path, sqlite:PATH or postgresql://[user@]host/db (libpq conninfo)";

void add_vantage(CLI::App &cmd, StoreCliOptions &o)
{
    cmd.add_option("--vantage", o.vantage,
                   "Name of this vantage point, stored with the scan (default: the host name)");
}
} // namespace

void add_sweep_store_options(CLI::App &cmd, StoreCliOptions &o)
{
    auto *db = cmd.add_option("--db", o.db, fmt::format("Hop store: {} (default OUT/pathmap.db)", kDbHelp))
                   ->type_name("URL");
    cmd.add_flag("--no-db", o.no_db, "Write no hop store (OUT/pathmap.db)")->excludes(db);
    add_vantage(cmd, o);
}

void add_import_store_options(CLI::App &cmd, StoreCliOptions &o)
{
    cmd.add_option("--db", o.db, fmt::format("Hop store to add the files to: {}", kDbHelp))
        ->type_name("URL")
        ->required();
    add_vantage(cmd, o);
}

void add_mtr_store_options(CLI::App &cmd, StoreCliOptions &o)
{
    cmd.add_option("--db", o.db,
                   fmt::format("Also store the run in a hop store: {}. mtr_hops gets the report's rows, "
                               "traces each flow's path; without --db nothing is stored",
                               kDbHelp))
        ->type_name("URL");
    add_vantage(cmd, o);
}

std::optional<store::DbUrl> mtr_db_url(const StoreCliOptions &o)
{
    if (o.db.empty()) return std::nullopt;
    try {
        return store::parse_db_url(o.db);
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
}

std::optional<store::DbUrl> sweep_db_url(const StoreCliOptions &o, const std::string &out_dir)
{
    if (o.no_db) return std::nullopt;
    try {
        return store::parse_db_url(o.db.empty() ? out_dir + "/pathmap.db" : o.db);
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
}

std::string vantage_name(const StoreCliOptions &o)
{
    if (!o.vantage.empty()) return o.vantage;
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) == 0 && host[0]) return host;
    return "unknown";
}

std::optional<StoreFailure> store_sweep(const store::DbUrl &url, const StoreCliOptions &o,
                                        const SweepStoreInput &in)
{
    const auto &s = in.result.summary;
    store::ScanInfo info{.mode = "sweep", .vantage = vantage_name(o), .started = in.started};
    for (const auto &t : in.targets)
        info.targets += (info.targets.empty() ? "" : " ") + t;
    if (!in.target_file.empty()) info.targets += (info.targets.empty() ? "-f " : " -f ") + in.target_file;
    // The sweep's defaults (sweep --help): 33434 for UDP, 80 for TCP.
    const uint16_t port = in.dst_port ? in.dst_port : in.proto == "udp" ? 33434 : in.proto == "tcp" ? 80 : 0;
    info.source_addr = s.value("src", std::string());
    info.pps = s.value("rate", uint64_t{0});
    info.probes_sent = s.value("probes_sent", uint64_t{0});
    for (const char *key :
         {"proto", "rate", "max_ttl", "wait_ms", "flows", "seed", "run_id", "iface", "route_groups"})
        if (s.contains(key)) info.parameters[key] = s[key];
    info.parameters["targets"] = in.targets;
    if (!in.target_file.empty()) info.parameters["target_file"] = in.target_file;
    if (port) info.parameters["dst_port"] = port;
    if (!in.shard.empty()) info.parameters["shard"] = in.shard;
    return store_scan(url, info,
                      {.traces = in.result.traces, .probe = {.protocol = in.proto, .dst_port = port}},
                      in.result.complete, "the files are");
}

std::optional<StoreFailure> store_scan(const store::DbUrl &url, const store::ScanInfo &info,
                                       const ScanRows &rows, bool complete, const char *kept)
{
    try {
        const auto t0 = std::chrono::steady_clock::now();
        auto db = store::open_store(url);
        const auto run = store::store_run(*db, info, rows.traces, rows.probe, rows.mtr_hops, complete);
        const std::string where = db->describe();
        db.reset(); // closing (SQLite's WAL checkpoint) is part of the cost
        // The time is what the run spent on the store (bench/store_run.sh reads it).
        log::info("hop store: {} scan {}: {} traces, {} hops, {} mtr_hops rows in {:.1f} ms", where,
                  run.scan_id, run.rows.traces, run.rows.hops, run.rows.mtr_hops,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        return std::nullopt;
    } catch (const store::StoreUsageError &e) {
        return StoreFailure{.message = fmt::format("hop store not written: {}", e.what()), .usage = true};
    } catch (const std::exception &e) {
        return StoreFailure{.message = fmt::format("hop store not written ({}): {}", kept, e.what())};
    }
}

std::unique_ptr<store::HopStore> open_store_for_reading(const std::string &db)
{
    try {
        const store::DbUrl url = store::parse_db_url(db);
        // Reading never creates a database: a mistyped path is a mistake, not an empty store.
        if (url.backend == store::Backend::sqlite && access(url.target.c_str(), F_OK) != 0)
            throw UsageError(fmt::format("--db {}: no such file", db));
        return store::open_store(url);
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
}

StoredScans read_stored_scans(const std::string &db, const std::vector<int64_t> &ids)
{
    auto store = open_store_for_reading(db);
    StoredScans out;
    try {
        if (ids.empty())
            out.scans = store->list_scans();
        else
            for (int64_t id : ids)
                out.scans.push_back(store::find_scan(*store, id));
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
    if (out.scans.empty()) throw UsageError(fmt::format("{}: holds no scans", store->describe()));
    for (const store::ScanSummary &s : out.scans) {
        auto traces = store->read_traces(s.id);
        // Each path starts at the vantage point that measured it (TopologyBuilder).
        for (Trace &t : traces) t.vantage_id = s.vantage;
        log::info("hop store: {} scan {} ({} {}): {} traces", store->describe(), s.id, s.vantage, s.mode,
                  traces.size());
        out.traces.insert(out.traces.end(), std::make_move_iterator(traces.begin()),
                          std::make_move_iterator(traces.end()));
        if (std::find(out.vantages.begin(), out.vantages.end(), s.vantage) == out.vantages.end())
            out.vantages.push_back(s.vantage);
    }
    return out;
}

nlohmann::ordered_json scan_summary_json(const store::ScanSummary &s)
{
    return {{"id", s.id},
            {"vantage", s.vantage},
            {"mode", s.mode},
            {"targets", s.targets},
            {"started", s.started},
            {"ended", s.ended.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.ended)},
            {"complete", s.complete},
            {"traces", s.traces}};
}

void raise_store_failure(const std::optional<StoreFailure> &f)
{
    if (!f) return;
    if (f->usage) throw UsageError(f->message);
    throw std::runtime_error(f->message);
}

} // namespace pathmap::cli
