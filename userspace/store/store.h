// The hop store: every trace and hop of a run (sweep, mtr, import) kept in a
// database, SQLite by default, PostgreSQL for teams and many vantage points.
// docs/STORE.md describes the schema. One interface, two back ends; a run is
// begin_scan, add_traces (any number of times), end_scan.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
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

// The schema versions this build writes, one per back end (docs/STORE.md);
// a database at a higher one is refused. PostgreSQL 2: hops rows carry no
// per-row foreign key (it cost two thirds of a COPY's time); a statement
// trigger deletes a deleted trace's hops instead.
inline constexpr int kSqliteSchemaVersion = 1;
inline constexpr int kPgSchemaVersion = 3;

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

// One row of an mtr report (mtr_hops): a responding address at a hop of a
// target, or the hop's "???" row (addr "") when nothing answered there.
struct MtrHopRow {
    std::string target; // dotted quad
    int hop = 0;        // the probe TTL
    std::string addr;   // dotted quad; "" = no reply at this hop
    uint64_t sent = 0, received = 0, lost = 0, late = 0;
    // Microseconds over the timely replies; nullopt when there were none.
    std::optional<int64_t> last_us, best_us, avg_us, worst_us, stdev_us, jitter_us;
};

// Rows the database holds for one scan, read back from it.
struct RowCounts {
    uint64_t traces = 0;
    uint64_t hops = 0;
    uint64_t mtr_hops = 0;
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
    // Writes an mtr run's report rows, in one transaction.
    virtual void add_mtr_hops(int64_t scan, std::span<const MtrHopRow> rows) = 0;
    // Sets the end time and the complete flag (and, on PostgreSQL, writes the
    // unicornscan rows when that schema is present).
    virtual void end_scan(int64_t scan, bool complete, Clock::time_point ended) = 0;
    virtual RowCounts count_rows(int64_t scan) = 0;
    // Every scan, oldest first.
    virtual std::vector<ScanSummary> list_scans() = 0;
    // The traces of a stored scan, hops sorted by TTL, as they were written
    // (what traces.jsonl holds, apart from the reply fields the store keeps
    // no column for). Ordered by destination address, then flow.
    virtual std::vector<Trace> read_traces(int64_t scan) = 0;
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
// The same with an mtr run's report rows, counted too.
StoredRun store_run(HopStore &store, const ScanInfo &info, std::span<const Trace> traces,
                    const ProbeInfo &probe, std::span<const MtrHopRow> mtr_hops, bool complete,
                    Clock::time_point ended = Clock::now());

// The scan a user named (pathmap graph --scan, pathmap diff): throws
// StoreUsageError when the store has no scan with that id.
ScanSummary find_scan(HopStore &store, int64_t id);

// Shared by both back ends.
namespace detail
{
// Probed and unanswered: no address and no name (a hop known by its name
// only, from an mtr or tracepath report without -n, answered).
inline bool silent(const Hop &h) noexcept { return h.addr.empty() && (!h.rdns || h.rdns->empty()); }
// RTT in whole microseconds, the unit every store column uses.
int64_t rtt_us(double rtt_ms) noexcept;
// "2026-12-03T08:27:10.123456Z"
std::string iso_utc(Clock::time_point t);
std::string pathmap_version();
// The end index of the batch starting at `begin`: at least one trace, then
// whole traces while the hop rows stay within `rows`.
size_t batch_end(std::span<const Trace> traces, size_t begin, size_t rows) noexcept;

// read_traces' answer from trace rows and hop rows (a trace's hops in TTL
// order), joined on the database's trace id, sorted by address and flow.
class TraceAssembler
{
  public:
    void add_trace(int64_t id, Trace t);
    // Throws StoreError for a hop whose trace was not added (a row that
    // appeared between the two reads).
    void add_hop(int64_t trace_id, Hop h, const std::string &store);
    std::vector<Trace> take() &&;

  private:
    std::vector<Trace> traces_;
    std::unordered_map<int64_t, size_t> index_;
};
} // namespace detail

} // namespace pathmap::store
