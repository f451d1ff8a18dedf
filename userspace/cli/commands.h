// Each subcommand lives in its own file and registers itself on the app.
// A command's callback throws pathmap::UsageError or std::runtime_error for
// a clean one-line failure; main() turns them into a message and exit code.
#pragma once

#include <stdexcept>

namespace CLI {
class App;
}

namespace pathmap::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.
void add_sweep_command(CLI::App &app);
void add_mtr_command(CLI::App &app);
void add_graph_command(CLI::App &app);
void add_report_command(CLI::App &app);
void add_geolocate_command(CLI::App &app);
void add_doctor_command(CLI::App &app);
void add_import_command(CLI::App &app);
void add_scans_command(CLI::App &app);
void add_diff_command(CLI::App &app);

} // namespace pathmap::cli
