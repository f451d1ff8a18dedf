// The hop store as the commands offer it: --db / --no-db / --vantage, and
// storing a finished sweep. A database that fails does not stop the run: the
// files are written first, and the failure comes back as one line for the
// end of the command (exit 1; 2 for a schema newer than this pathmap).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
// mtr: --db URL (nothing is stored without it, as mtr writes no file unasked), --vantage NAME.
void add_mtr_store_options(CLI::App &cmd, StoreCliOptions &o);

// The database a sweep writes to, or none with --no-db; throws UsageError on
// a malformed URL, before anything is probed.
std::optional<store::DbUrl> sweep_db_url(const StoreCliOptions &o, const std::string &out_dir);

// The database an mtr run writes to: none without --db; UsageError on a malformed URL.
std::optional<store::DbUrl> mtr_db_url(const StoreCliOptions &o);

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
    std::string shard; // --shard K/N, "" for a whole sweep
};

// Stores the whole sweep; nothing is thrown. Logs the scan id and row counts at -v.
std::optional<StoreFailure> store_sweep(const store::DbUrl &url, const StoreCliOptions &o,
                                        const SweepStoreInput &in);

// What every command's store goes through: opens the store and writes the
// whole run (store::store_run); nothing is thrown, a failure comes back as
// the line to print at the end.
struct ScanRows {
    std::span<const Trace> traces;
    store::ProbeInfo probe;
    std::span<const store::MtrHopRow> mtr_hops;
};
// kept: what the run wrote anyway, for the failure line ("the files are").
std::optional<StoreFailure> store_scan(const store::DbUrl &url, const store::ScanInfo &info,
                                       const ScanRows &rows, bool complete, const char *kept);

// Stored scans read back for `pathmap graph --db` and `pathmap diff`.
struct StoredScans {
    std::vector<store::ScanSummary> scans; // in the order asked (every scan, oldest first, when none was)
    std::vector<Trace> traces;             // every trace of them, scan by scan
    std::vector<std::string> vantages;     // distinct, in scan order
};
// Reads the scans with these ids (every scan in the store when ids is
// empty). UsageError: a malformed URL, a newer schema, an unknown id, an
// empty store; std::runtime_error: a database that cannot be read.
StoredScans read_stored_scans(const std::string &db, const std::vector<int64_t> &ids);
// The store a reading command opens: UsageError for the user's mistakes.
std::unique_ptr<store::HopStore> open_store_for_reading(const std::string &db);

// A scan as `pathmap scans --json` and `pathmap diff --json` show it.
nlohmann::ordered_json scan_summary_json(const store::ScanSummary &s);

// At the end of a command: throws the failure (UsageError or runtime_error).
void raise_store_failure(const std::optional<StoreFailure> &f);

} // namespace pathmap::cli
