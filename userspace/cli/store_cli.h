// The hop store as the commands offer it: --db / --no-db / --vantage, and
// storing a finished sweep. A database that fails does not stop the run: the
// files are written first, and the failure comes back as one line for the
// end of the command (exit 1; 2 for a schema newer than this pathmap).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "userspace/engine/sweep/sweep_run.h"
#include "userspace/store/store.h"

namespace CLI
{
class App;
}

namespace pathmap::cli
{

struct StoreCliOptions {
    std::string db;      // URL; "" = the command's default
    bool no_db = false;  // sweep: skip OUT/pathmap.db
    std::string vantage; // "" = the host name
};

// sweep: --db URL (default OUT/pathmap.db), --no-db, --vantage NAME.
void add_sweep_store_options(CLI::App &cmd, StoreCliOptions &o);
// import: --db URL (required), --vantage NAME.
void add_import_store_options(CLI::App &cmd, StoreCliOptions &o);

// The database a sweep writes to, or none with --no-db; throws UsageError on
// a malformed URL, before anything is probed.
std::optional<store::DbUrl> sweep_db_url(const StoreCliOptions &o, const std::string &out_dir);

std::string vantage_name(const StoreCliOptions &o);

struct StoreFailure {
    std::string message;
    bool usage = false; // exit 2 rather than 1
};

struct SweepStoreInput {
    const sweep::SweepResult &result;
    std::vector<std::string> targets; // as the user named them
    std::string target_file;          // -f FILE
    std::string proto;
    uint16_t dst_port = 0; // 0: the protocol's default
    store::Clock::time_point started;
};

// Stores the whole sweep; nothing is thrown. Logs the scan id and row counts at -v.
std::optional<StoreFailure> store_sweep(const store::DbUrl &url, const StoreCliOptions &o,
                                        const SweepStoreInput &in);

// At the end of a command: throws the failure (UsageError or runtime_error).
void raise_store_failure(const std::optional<StoreFailure> &f);

} // namespace pathmap::cli
