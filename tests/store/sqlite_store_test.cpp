// The SQLite hop store: every field of every hop back from the file, batches
// that never split a trace, a failed batch rolled back whole, a lost row
// caught by the count check, schema versions, and URL parsing.
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "userspace/store/store.h"

namespace pathmap::store
{
namespace
{

namespace fs = std::filesystem;

class TempDb
{
  public:
    TempDb()
    {
        dir_ = fs::temp_directory_path() /
               ("pathmap-store-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
        fs::create_directories(dir_);
    }
    ~TempDb() { fs::remove_all(dir_); }
    std::string path() const { return (dir_ / "pathmap.db").string(); }

  private:
    static inline int counter_ = 0;
    fs::path dir_;
};

// Reads the file with the plain SQLite API, not through the store.
class Reader
{
  public:
    explicit Reader(const std::string &path)
    {
        EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    }
    ~Reader() { sqlite3_close_v2(db_); }
    // Every row of a query, each column as text ("NULL" for NULL).
    std::vector<std::vector<std::string>> rows(const std::string &sql)
    {
        sqlite3_stmt *s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
        std::vector<std::vector<std::string>> out;
        while (s && sqlite3_step(s) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(s); ++i) {
                const auto *t = sqlite3_column_text(s, i);
                row.push_back(t ? reinterpret_cast<const char *>(t) : "NULL");
            }
            out.push_back(std::move(row));
        }
        sqlite3_finalize(s);
        return out;
    }
    std::string one(const std::string &sql)
    {
        auto r = rows(sql);
        return r.empty() || r[0].empty() ? "" : r[0][0];
    }
    void exec(const std::string &sql)
    {
        ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db_);
    }

  private:
    sqlite3 *db_ = nullptr;
};

Hop answered(uint8_t ttl, std::string addr, double rtt_ms)
{
    Hop h;
    h.ttl = ttl;
    h.addr = std::move(addr);
    h.rtt_ms = rtt_ms;
    h.icmp_type = 11;
    h.icmp_code = 0;
    h.reply_ttl = 64 - ttl;
    h.quoted_ttl = 1;
    return h;
}

Hop silent(uint8_t ttl)
{
    Hop h;
    h.ttl = ttl;
    return h;
}

std::vector<Trace> sample_traces()
{
    Trace a{.dst = "198.19.1.7", .flow_id = 0, .reached = true, .stop_reason = "reached", .first_ttl = 1};
    a.hops.push_back(answered(1, "198.18.0.1", 0.1234));
    a.hops.push_back(silent(2));
    Hop mpls = answered(3, "198.18.1.2", 20.5);
    mpls.mpls_labels = {16004, 24001};
    mpls.rdns = "be40.br05.ams01.example.net";
    mpls.asn = 64500;
    mpls.as_name = "EXAMPLE-AS";
    mpls.country = "NL";
    a.hops.push_back(mpls);
    Hop last = answered(4, "198.19.1.7", 21.0);
    last.icmp_type = 0; // echo reply
    a.hops.push_back(last);
    Trace b{.dst = "198.19.2.9", .flow_id = 3, .reached = false, .stop_reason = "gap_limit"};
    b.hops.push_back(answered(1, "198.18.0.1", 0.2));
    Hop tcp = answered(2, "198.19.2.9", 1.5);
    tcp.icmp_type = -1; // a TCP reply has no ICMP type or code
    tcp.icmp_code = -1;
    b.hops.push_back(tcp);
    Trace empty{.dst = "198.19.3.1", .flow_id = 0, .reached = false, .stop_reason = "interrupted"};
    return {a, b, empty};
}

TEST(SqliteStore, EveryFieldOfEveryHopRoundTrips)
{
    TempDb tmp;
    const auto traces = sample_traces();
    {
        auto db = open_sqlite_store(tmp.path());
        ScanInfo info{.mode = "sweep",
                      .vantage = "ams1",
                      .source_addr = "198.18.0.2",
                      .targets = "198.19.0.0/16",
                      .parameters = {{"rate", 1000}},
                      .pps = 1000,
                      .probes_sent = 42};
        const auto run = store_run(*db, info, traces, {.protocol = "icmp"}, true);
        EXPECT_EQ(run.scan_id, 1);
        EXPECT_EQ(run.rows, (RowCounts{.traces = 3, .hops = 6}));
    }
    Reader r(tmp.path());
    EXPECT_EQ(r.one("SELECT max(version) FROM schema_version"), "1");
    EXPECT_EQ(r.one("PRAGMA journal_mode"), "wal");
    const auto scan =
        r.rows("SELECT mode, vantage, source_addr, targets, json_extract(parameters, '$.rate'), pps, "
               "probes_sent, complete, started <= ended, started LIKE '____-__-__T__:__:__.______Z' "
               "FROM scans");
    ASSERT_EQ(scan.size(), 1u);
    EXPECT_EQ(scan[0], (std::vector<std::string>{"sweep", "ams1", "198.18.0.2", "198.19.0.0/16", "1000",
                                                 "1000", "42", "1", "1", "1"}));
    const auto tr =
        r.rows("SELECT probe_dst_addr, flow_id, probe_protocol, probe_dst_port, reached, stop_reason, "
               "first_ttl FROM traces ORDER BY id");
    ASSERT_EQ(tr.size(), 3u);
    EXPECT_EQ(tr[0], (std::vector<std::string>{"198.19.1.7", "0", "icmp", "NULL", "1", "reached", "1"}));
    EXPECT_EQ(tr[1], (std::vector<std::string>{"198.19.2.9", "3", "icmp", "NULL", "0", "gap_limit", "NULL"}));
    EXPECT_EQ(tr[2],
              (std::vector<std::string>{"198.19.3.1", "0", "icmp", "NULL", "0", "interrupted", "NULL"}));
    const auto hops =
        r.rows("SELECT t.probe_dst_addr, probe_ttl, reply_src_addr, rtt_us, reply_icmp_type, "
               "reply_icmp_code, reply_ttl, quoted_ttl, reply_mpls_labels, rdns, asn, as_name, country "
               "FROM hops h JOIN traces t ON t.id = h.trace_id ORDER BY t.id, probe_ttl");
    const std::vector<std::vector<std::string>> want = {
        {"198.19.1.7", "1", "198.18.0.1", "123", "11", "0", "63", "1", "NULL", "NULL", "NULL", "NULL",
         "NULL"},
        {"198.19.1.7", "2", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
         "NULL"},
        {"198.19.1.7", "3", "198.18.1.2", "20500", "11", "0", "61", "1", "[16004,24001]",
         "be40.br05.ams01.example.net", "64500", "EXAMPLE-AS", "NL"},
        {"198.19.1.7", "4", "198.19.1.7", "21000", "0", "0", "60", "1", "NULL", "NULL", "NULL", "NULL",
         "NULL"},
        {"198.19.2.9", "1", "198.18.0.1", "200", "11", "0", "63", "1", "NULL", "NULL", "NULL", "NULL",
         "NULL"},
        {"198.19.2.9", "2", "198.19.2.9", "1500", "NULL", "NULL", "62", "1", "NULL", "NULL", "NULL", "NULL",
         "NULL"},
    };
    EXPECT_EQ(hops, want);
    // The labels column is JSON that SQLite's own functions read.
    EXPECT_EQ(r.one("SELECT group_concat(value) FROM hops, json_each(hops.reply_mpls_labels)"),
              "16004,24001");
}

// Every field the store keeps, RTT in whole microseconds as stored.
void expect_same_trace(const Trace &got, const Trace &want)
{
    EXPECT_EQ(got.dst, want.dst);
    EXPECT_EQ(got.flow_id, want.flow_id);
    EXPECT_EQ(got.reached, want.reached);
    EXPECT_EQ(got.stop_reason, want.stop_reason);
    EXPECT_EQ(got.first_ttl, want.first_ttl);
    ASSERT_EQ(got.hops.size(), want.hops.size()) << want.dst;
    for (size_t i = 0; i < want.hops.size(); ++i) {
        const Hop &g = got.hops[i], &w = want.hops[i];
        SCOPED_TRACE(want.dst + " ttl " + std::to_string(w.ttl));
        EXPECT_EQ(g.ttl, w.ttl);
        EXPECT_EQ(g.addr, w.addr);
        EXPECT_EQ(detail::rtt_us(g.rtt_ms), detail::rtt_us(w.rtt_ms));
        EXPECT_EQ(g.icmp_type, w.icmp_type);
        EXPECT_EQ(g.icmp_code, w.icmp_code);
        EXPECT_EQ(g.reply_ttl, w.reply_ttl);
        EXPECT_EQ(g.quoted_ttl, w.quoted_ttl);
        EXPECT_EQ(g.mpls_labels, w.mpls_labels);
        EXPECT_EQ(g.rdns, w.rdns);
        EXPECT_EQ(g.asn, w.asn);
        EXPECT_EQ(g.as_name, w.as_name);
        EXPECT_EQ(g.country, w.country);
    }
}

TEST(SqliteStore, ReadTracesGivesBackWhatWasWritten)
{
    TempDb tmp;
    auto traces = sample_traces();
    // Written out of order, with a second scan beside it: read back sorted by
    // address then flow, and only the scan asked for.
    std::vector<Trace> written = {traces[2], traces[1], traces[0]};
    Trace flow1 = traces[0];
    flow1.flow_id = 1;
    flow1.hops.pop_back();
    // A hop known by its name only (an mtr report without -n): answered, no address.
    Hop named{.ttl = 4, .rtt_ms = 3.5, .rdns = "core1.example.net"};
    flow1.hops.push_back(named);
    written.insert(written.begin(), flow1);
    auto db = open_sqlite_store(tmp.path());
    const auto run = store_run(*db, {}, written, {}, true);
    store_run(*db, {}, sample_traces(), {}, true);
    const auto back = open_sqlite_store(tmp.path())->read_traces(run.scan_id);
    ASSERT_EQ(back.size(), 4u);
    expect_same_trace(back[0], traces[0]);
    expect_same_trace(back[1], flow1);
    expect_same_trace(back[2], traces[1]);
    expect_same_trace(back[3], traces[2]);
    EXPECT_TRUE(db->read_traces(99).empty());
    EXPECT_THROW(find_scan(*db, 99), StoreUsageError);
    EXPECT_EQ(find_scan(*db, 2).id, 2);
}

TEST(SqliteStore, MtrHopsRowsAreStoredAndCounted)
{
    TempDb tmp;
    const std::vector<MtrHopRow> rows = {
        {.target = "198.19.1.7",
         .hop = 1,
         .addr = "198.18.0.1",
         .sent = 10,
         .received = 9,
         .lost = 1,
         .late = 0,
         .last_us = 101,
         .best_us = 90,
         .avg_us = 100,
         .worst_us = 120,
         .stdev_us = 8,
         .jitter_us = 5},
        {.target = "198.19.1.7", .hop = 2, .sent = 10, .lost = 10},
        {.target = "198.19.1.7",
         .hop = 3,
         .addr = "198.18.1.2",
         .sent = 6,
         .received = 4,
         .lost = 1,
         .late = 1,
         .last_us = 2000,
         .best_us = 1900,
         .avg_us = 2050,
         .worst_us = 2200,
         .stdev_us = 100,
         .jitter_us = 40},
        {.target = "198.19.1.7",
         .hop = 3,
         .addr = "198.18.2.2",
         .sent = 4,
         .received = 4,
         .last_us = 3000,
         .best_us = 3000,
         .avg_us = 3000,
         .worst_us = 3000,
         .stdev_us = 0,
         .jitter_us = 0},
    };
    auto db = open_sqlite_store(tmp.path());
    const auto run = store_run(*db, {.mode = "mtr"}, sample_traces(), {.protocol = "icmp"}, rows, true);
    EXPECT_EQ(run.rows, (RowCounts{.traces = 3, .hops = 6, .mtr_hops = 4}));
    Reader r(tmp.path());
    EXPECT_EQ(
        r.rows("SELECT hop, coalesce(addr, 'NULL'), sent, received, lost, late, coalesce(last_us, 'NULL'), "
               "coalesce(best_us, 'NULL'), coalesce(avg_us, 'NULL'), coalesce(worst_us, 'NULL'), "
               "coalesce(stdev_us, 'NULL'), coalesce(jitter_us, 'NULL') FROM mtr_hops "
               "WHERE scan_id = 1 AND target = '198.19.1.7' ORDER BY hop, addr"),
        (std::vector<std::vector<std::string>>{
            {"1", "198.18.0.1", "10", "9", "1", "0", "101", "90", "100", "120", "8", "5"},
            {"2", "NULL", "10", "0", "10", "0", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
            {"3", "198.18.1.2", "6", "4", "1", "1", "2000", "1900", "2050", "2200", "100", "40"},
            {"3", "198.18.2.2", "4", "4", "0", "0", "3000", "3000", "3000", "3000", "0", "0"},
        }));
    EXPECT_EQ(r.one("SELECT mode || ':' || complete FROM scans"), "mtr:1");
    // The same (target, hop, address) twice is refused: the scan stays incomplete.
    const std::vector<MtrHopRow> twice = {rows[0], rows[0]};
    EXPECT_THROW(store_run(*db, {.mode = "mtr"}, {}, {}, twice, true), StoreError);
    EXPECT_EQ(r.one("SELECT complete FROM scans WHERE id = 2"), "0");
}

TEST(SqliteStore, ScansAccumulateInOneFile)
{
    TempDb tmp;
    const auto traces = sample_traces();
    for (int i = 1; i <= 3; ++i) {
        auto db = open_sqlite_store(tmp.path());
        EXPECT_EQ(store_run(*db, ScanInfo{.vantage = "v" + std::to_string(i)}, traces, {}, i != 2).scan_id,
                  i);
    }
    Reader r(tmp.path());
    EXPECT_EQ(r.one("SELECT count(*) FROM schema_version"), "1");
    EXPECT_EQ(r.one("SELECT group_concat(vantage || ':' || complete, ' ') FROM scans"), "v1:1 v2:0 v3:1");
    EXPECT_EQ(r.one("SELECT count(*) FROM hops"), "18");
    const auto scans = open_sqlite_store(tmp.path())->list_scans();
    ASSERT_EQ(scans.size(), 3u);
    EXPECT_EQ(scans[1].id, 2);
    EXPECT_EQ(scans[1].vantage, "v2");
    EXPECT_EQ(scans[1].mode, "sweep");
    EXPECT_FALSE(scans[1].complete);
    EXPECT_TRUE(scans[2].complete);
    EXPECT_EQ(scans[2].traces, 3u);
    EXPECT_FALSE(scans[2].ended.empty());
}

TEST(SqliteStore, BatchesHoldWholeTraces)
{
    const auto traces = sample_traces();            // 4, 2 and 0 hops: 5, 3 and 1 rows with the trace row
    EXPECT_EQ(detail::batch_end(traces, 0, 1), 1u); // one trace even when it alone is over
    EXPECT_EQ(detail::batch_end(traces, 0, 5), 1u);
    EXPECT_EQ(detail::batch_end(traces, 0, 8), 2u);
    EXPECT_EQ(detail::batch_end(traces, 0, 9), 3u);
    EXPECT_EQ(detail::batch_end(traces, 1, 3), 2u);
    EXPECT_EQ(detail::batch_end(traces, 3, 100), 3u);

    // Small batches store the same rows as one big one.
    TempDb tmp;
    std::vector<Trace> many;
    for (int i = 0; i < 500; ++i) {
        auto t = sample_traces()[i % 3];
        t.dst = "198.19." + std::to_string(i / 250) + "." + std::to_string(i % 250);
        many.push_back(t);
    }
    auto db = open_sqlite_store(tmp.path(), {.batch_rows = 7});
    const auto run = store_run(*db, {}, many, {}, true);
    EXPECT_EQ(run.rows.traces, 500u);
    EXPECT_EQ(run.rows.hops, count_hops(many));
}

TEST(SqliteStore, FailedBatchIsRolledBackWholeAndScanStaysIncomplete)
{
    TempDb tmp;
    auto traces = sample_traces();
    traces[1].hops[1].ttl = 99; // the refused row: in the second trace, second hop
    {
        auto db = open_sqlite_store(tmp.path(), {.batch_rows = 5}); // one trace a batch
        Reader setup(tmp.path());
        setup.exec("CREATE TRIGGER refuse BEFORE INSERT ON hops WHEN NEW.probe_ttl = 99 "
                   "BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
        try {
            store_run(*db, {}, traces, {}, true);
            FAIL() << "no error";
        } catch (const StoreError &e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("refused by test"), std::string::npos) << msg;
            EXPECT_NE(msg.find(tmp.path()), std::string::npos) << msg;
            EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        }
    }
    Reader r(tmp.path());
    // The first trace's batch committed; the second's trace row and first hop went with it.
    EXPECT_EQ(r.one("SELECT group_concat(probe_dst_addr) FROM traces"), "198.19.1.7");
    EXPECT_EQ(r.one("SELECT count(*) FROM hops"), "4");
    EXPECT_EQ(r.one("SELECT complete FROM scans"), "0");
}

TEST(SqliteStore, LostRowIsCaughtByTheCount)
{
    TempDb tmp;
    auto db = open_sqlite_store(tmp.path());
    Reader setup(tmp.path());
    // A row the database accepts and then drops: the write "succeeds".
    setup.exec("CREATE TRIGGER lose AFTER INSERT ON hops WHEN NEW.probe_ttl = 3 "
               "BEGIN DELETE FROM hops WHERE rowid = NEW.rowid; END");
    try {
        store_run(*db, {}, sample_traces(), {}, true);
        FAIL() << "no error";
    } catch (const StoreError &e) {
        EXPECT_NE(std::string(e.what()).find("holds 3 traces and 5 hops, 3 and 6 were written"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(Reader(tmp.path()).one("SELECT complete FROM scans"), "0");
}

TEST(SqliteStore, NewerSchemaIsRefusedAsUsage)
{
    TempDb tmp;
    open_sqlite_store(tmp.path());
    Reader(tmp.path()).exec("INSERT INTO schema_version VALUES (99)");
    EXPECT_THROW(open_sqlite_store(tmp.path()), StoreUsageError);
}

TEST(SqliteStore, NotADatabaseIsOneLine)
{
    TempDb tmp;
    std::ofstream(tmp.path()) << "this is not an SQLite file, but long enough to be read as one\n";
    try {
        open_sqlite_store(tmp.path());
        FAIL() << "no error";
    } catch (const StoreUsageError &) {
        FAIL() << "a broken file is not a usage error";
    } catch (const StoreError &e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(tmp.path()), std::string::npos) << msg;
        EXPECT_NE(msg.find("not a database"), std::string::npos) << msg;
    }
    EXPECT_THROW(open_sqlite_store("/nonexistent-dir/pathmap.db"), StoreError);
}

TEST(DbUrl, Parses)
{
    EXPECT_EQ(parse_db_url("out/pathmap.db").target, "out/pathmap.db");
    EXPECT_EQ(parse_db_url("out/pathmap.db").backend, Backend::sqlite);
    EXPECT_EQ(parse_db_url("sqlite:run.db").target, "run.db");
    EXPECT_EQ(parse_db_url("sqlite:///var/lib/pm.db").target, "/var/lib/pm.db");
    EXPECT_EQ(parse_db_url("postgresql://pm@db/topo").backend, Backend::postgresql);
    EXPECT_EQ(parse_db_url("postgres://db/topo").target, "postgres://db/topo");
    EXPECT_THROW(parse_db_url(""), StoreUsageError);
    EXPECT_THROW(parse_db_url("sqlite:"), StoreUsageError);
    EXPECT_THROW(parse_db_url("sqlite://host/x"), StoreUsageError);
    EXPECT_THROW(parse_db_url("mysql://db/topo"), StoreUsageError);
}

TEST(DbUrl, MalformedPostgresUrlIsUsageBeforeConnecting)
{
    EXPECT_THROW(open_pg_store("postgresql://host:notaport:x/db?sslmode=bogus=1&&"), StoreUsageError);
    EXPECT_THROW(open_pg_store("postgresql://pm@/db?nosuchoption=1"), StoreUsageError);
}

TEST(StoreDetail, UnitsAndTimes)
{
    EXPECT_EQ(detail::rtt_us(0.1234), 123);
    EXPECT_EQ(detail::rtt_us(20.0005), 20001);
    EXPECT_EQ(detail::iso_utc(Clock::time_point(std::chrono::microseconds(1764750430123456))),
              "2025-12-03T08:27:10.123456Z");
}

} // namespace
} // namespace pathmap::store
