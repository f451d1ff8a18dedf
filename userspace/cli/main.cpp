// pathmap: a thin CLI over the engine and graph libraries.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "pathmap/log.h"
#include "userspace/cli/commands.h"

int main(int argc, char **argv)
{
    CLI::App app{"pathmap: map network paths of whole subnets fast (AF_XDP probes, XDP replies),\n"
                 "build a topology graph you can open in Gephi, and say how far to trust each hop."};
    app.require_subcommand(1);
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "More output (-vv for debug, includes libbpf messages)");
    app.footer("Run 'pathmap COMMAND --help' for a command's options. Start with 'pathmap doctor'.");

    // Registration order is the order --help lists them.
    pathmap::cli::add_doctor_command(app);
    pathmap::cli::add_sweep_command(app);
    pathmap::cli::add_mtr_command(app);
    pathmap::cli::add_geolocate_command(app);
    pathmap::cli::add_graph_command(app);
    pathmap::cli::add_report_command(app);
    pathmap::cli::add_import_command(app);
    pathmap::cli::add_scans_command(app);
    pathmap::cli::add_diff_command(app);

    app.parse_complete_callback([&] {
        using pathmap::log::Level;
        pathmap::log::set_level(verbosity >= 2 ? Level::debug : verbosity == 1 ? Level::info : Level::warn);
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    } catch (const pathmap::cli::UsageError &e) {
        std::fprintf(stderr, "pathmap: %s\n", e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "pathmap: %s\n", e.what());
        return 1;
    }
    return 0;
}
