// pathmap scans: the scans a hop store holds, one line each (or --json).
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "userspace/cli/commands.h"
#include "userspace/cli/store_cli.h"
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
    const auto db = open_store_for_reading(a.db);
    const auto scans = db->list_scans();
    if (a.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto &s : scans)
            out.push_back(scan_summary_json(s));
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
