// Hop-store insert speed, side by side in one run (no root, no network):
// the store's own path (SQLite: prepared statements, one transaction per
// 20,000-row batch; PostgreSQL: COPY, same batches) against row-at-a-time
// INSERT, each row its own autocommitted statement, into the same schema.
// The rows are synthetic traces (16 TTLs each, one in eight silent), built
// once and shared by every method; the timings include the store's own
// read-back count check, which the baseline does not do.
//   store_bench [--rows N] [--baseline-rows M] [--batch-rows B] [--dir DIR] [--pg CONNINFO]
// --pg names an empty PostgreSQL database (bench/store_run.sh starts one on a
// private socket); without it only SQLite is measured. The baseline inserts
// M rows (default N / 10) and is reported per row, so its time for N is an
// extrapolation, marked as such.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "pathmap/ipv4.h"
#include "userspace/store/store.h"

namespace
{

using namespace pathmap;
using Seconds = std::chrono::duration<double>;

struct Args {
    uint64_t rows = 1'000'000;
    uint64_t baseline_rows = 0;
    std::string dir = "store-bench-out";
    std::string pg;
    size_t batch_rows = store::StoreOptions{}.batch_rows;
};

std::vector<Trace> make_traces(uint64_t hop_rows)
{
    std::vector<Trace> out;
    constexpr int kTtls = 16;
    for (uint64_t i = 0; out.size() * kTtls < hop_rows; ++i) {
        Trace t{.dst = format_ipv4(0xC6130000u + static_cast<uint32_t>(i)),
                .flow_id = 0,
                .reached = true,
                .stop_reason = "reached",
                .first_ttl = 1};
        for (int ttl = 1; ttl <= kTtls; ++ttl) {
            Hop h{.ttl = static_cast<uint8_t>(ttl)};
            if ((i + ttl) % 8 != 0) {
                h.addr = ttl == kTtls
                             ? t.dst
                             : format_ipv4(0x0A000000u + static_cast<uint32_t>(ttl << 16 | (i % 4096)));
                h.rtt_ms = 0.5 + ttl * 1.25 + static_cast<double>(i % 97) / 100.0;
                h.icmp_type = ttl == kTtls ? 0 : 11;
                h.icmp_code = 0;
                h.reply_ttl = 64 - ttl;
                h.quoted_ttl = 1;
            }
            t.hops.push_back(std::move(h));
        }
        out.push_back(std::move(t));
    }
    return out;
}

double cpu_now()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Wall seconds of f; its CPU seconds in this process (not a server's) into *cpu.
template <typename F> double timed(F &&f, double *cpu = nullptr)
{
    const double c0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    f();
    if (cpu) *cpu = cpu_now() - c0;
    return Seconds(std::chrono::steady_clock::now() - t0).count();
}

// The hop rows of traces[0..) up to `rows`, as SQL literals, one INSERT each.
std::string hop_insert(int64_t trace_id, const Hop &h, bool pg)
{
    if (h.addr.empty())
        return fmt::format("INSERT INTO {}hops (trace_id, probe_ttl) VALUES ({}, {})", pg ? "pathmap." : "",
                           trace_id, h.ttl);
    return fmt::format("INSERT INTO {}hops (trace_id, probe_ttl, reply_src_addr, rtt_us, reply_icmp_type, "
                       "reply_icmp_code, reply_ttl, quoted_ttl) VALUES ({}, {}, '{}', {}, {}, {}, {}, {})",
                       pg ? "pathmap." : "", trace_id, h.ttl, h.addr, store::detail::rtt_us(h.rtt_ms),
                       h.icmp_type, h.icmp_code, h.reply_ttl, h.quoted_ttl);
}

struct Result {
    std::string name;
    uint64_t rows = 0;
    double seconds = 0;
    double cpu = 0; // this process's CPU seconds
    double per_row() const { return seconds / static_cast<double>(rows); }
};

void print(const Result &r, uint64_t full_rows, const Result *baseline)
{
    const double rate = static_cast<double>(r.rows) / r.seconds;
    std::string line = fmt::format("  {:<38} {:>9} rows in {:>8.3f} s (cpu {:>6.3f} s)  {:>10.0f} rows/s",
                                   r.name, r.rows, r.seconds, r.cpu, rate);
    if (r.rows != full_rows)
        line += fmt::format("  (~{:.1f} s for {} rows, extrapolated)", r.per_row() * full_rows, full_rows);
    if (baseline) line += fmt::format("  {:.1f}x the baseline", baseline->per_row() / r.per_row());
    fmt::print("{}\n", line);
}

// Row at a time into SQLite: the same pragmas the store sets (WAL, synchronous=NORMAL), autocommit.
Result sqlite_baseline(const std::string &path, const std::vector<Trace> &traces, uint64_t rows)
{
    store::open_sqlite_store(path); // the schema
    sqlite3 *db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "INSERT INTO scans (started, mode, vantage, pathmap_version) VALUES ('', 'bench', 'b', '')",
                 nullptr, nullptr, nullptr);
    uint64_t done = 0;
    double cpu = 0;
    auto exec = [&](const std::string &sql) {
        char *err = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error("sqlite baseline: " + msg);
        }
    };
    const double s = timed(
        [&] {
            for (size_t i = 0; i < traces.size() && done < rows; ++i) {
                const Trace &t = traces[i];
                exec(fmt::format(
                    "INSERT INTO traces (scan_id, probe_dst_addr, flow_id, reached, stop_reason, first_ttl) "
                    "VALUES (1, '{}', {}, {}, '{}', {})",
                    t.dst, t.flow_id, t.reached ? 1 : 0, t.stop_reason, t.first_ttl));
                const int64_t id = sqlite3_last_insert_rowid(db);
                for (const Hop &h : t.hops) {
                    if (done == rows) break;
                    exec(hop_insert(id, h, false));
                    ++done;
                }
            }
        },
        &cpu);
    sqlite3_close(db);
    return {.name = "SQLite, row-at-a-time INSERT", .rows = done, .seconds = s, .cpu = cpu};
}

Result pg_baseline(const std::string &conninfo, const std::vector<Trace> &traces, uint64_t rows)
{
    store::open_pg_store(conninfo); // the schema
    PGconn *c = PQconnectdb(conninfo.c_str());
    if (PQstatus(c) != CONNECTION_OK)
        throw std::runtime_error(std::string("pg baseline: ") + PQerrorMessage(c));
    auto exec = [&](const std::string &sql) {
        PGresult *r = PQexec(c, sql.c_str());
        const auto st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            const std::string msg = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error("pg baseline: " + msg);
        }
        std::string v = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
        PQclear(r);
        return v;
    };
    const std::string scan = exec("INSERT INTO pathmap.scans (started, mode, vantage, pathmap_version) "
                                  "VALUES (now(), 'bench', 'b', '') RETURNING id");
    uint64_t done = 0;
    double cpu = 0;
    const double s = timed(
        [&] {
            for (size_t i = 0; i < traces.size() && done < rows; ++i) {
                const Trace &t = traces[i];
                const std::string id = exec(fmt::format(
                    "INSERT INTO pathmap.traces (scan_id, probe_dst_addr, flow_id, reached, stop_reason, "
                    "first_ttl) "
                    "VALUES ({}, '{}', {}, {}, '{}', {}) RETURNING id",
                    scan, t.dst, t.flow_id, t.reached ? "true" : "false", t.stop_reason, t.first_ttl));
                for (const Hop &h : t.hops) {
                    if (done == rows) break;
                    exec(hop_insert(std::stoll(id), h, true));
                    ++done;
                }
            }
        },
        &cpu);
    PQfinish(c);
    return {.name = "PostgreSQL, row-at-a-time INSERT", .rows = done, .seconds = s, .cpu = cpu};
}

Result via_store(const std::string &name, store::HopStore &db, const std::vector<Trace> &traces)
{
    store::StoredRun run;
    double cpu = 0;
    const double s = timed(
        [&] { run = store::store_run(db, {.mode = "bench"}, traces, {.protocol = "icmp"}, true); }, &cpu);
    return {.name = name, .rows = run.rows.hops, .seconds = s, .cpu = cpu};
}

int run(const Args &a)
{
    namespace fs = std::filesystem;
    fs::create_directories(a.dir);
    const auto traces = make_traces(a.rows);
    const uint64_t rows = store::count_hops(traces);
    const uint64_t base_rows = a.baseline_rows ? a.baseline_rows : std::max<uint64_t>(rows / 10, 1);
    fmt::print("{} hop rows in {} traces (16 TTLs each, 1 in 8 silent); baseline on {} rows\n", rows,
               traces.size(), base_rows);

    const std::string fast = a.dir + "/store.db", slow = a.dir + "/baseline.db";
    for (const auto &f : {fast, slow})
        for (const char *suffix : {"", "-wal", "-shm"})
            fs::remove(f + suffix);
    fmt::print("SQLite ({}):\n", a.dir);
    const Result sb = sqlite_baseline(slow, traces, base_rows);
    print(sb, rows, nullptr);
    auto sq = store::open_sqlite_store(fast, {.batch_rows = a.batch_rows});
    print(via_store("SQLite, pathmap store (batched)", *sq, traces), rows, &sb);
    if (!a.pg.empty()) {
        fmt::print("PostgreSQL ({}):\n", a.pg);
        const Result pb = pg_baseline(a.pg, traces, base_rows);
        print(pb, rows, nullptr);
        auto pg = store::open_pg_store(a.pg, {.batch_rows = a.batch_rows});
        print(via_store("PostgreSQL, pathmap store (COPY)", *pg, traces), rows, &pb);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                fmt::print(stderr, "store_bench: {} needs a value\n", k);
                std::exit(2);
            }
            return argv[++i];
        };
        if (k == "--rows")
            a.rows = std::stoull(next());
        else if (k == "--baseline-rows")
            a.baseline_rows = std::stoull(next());
        else if (k == "--dir")
            a.dir = next();
        else if (k == "--pg")
            a.pg = next();
        else if (k == "--batch-rows")
            a.batch_rows = std::stoull(next());
        else {
            fmt::print(stderr,
                       "usage: store_bench [--rows N] [--baseline-rows M] [--batch-rows B] [--dir DIR] "
                       "[--pg CONNINFO]\n");
            return 2;
        }
    }
    try {
        return run(a);
    } catch (const std::exception &e) {
        fmt::print(stderr, "store_bench: {}\n", e.what());
        return 1;
    }
}
