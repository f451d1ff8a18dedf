// --db for sweep and import over userspace/store.
#include "userspace/cli/store_cli.h"

#include <unistd.h>

#include <climits>
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
    try {
        auto db = store::open_store(url);
        const auto run = store::store_run(*db, info, in.result.traces,
                                          {.protocol = in.proto, .dst_port = port}, in.result.complete);
        log::info("hop store: {} scan {}: {} traces, {} hops", db->describe(), run.scan_id, run.rows.traces,
                  run.rows.hops);
        return std::nullopt;
    } catch (const store::StoreUsageError &e) {
        return StoreFailure{.message = fmt::format("hop store not written: {}", e.what()), .usage = true};
    } catch (const std::exception &e) {
        return StoreFailure{.message = fmt::format("hop store not written (the files are): {}", e.what())};
    }
}

void raise_store_failure(const std::optional<StoreFailure> &f)
{
    if (!f) return;
    if (f->usage) throw UsageError(f->message);
    throw std::runtime_error(f->message);
}

} // namespace pathmap::cli
