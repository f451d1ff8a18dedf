// pathmap report DIR: answers from a graph output directory, text or JSON.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "graph/topology_report.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/rdns_cli.h"

namespace pathmap::cli {

namespace {
struct ReportArgs {
    std::string dir;
    std::string path_to;
    bool json = false;
    size_t top = 10;
    RdnsOptions rdns; // --rdns: names for interfaces profiles.jsonl has none for
};
} // namespace

void add_report_command(CLI::App &app)
{
    auto args = std::make_shared<ReportArgs>();
    auto *cmd = app.add_subcommand("report", "Path to a host, chokepoints, top links and CGNAT/backbone segments "
                                             "from a 'pathmap graph' or sweep output directory");
    cmd->add_option("dir", args->dir, "Directory holding profiles.jsonl")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--path-to", args->path_to, "Show the traced path(s) to this IPv4 address");
    cmd->add_option("--top", args->top, "How many links and chokepoints to list")->capture_default_str();
    cmd->add_flag("--json", args->json, "Print JSON instead of text");
    add_graph_rdns_options(*cmd, args->rdns);
    cmd->callback([args] {
        nlohmann::json r;
        try {
            graph::ReportOptions opts{.path_to = args->path_to, .top_links = args->top, .top_chokepoints = args->top * 2};
            if (!args->rdns.mode.empty())
                opts.name_interfaces = [args](graph::TopologyBuilder &b) { (void)name_graph_interfaces(b, args->rdns); };
            r = graph::build_report(args->dir, opts);
        } catch (const std::runtime_error &e) {
            throw UsageError(e.what());
        }
        if (args->json) fmt::print("{}\n", r.dump(2));
        else fmt::print("{}", graph::render_report_text(r));
    });
}

} // namespace pathmap::cli
