// What both back ends share: URL parsing, the whole-run helper and its
// row-count check, time and RTT formatting.
#include "userspace/store/store.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <utility>

#include <fmt/core.h>

#include "pathmap/ipv4.h"

#ifndef PATHMAP_VERSION
#define PATHMAP_VERSION "unknown"
#endif

namespace pathmap::store
{

DbUrl parse_db_url(std::string_view url)
{
    if (url.empty())
        throw StoreUsageError("--db: empty database URL (a path, sqlite:PATH or postgresql://...)");
    for (std::string_view scheme : {"postgresql://", "postgres://"})
        if (url.starts_with(scheme)) return {.backend = Backend::postgresql, .target = std::string(url)};
    if (url.starts_with("sqlite:")) {
        std::string_view path = url.substr(7);
        // sqlite:///abs/path, as SQLAlchemy writes it, means /abs/path.
        if (path.starts_with("///"))
            path.remove_prefix(2);
        else if (path.starts_with("//"))
            throw StoreUsageError(fmt::format("--db {}: write sqlite:PATH or sqlite:///ABSOLUTE/PATH", url));
        if (path.empty()) throw StoreUsageError(fmt::format("--db {}: no file after sqlite:", url));
        return {.backend = Backend::sqlite, .target = std::string(path)};
    }
    // Any other scheme is a mistake, not a file name with a colon.
    const auto colon = url.find("://");
    if (colon != std::string_view::npos)
        throw StoreUsageError(
            fmt::format("--db {}: unknown database scheme '{}' (use a path, sqlite:PATH or postgresql://...)",
                        url, url.substr(0, colon)));
    return {.backend = Backend::sqlite, .target = std::string(url)};
}

std::unique_ptr<HopStore> open_store(const DbUrl &url, const StoreOptions &opts)
{
    return url.backend == Backend::sqlite ? open_sqlite_store(url.target, opts)
                                          : open_pg_store(url.target, opts);
}

uint64_t count_hops(std::span<const Trace> traces) noexcept
{
    uint64_t n = 0;
    for (const Trace &t : traces)
        n += t.hops.size();
    return n;
}

StoredRun store_run(HopStore &store, const ScanInfo &info, std::span<const Trace> traces,
                    const ProbeInfo &probe, bool complete, Clock::time_point ended)
{
    return store_run(store, info, traces, probe, {}, complete, ended);
}

StoredRun store_run(HopStore &store, const ScanInfo &info, std::span<const Trace> traces,
                    const ProbeInfo &probe, std::span<const MtrHopRow> mtr_hops, bool complete,
                    Clock::time_point ended)
{
    StoredRun run;
    run.scan_id = store.begin_scan(info);
    store.add_traces(run.scan_id, traces, probe);
    if (!mtr_hops.empty()) store.add_mtr_hops(run.scan_id, mtr_hops);
    // Checked before the scan is marked complete: a scan whose rows do not
    // add up stays complete = false.
    run.rows = store.count_rows(run.scan_id);
    const RowCounts want{.traces = traces.size(), .hops = count_hops(traces), .mtr_hops = mtr_hops.size()};
    if (run.rows != want) {
        store.end_scan(run.scan_id, false, ended);
        if (want.mtr_hops == 0 && run.rows.mtr_hops == 0)
            throw StoreError(fmt::format("{}: scan {} holds {} traces and {} hops, {} and {} were written",
                                         store.describe(), run.scan_id, run.rows.traces, run.rows.hops,
                                         want.traces, want.hops));
        throw StoreError(fmt::format(
            "{}: scan {} holds {} traces, {} hops and {} mtr_hops rows, {}, {} and {} were written",
            store.describe(), run.scan_id, run.rows.traces, run.rows.hops, run.rows.mtr_hops, want.traces,
            want.hops, want.mtr_hops));
    }
    store.end_scan(run.scan_id, complete, ended);
    return run;
}

ScanSummary find_scan(HopStore &store, int64_t id)
{
    for (ScanSummary &s : store.list_scans())
        if (s.id == id) return s;
    throw StoreUsageError(
        fmt::format("{}: no scan {} (pathmap scans --db URL lists them)", store.describe(), id));
}

namespace detail
{

int64_t rtt_us(double rtt_ms) noexcept { return std::llround(rtt_ms * 1000.0); }

std::string iso_utc(Clock::time_point t)
{
    const auto us = std::chrono::floor<std::chrono::microseconds>(t);
    const auto secs = std::chrono::floor<std::chrono::seconds>(us);
    const std::time_t tt = Clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:06d}Z", buf, (us - secs).count());
}

std::string pathmap_version() { return PATHMAP_VERSION; }

size_t batch_end(std::span<const Trace> traces, size_t begin, size_t rows) noexcept
{
    size_t end = begin, used = 0;
    while (end < traces.size()) {
        const size_t n = traces[end].hops.size() + 1; // the trace row counts too
        if (end > begin && used + n > rows) break;
        used += n;
        ++end;
    }
    return end;
}

void TraceAssembler::add_trace(int64_t id, Trace t)
{
    index_.emplace(id, traces_.size());
    traces_.push_back(std::move(t));
}

void TraceAssembler::add_hop(int64_t trace_id, Hop h, const std::string &store)
{
    const auto it = index_.find(trace_id);
    if (it == index_.end()) throw StoreError(fmt::format("{}: hop row of unknown trace {}", store, trace_id));
    traces_[it->second].hops.push_back(std::move(h));
}

std::vector<Trace> TraceAssembler::take() &&
{
    auto key = [](const Trace &t) { return std::pair(parse_ipv4(t.dst).value_or(0), t.flow_id); };
    std::stable_sort(traces_.begin(), traces_.end(),
                     [&](const Trace &a, const Trace &b) { return key(a) < key(b); });
    index_.clear();
    return std::move(traces_);
}

} // namespace detail
} // namespace pathmap::store
