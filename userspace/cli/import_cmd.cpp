// pathmap import: stores traceroute files in the hop store, one scan per
// file, through the same readers `pathmap graph` uses (graph/input_formats.h).
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "graph/input_formats.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/store_cli.h"
#include "userspace/store/store.h"

namespace pathmap::cli
{
namespace
{

struct ImportArgs {
    std::vector<std::string> inputs;
    std::string format = "auto";
    StoreCliOptions store;
    bool quiet = false;
};

void run(const ImportArgs &a)
{
    const auto format = graph::parse_input_format(a.format);
    if (!format)
        throw UsageError("--format: '" + a.format +
                         "' is not one of " + graph::input_format_names());
    store::DbUrl url;
    try {
        url = store::parse_db_url(a.store.db);
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
    // Every file is read before the database is touched: a bad one stores nothing.
    struct Input {
        std::string file;
        std::vector<Trace> traces;
        std::string format;
    };
    std::vector<Input> inputs;
    for (const std::string &file : a.inputs) {
        try {
            Input in{.file = file, .traces = graph::read_traces_file(file, *format)};
            in.format =
                *format == graph::InputFormat::auto_detect ? "auto" : graph::input_format_name(*format);
            inputs.push_back(std::move(in));
        } catch (const graph::InputError &e) {
            throw UsageError(e.what());
        }
    }
    std::unique_ptr<store::HopStore> db;
    try {
        db = store::open_store(url);
        for (const Input &in : inputs) {
            std::error_code ec;
            const auto abs = std::filesystem::absolute(in.file, ec);
            store::ScanInfo info{
                .mode = "import",
                .vantage = vantage_name(a.store),
                .targets = ec ? in.file : abs.string(),
                .parameters = {{"file", ec ? in.file : abs.string()}, {"format", in.format}}};
            const auto run = store::store_run(*db, info, in.traces, {}, true);
            if (!a.quiet)
                fmt::print("{}: {} traces, {} hops -> scan {}\n", in.file, run.rows.traces, run.rows.hops,
                           run.scan_id);
        }
    } catch (const store::StoreUsageError &e) {
        throw UsageError(e.what());
    }
}

} // namespace

void add_import_command(CLI::App &app)
{
    auto args = std::make_shared<ImportArgs>();
    auto *cmd = app.add_subcommand(
        "import", "Store traceroute files in the hop store, one scan per file: pathmap "
                  "traces.jsonl, scamper JSON, RIPE Atlas JSON, mtr --json, traceroute text");
    cmd->add_option("inputs", args->inputs, "Input files")->required()->check(CLI::ExistingFile);
    cmd->add_option("--format", args->format, std::string("Input format: ") + graph::input_format_names())
        ->capture_default_str();
    add_import_store_options(*cmd, args->store);
    cmd->add_flag("-q,--quiet", args->quiet, "No line per file");
    cmd->footer("Examples:\n"
                "  pathmap import out/traces.jsonl --db team.db --vantage ams1\n"
                "  pathmap import atlas-*.json --db postgresql://pathmap@db.example.net/topology\n"
                "A file that does not parse stores nothing (one line, exit 2).");
    cmd->callback([args] { run(*args); });
}

} // namespace pathmap::cli
