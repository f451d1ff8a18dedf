// The hop store: every trace and hop of a run (sweep, mtr, import) kept in a
// database, SQLite by default, PostgreSQL for teams and many vantage points.
// docs/STORE.md describes the schema. One interface, two back ends; a run is
// begin_scan, add_traces (any number of times), end_scan.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pathmap/trace.h"

namespace pathmap::store
{

// A database that cannot be opened, refuses a write, or lost a row.
struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The user's mistake rather than the database's: a malformed URL, or a
// schema newer than this pathmap knows (exit code 2).
struct StoreUsageError : StoreError {
    using StoreError::StoreError;
};

// The schema version this build writes; a database at a higher one is refused.
inline constexpr int kSchemaVersion = 1;

enum class Backend { sqlite, postgresql };

struct DbUrl {
    Backend backend = Backend::sqlite;
    std::string target; // SQLite: file path; PostgreSQL: the libpq conninfo (URL as given)
};

// "sqlite:PATH", a plain path, "postgresql://..." or "postgres://...".
// Throws StoreUsageError on anything else (an empty string, "mysql://").
DbUrl parse_db_url(std::string_view url);

using Clock = std::chrono::system_clock;

struct ScanInfo {
    std::string mode = "sweep";                           // sweep | mtr | import
    std::string vantage;                                  // where the probes left from
    std::string source_addr;                              // dotted quad, "" = unknown
    std::string targets;                                  // what was asked for, as the user wrote it
    nlohmann::json parameters = nlohmann::json::object(); // the run's settings
    uint64_t pps = 0;                                     // probe rate, 0 = unknown (imports)
    uint64_t probes_sent = 0;
    Clock::time_point started = Clock::now();
};

// What every trace row of one add_traces call shares.
struct ProbeInfo {
    std::string protocol;  // icmp | udp | tcp; "" = unknown
    uint16_t dst_port = 0; // 0 = none or unknown
};

struct StoreOptions {
    size_t batch_rows = 20000; // hop rows per transaction (a batch never splits a trace)
};

// Rows the database holds for one scan, read back from it.
struct RowCounts {
    uint64_t traces = 0;
    uint64_t hops = 0;
    bool operator==(const RowCounts &) const = default;
};

// One line of `pathmap scans`.
struct ScanSummary {
    int64_t id = 0;
    std::string vantage, mode, targets;
    std::string started, ended; // UTC, ISO 8601; ended "" while running or cut off
    bool complete = false;
    uint64_t traces = 0;
};

class HopStore
{
  public:
    virtual ~HopStore() = default;
    HopStore() = default;
    HopStore(const HopStore &) = delete;
    HopStore &operator=(const HopStore &) = delete;

    // Creates the scan row (complete = false until end_scan) and returns its id.
    virtual int64_t begin_scan(const ScanInfo &info) = 0;
    // Writes the traces and their hops, one transaction per batch of
    // StoreOptions::batch_rows hop rows: a failed batch is rolled back whole.
    virtual void add_traces(int64_t scan, std::span<const Trace> traces, const ProbeInfo &probe) = 0;
    // Sets the end time and the complete flag (and, on PostgreSQL, writes the
    // unicornscan rows when that schema is present).
    virtual void end_scan(int64_t scan, bool complete, Clock::time_point ended) = 0;
    virtual RowCounts count_rows(int64_t scan) = 0;
    // Every scan, oldest first.
    virtual std::vector<ScanSummary> list_scans() = 0;
    // "SQLite /path/pathmap.db", "PostgreSQL db@host": for messages.
    virtual std::string describe() const = 0;
};

// Opens (creating the file or schema on first use, migrating an older one).
std::unique_ptr<HopStore> open_store(const DbUrl &url, const StoreOptions &opts = {});
std::unique_ptr<HopStore> open_sqlite_store(const std::string &path, const StoreOptions &opts = {});
std::unique_ptr<HopStore> open_pg_store(const std::string &conninfo, const StoreOptions &opts = {});

// Hops a set of traces holds, silent ones included (what the hops table gets).
uint64_t count_hops(std::span<const Trace> traces) noexcept;

struct StoredRun {
    int64_t scan_id = 0;
    RowCounts rows;
};

// One whole run: begin, every trace, end; then checks that the database holds
// exactly as many trace and hop rows as were given, and throws StoreError if not.
StoredRun store_run(HopStore &store, const ScanInfo &info, std::span<const Trace> traces,
                    const ProbeInfo &probe, bool complete, Clock::time_point ended = Clock::now());

// Shared by both back ends.
namespace detail
{
// RTT in whole microseconds, the unit every store column uses.
int64_t rtt_us(double rtt_ms) noexcept;
// "2026-12-03T08:27:10.123456Z"
std::string iso_utc(Clock::time_point t);
std::string pathmap_version();
// The end index of the batch starting at `begin`: at least one trace, then
// whole traces while the hop rows stay within `rows`.
size_t batch_end(std::span<const Trace> traces, size_t begin, size_t rows) noexcept;
} // namespace detail

} // namespace pathmap::store
