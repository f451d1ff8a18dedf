// pathmap scans: the scans a hop store holds, one line each (or --json).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "userspace/cli/commands.h"
#include "userspace/store/store.h"

namespace pathmap::cli
{
namespace
{

struct ScansArgs {
    std::string db;
    bool json = false;
};

void run(const ScansArgs &a)
{
    std::unique_ptr<store::HopStore> db;
    try {
        db = store::open_store(store::parse_db_url(a.db));
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
    const auto scans = db->list_scans();
    if (a.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &s : scans)
            out.push_back({{"id", s.id},
                           {"vantage", s.vantage},
                           {"mode", s.mode},
                           {"targets", s.targets},
                           {"started", s.started},
                           {"ended", s.ended.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.ended)},
                           {"complete", s.complete},
                           {"traces", s.traces}});
        fmt::print("{}\n", out.dump(2));
        return;
    }
    fmt::print("{:>6}  {:<16} {:<7} {:<27} {:<8} {:>8}  {}\n", "id", "vantage", "mode", "started", "complete",
               "traces", "targets");
    for (const auto &s : scans)
        fmt::print("{:>6}  {:<16} {:<7} {:<27} {:<8} {:>8}  {}\n", s.id, s.vantage, s.mode, s.started,
                   s.complete ? "yes" : "no", s.traces, s.targets);
}

} // namespace

void add_scans_command(CLI::App &app)
{
    auto args = std::make_shared<ScansArgs>();
    auto *cmd =
        app.add_subcommand("scans", "List the scans a hop store holds: id, vantage, mode, start, complete, "
                                    "traces, targets");
    cmd->add_option("--db", args->db, "Hop store: a path, sqlite:PATH or postgresql://...")
        ->type_name("URL")
        ->required();
    cmd->add_flag("--json", args->json, "A JSON array instead of the table");
    cmd->callback([args] { run(*args); });
}

} // namespace pathmap::cli
