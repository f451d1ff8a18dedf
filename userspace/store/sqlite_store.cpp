// The SQLite hop store (libsqlite3): one file, WAL mode, prepared statements,
// one transaction per batch. The default: every sweep writes OUT/pathmap.db.
#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include "userspace/store/store.h"

namespace pathmap::store
{
namespace
{

// Version 1. Column names follow the caracal/Diamond-Miner vocabulary
// (probe_ttl, reply_src_addr, quoted_ttl...), so rows move between stores.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE scans (
  id INTEGER PRIMARY KEY,
  started TEXT NOT NULL,          -- UTC, ISO 8601
  ended TEXT,
  mode TEXT NOT NULL,             -- sweep | mtr | import
  vantage TEXT NOT NULL,
  source_addr TEXT,
  targets TEXT,
  parameters TEXT NOT NULL DEFAULT '{}', -- JSON
  pps INTEGER,
  probes_sent INTEGER,
  pathmap_version TEXT NOT NULL,
  complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE traces (
  id INTEGER PRIMARY KEY,
  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  probe_dst_addr TEXT NOT NULL,
  flow_id INTEGER NOT NULL,
  probe_protocol TEXT,
  probe_dst_port INTEGER,
  reached INTEGER NOT NULL,
  stop_reason TEXT,
  first_ttl INTEGER
);
CREATE INDEX traces_scan_idx ON traces(scan_id);
CREATE TABLE hops (
  trace_id INTEGER NOT NULL REFERENCES traces(id) ON DELETE CASCADE,
  probe_ttl INTEGER NOT NULL,
  reply_src_addr TEXT,            -- NULL: probed, silent (or, with rdns, known by name only)
  rtt_us INTEGER,
  reply_icmp_type INTEGER,
  reply_icmp_code INTEGER,
  reply_ttl INTEGER,
  quoted_ttl INTEGER,
  reply_mpls_labels TEXT,         -- JSON array of label values
  rdns TEXT,
  asn INTEGER,
  as_name TEXT,
  country TEXT
);
CREATE INDEX hops_trace_idx ON hops(trace_id);
CREATE TABLE mtr_hops (
  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  target TEXT NOT NULL,
  hop INTEGER NOT NULL,
  addr TEXT,
  sent INTEGER NOT NULL, received INTEGER NOT NULL, lost INTEGER NOT NULL, late INTEGER NOT NULL,
  last_us INTEGER, best_us INTEGER, avg_us INTEGER, worst_us INTEGER, stdev_us INTEGER, jitter_us INTEGER,
  UNIQUE (scan_id, target, hop, addr)
);
)sql";

struct DbCloser {
    void operator()(sqlite3 *db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt *s) const noexcept { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

class Statement
{
  public:
    Statement(sqlite3 *db, const char *sql, const std::string &where) : db_(db)
    {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
            throw StoreError(fmt::format("{}: {}", where, sqlite3_errmsg(db)));
        stmt_.reset(s);
    }
    Statement &bind(int i, int64_t v)
    {
        check(sqlite3_bind_int64(stmt_.get(), i, v));
        return *this;
    }
    Statement &bind(int i, const std::string &v)
    {
        check(sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    // No copy: the text must stay alive and unchanged until step() (the
    // hot path binds fields of the traces being written).
    Statement &bind_ref(int i, std::string_view v)
    {
        check(sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
        return *this;
    }
    Statement &bind_null(int i)
    {
        check(sqlite3_bind_null(stmt_.get(), i));
        return *this;
    }
    Statement &bind_text_or_null(int i, const std::string &v)
    {
        return v.empty() ? bind_null(i) : bind(i, v);
    }
    Statement &bind_int_or_null(int i, int64_t v, bool null) { return null ? bind_null(i) : bind(i, v); }
    // Runs to completion; true if it produced a row (read it with column()).
    bool step()
    {
        const int rc = sqlite3_step(stmt_.get());
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) throw StoreError(sqlite3_errmsg(db_));
        return false;
    }
    int64_t column(int i) { return sqlite3_column_int64(stmt_.get(), i); }
    bool is_null(int i) { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }
    std::string text(int i)
    {
        const auto *t = sqlite3_column_text(stmt_.get(), i);
        return t ? reinterpret_cast<const char *>(t) : "";
    }
    void reset() noexcept
    {
        sqlite3_reset(stmt_.get());
        sqlite3_clear_bindings(stmt_.get());
    }

  private:
    void check(int rc)
    {
        if (rc != SQLITE_OK) throw StoreError(sqlite3_errmsg(db_));
    }
    sqlite3 *db_;
    std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

class SqliteStore final : public HopStore
{
  public:
    SqliteStore(const std::string &path, const StoreOptions &opts) : path_(path), opts_(opts)
    {
        sqlite3 *raw = nullptr;
        const int rc =
            // NOMUTEX: a store is used by one thread; the per-call locking showed in profiles.
            sqlite3_open_v2(path.c_str(), &raw,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
        db_.reset(raw); // closed even when the open failed
        if (rc != SQLITE_OK) fail("cannot open");
        sqlite3_extended_result_codes(db_.get(), 1);
        // Another writer (an import while a sweep ends) waits instead of failing.
        sqlite3_busy_timeout(db_.get(), 30000);
        exec("PRAGMA journal_mode=WAL", "cannot switch to WAL mode");
        // WAL with synchronous=NORMAL stays consistent on power loss; only the
        // last commits may be lost, and a run's scan row says complete until then.
        exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", "cannot set pragmas");
        migrate();
        insert_trace_ = std::make_unique<Statement>(
            db_.get(),
            "INSERT INTO traces (scan_id, probe_dst_addr, flow_id, probe_protocol, probe_dst_port, reached, "
            "stop_reason, first_ttl) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            describe());
        insert_hop_ = std::make_unique<Statement>(
            db_.get(),
            "INSERT INTO hops (trace_id, probe_ttl, reply_src_addr, rtt_us, reply_icmp_type, "
            "reply_icmp_code, "
            "reply_ttl, quoted_ttl, reply_mpls_labels, rdns, asn, as_name, country) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            describe());
    }

    std::string describe() const override { return "SQLite " + path_; }

    int64_t begin_scan(const ScanInfo &info) override
    {
        Statement s(
            db_.get(),
            "INSERT INTO scans (started, mode, vantage, source_addr, targets, parameters, pps, probes_sent, "
            "pathmap_version, complete) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)",
            describe());
        s.bind(1, detail::iso_utc(info.started)).bind(2, info.mode).bind(3, info.vantage);
        s.bind_text_or_null(4, info.source_addr)
            .bind_text_or_null(5, info.targets)
            .bind(6, info.parameters.dump());
        s.bind_int_or_null(7, static_cast<int64_t>(info.pps), info.pps == 0);
        s.bind(8, static_cast<int64_t>(info.probes_sent)).bind(9, detail::pathmap_version());
        run(s, "cannot add the scan row");
        return sqlite3_last_insert_rowid(db_.get());
    }

    void add_traces(int64_t scan, std::span<const Trace> traces, const ProbeInfo &probe) override
    {
        for (size_t begin = 0; begin < traces.size();) {
            const size_t end = detail::batch_end(traces, begin, opts_.batch_rows);
            Transaction tx(*this);
            for (size_t i = begin; i < end; ++i)
                add_trace(scan, traces[i], probe);
            tx.commit();
            begin = end;
        }
    }

    void add_mtr_hops(int64_t scan, std::span<const MtrHopRow> rows) override
    {
        Statement s(db_.get(),
                    "INSERT INTO mtr_hops (scan_id, target, hop, addr, sent, received, lost, late, last_us, "
                    "best_us, avg_us, worst_us, stdev_us, jitter_us) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    describe());
        Transaction tx(*this);
        for (const MtrHopRow &r : rows) {
            s.bind(1, scan).bind(2, r.target).bind(3, int64_t{r.hop}).bind_text_or_null(4, r.addr);
            s.bind(5, static_cast<int64_t>(r.sent)).bind(6, static_cast<int64_t>(r.received));
            s.bind(7, static_cast<int64_t>(r.lost)).bind(8, static_cast<int64_t>(r.late));
            int col = 9;
            for (const auto &v : {r.last_us, r.best_us, r.avg_us, r.worst_us, r.stdev_us, r.jitter_us})
                s.bind_int_or_null(col++, v.value_or(0), !v);
            run(s, "cannot add an mtr_hops row");
        }
        tx.commit();
    }

    void end_scan(int64_t scan, bool complete, Clock::time_point ended) override
    {
        Statement s(db_.get(), "UPDATE scans SET ended = ?1, complete = ?2 WHERE id = ?3", describe());
        s.bind(1, detail::iso_utc(ended)).bind(2, complete ? 1 : 0).bind(3, scan);
        run(s, "cannot close the scan row");
    }

    RowCounts count_rows(int64_t scan) override
    {
        Statement t(db_.get(), "SELECT count(*) FROM traces WHERE scan_id = ?1", describe());
        Statement h(
            db_.get(),
            "SELECT count(*) FROM hops JOIN traces ON traces.id = hops.trace_id WHERE traces.scan_id = ?1",
            describe());
        Statement m(db_.get(), "SELECT count(*) FROM mtr_hops WHERE scan_id = ?1", describe());
        t.bind(1, scan);
        h.bind(1, scan);
        m.bind(1, scan);
        RowCounts c;
        if (t.step()) c.traces = static_cast<uint64_t>(t.column(0));
        if (h.step()) c.hops = static_cast<uint64_t>(h.column(0));
        if (m.step()) c.mtr_hops = static_cast<uint64_t>(m.column(0));
        return c;
    }

    std::vector<Trace> read_traces(int64_t scan) override
    {
        Statement t(db_.get(),
                    "SELECT id, probe_dst_addr, flow_id, reached, coalesce(stop_reason, ''), "
                    "coalesce(first_ttl, 0) FROM traces WHERE scan_id = ?1 ORDER BY id",
                    describe());
        t.bind(1, scan);
        detail::TraceAssembler out;
        while (t.step()) {
            out.add_trace(t.column(0), {.dst = t.text(1),
                                        .flow_id = static_cast<uint16_t>(t.column(2)),
                                        .reached = t.column(3) != 0,
                                        .stop_reason = t.text(4),
                                        .first_ttl = static_cast<uint8_t>(t.column(5))});
        }
        Statement h(db_.get(),
                    "SELECT h.trace_id, h.probe_ttl, h.reply_src_addr, h.rtt_us, h.reply_icmp_type, "
                    "h.reply_icmp_code, h.reply_ttl, h.quoted_ttl, h.reply_mpls_labels, h.rdns, h.asn, "
                    "h.as_name, h.country FROM hops h JOIN traces t ON t.id = h.trace_id "
                    "WHERE t.scan_id = ?1 ORDER BY h.trace_id, h.probe_ttl",
                    describe());
        h.bind(1, scan);
        while (h.step()) {
            Hop hop{.ttl = static_cast<uint8_t>(h.column(1))};
            if (!h.is_null(2) || !h.is_null(9)) { // an address, or a name only
                hop.addr = h.text(2);
                hop.rtt_ms = static_cast<double>(h.column(3)) / 1000.0;
                hop.rtt_known = !h.is_null(3);
                hop.icmp_type = h.is_null(4) ? -1 : static_cast<int>(h.column(4));
                hop.icmp_code = h.is_null(5) ? -1 : static_cast<int>(h.column(5));
                hop.reply_ttl = static_cast<int>(h.column(6));
                hop.quoted_ttl = static_cast<int>(h.column(7));
                if (!h.is_null(8))
                    for (const auto &v : nlohmann::json::parse(h.text(8)))
                        hop.mpls_labels.push_back(v.get<uint32_t>());
                if (!h.is_null(9)) hop.rdns = h.text(9);
                hop.asn = h.column(10);
                if (!h.is_null(11)) hop.as_name = h.text(11);
                if (!h.is_null(12)) hop.country = h.text(12);
            }
            out.add_hop(h.column(0), std::move(hop), describe());
        }
        return std::move(out).take();
    }

    std::vector<ScanSummary> list_scans() override
    {
        Statement s(
            db_.get(),
            "SELECT id, vantage, mode, coalesce(targets, ''), started, coalesce(ended, ''), complete, "
            "(SELECT count(*) FROM traces WHERE scan_id = scans.id) FROM scans ORDER BY id",
            describe());
        std::vector<ScanSummary> out;
        while (s.step()) {
            out.push_back({.id = s.column(0),
                           .vantage = s.text(1),
                           .mode = s.text(2),
                           .targets = s.text(3),
                           .started = s.text(4),
                           .ended = s.text(5),
                           .complete = s.column(6) != 0,
                           .traces = static_cast<uint64_t>(s.column(7))});
        }
        return out;
    }

  private:
    // BEGIN IMMEDIATE takes the write lock up front, so two writers queue on
    // the busy timeout rather than deadlock on a read-to-write upgrade.
    class Transaction
    {
      public:
        explicit Transaction(SqliteStore &s) : s_(s)
        {
            s_.exec("BEGIN IMMEDIATE", "cannot begin a transaction");
        }
        void commit()
        {
            s_.exec("COMMIT", "cannot commit");
            done_ = true;
        }
        ~Transaction()
        {
            if (!done_) sqlite3_exec(s_.db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
        Transaction(const Transaction &) = delete;
        Transaction &operator=(const Transaction &) = delete;

      private:
        SqliteStore &s_;
        bool done_ = false;
    };

    void add_trace(int64_t scan, const Trace &t, const ProbeInfo &probe)
    {
        Statement &st = *insert_trace_;
        st.bind(1, scan).bind_ref(2, t.dst).bind(3, int64_t{t.flow_id});
        if (!probe.protocol.empty()) st.bind_ref(4, probe.protocol);
        st.bind_int_or_null(5, probe.dst_port, probe.dst_port == 0).bind(6, t.reached ? 1 : 0);
        if (!t.stop_reason.empty()) st.bind_ref(7, t.stop_reason);
        st.bind_int_or_null(8, t.first_ttl, t.first_ttl == 0);
        run(st, "cannot add a trace row");
        const int64_t trace_id = sqlite3_last_insert_rowid(db_.get());
        std::string labels;
        for (const Hop &h : t.hops) {
            Statement &sh = *insert_hop_;
            sh.bind(1, trace_id).bind(2, int64_t{h.ttl});
            if (detail::silent(h)) { // probed, silent: only the TTL; the rest stays NULL
                run(sh, "cannot add a hop row");
                continue;
            }
            // A hop known by name only (an imported mtr or tracepath report without -n) keeps
            // reply_src_addr NULL and everything else.
            if (!h.addr.empty()) sh.bind_ref(3, h.addr);
            sh.bind_int_or_null(4, detail::rtt_us(h.rtt_ms), !h.rtt_known);
            sh.bind_int_or_null(5, h.icmp_type, h.icmp_type < 0)
                .bind_int_or_null(6, h.icmp_code, h.icmp_code < 0);
            sh.bind(7, int64_t{h.reply_ttl}).bind(8, int64_t{h.quoted_ttl});
            if (!h.mpls_labels.empty()) {
                labels = "[";
                for (size_t i = 0; i < h.mpls_labels.size(); ++i)
                    labels += (i ? "," : "") + std::to_string(h.mpls_labels[i]);
                labels += ']';
                sh.bind_ref(9, labels);
            }
            if (h.rdns) sh.bind_ref(10, *h.rdns);
            if (h.asn) sh.bind(11, h.asn);
            if (h.as_name) sh.bind_ref(12, *h.as_name);
            if (h.country) sh.bind_ref(13, *h.country);
            run(sh, "cannot add a hop row");
        }
    }

    void migrate()
    {
        Transaction tx(*this);
        exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
             "cannot create schema_version");
        Statement v(db_.get(), "SELECT max(version) FROM schema_version", describe());
        int64_t have = 0;
        if (v.step()) have = v.column(0);
        if (have > kSqliteSchemaVersion)
            throw StoreUsageError(
                fmt::format("{}: schema version {} is newer than this pathmap's ({}): upgrade pathmap",
                            describe(), have, kSqliteSchemaVersion));
        if (have == 0) {
            exec(kSchemaV1, "cannot create the schema");
            exec("INSERT INTO schema_version (version) VALUES (1)", "cannot record the schema version");
        }
        // Later versions: if (have < 2) { ALTER ...; UPDATE schema_version ... }
        tx.commit();
    }

    void run(Statement &s, const char *what)
    {
        try {
            s.step();
        } catch (const StoreError &e) {
            s.reset();
            throw StoreError(fmt::format("{}: {}: {}", describe(), what, e.what()));
        }
        s.reset();
    }

    void exec(const char *sql, const char *what)
    {
        char *err = nullptr;
        if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err ? err : sqlite3_errmsg(db_.get());
            sqlite3_free(err);
            throw StoreError(fmt::format("{}: {}: {}", describe(), what, msg));
        }
    }

    [[noreturn]] void fail(const char *what)
    {
        throw StoreError(
            fmt::format("{}: {}: {}", describe(), what, db_ ? sqlite3_errmsg(db_.get()) : "out of memory"));
    }

    std::string path_;
    StoreOptions opts_;
    DbHandle db_;
    // Declared after db_: finalized before the handle closes.
    std::unique_ptr<Statement> insert_trace_, insert_hop_;
};

} // namespace

std::unique_ptr<HopStore> open_sqlite_store(const std::string &path, const StoreOptions &opts)
{
    return std::make_unique<SqliteStore>(path, opts);
}

} // namespace pathmap::store
