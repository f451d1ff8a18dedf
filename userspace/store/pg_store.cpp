// The PostgreSQL hop store (libpq): schema `pathmap` with inet, timestamptz
// and jsonb, created on first use under an advisory lock (two vantage points
// starting at once), bulk rows by COPY, one transaction per batch. When the
// database holds unicornscan's schema, each sweep or mtr scan also gets a
// uni_scan row and uni_hops rows (pg_unicornscan.cpp).
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "userspace/store/pg_detail.h"
#include "userspace/store/store.h"

namespace pathmap::store
{
namespace
{

// Version 1; the same tables and columns as the SQLite store, typed.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE pathmap.scans (
  id bigserial PRIMARY KEY,
  started timestamptz NOT NULL,
  ended timestamptz,
  mode text NOT NULL,
  vantage text NOT NULL,
  source_addr inet,
  targets text,
  parameters jsonb NOT NULL DEFAULT '{}',
  pps bigint,
  probes_sent bigint,
  pathmap_version text NOT NULL,
  complete boolean NOT NULL DEFAULT false,
  uni_scan_id bigint              -- unicornscan's uni_scan row for this scan, when written
);
CREATE TABLE pathmap.traces (
  id bigserial PRIMARY KEY,
  scan_id bigint NOT NULL REFERENCES pathmap.scans(id) ON DELETE CASCADE,
  probe_dst_addr inet NOT NULL,
  flow_id integer NOT NULL,
  probe_protocol text,
  probe_dst_port integer,
  reached boolean NOT NULL,
  stop_reason text,
  first_ttl smallint
);
CREATE INDEX traces_scan_idx ON pathmap.traces(scan_id);
CREATE TABLE pathmap.hops (
  trace_id bigint NOT NULL REFERENCES pathmap.traces(id) ON DELETE CASCADE,
  probe_ttl smallint NOT NULL,
  reply_src_addr inet,
  rtt_us integer,
  reply_icmp_type smallint,
  reply_icmp_code smallint,
  reply_ttl smallint,
  quoted_ttl smallint,
  reply_mpls_labels integer[],
  rdns text,
  asn bigint,
  as_name text,
  country text
);
CREATE INDEX hops_trace_idx ON pathmap.hops(trace_id);
CREATE TABLE pathmap.mtr_hops (
  scan_id bigint NOT NULL REFERENCES pathmap.scans(id) ON DELETE CASCADE,
  target inet NOT NULL,
  hop smallint NOT NULL,
  addr inet,
  sent integer NOT NULL, received integer NOT NULL, lost integer NOT NULL, late integer NOT NULL,
  last_us integer, best_us integer, avg_us integer, worst_us integer, stdev_us integer, jitter_us integer,
  UNIQUE (scan_id, target, hop, addr)
);
)sql";

// Version 2: the per-row foreign key from hops to traces goes (its check ran
// once per COPY'd hop row, two thirds of the time of a 1 M-row COPY); the
// writer guarantees the reference (trace ids from the sequence, in the same
// transaction, rows counted back), and deleting traces (a scan, by its
// cascade) deletes their hops by one statement-level trigger.
// Version 3: a trace read from a file that names no destination (traceroute
// text without its header, tracepath that never reached) has a NULL one.
constexpr const char *kSchemaV3 = "ALTER TABLE pathmap.traces ALTER COLUMN probe_dst_addr DROP NOT NULL";
constexpr const char *kSchemaV2 = R"sql(
ALTER TABLE pathmap.hops DROP CONSTRAINT IF EXISTS hops_trace_id_fkey;
CREATE FUNCTION pathmap.delete_hops_of_traces() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pathmap.hops h USING gone WHERE h.trace_id = gone.id;
  RETURN NULL;
END $$;
CREATE TRIGGER traces_delete_hops AFTER DELETE ON pathmap.traces REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION pathmap.delete_hops_of_traces();
)sql";

// pg_advisory_xact_lock key for schema creation and migration: the bytes of "pathmap".
constexpr const char *kMigrateLock = "SELECT pg_advisory_xact_lock(31632349987692912)";

// COPY text format: backslash escapes, \N for NULL.
void copy_text(std::string &out, std::string_view v)
{
    for (char c : v) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            out += c;
        }
    }
}
void copy_null(std::string &out) { out += "\\N"; }
void copy_optional(std::string &out, const std::optional<std::string> &v)
{
    if (v)
        copy_text(out, *v);
    else
        copy_null(out);
}
template <typename Int> void copy_int(std::string &out, Int v) { out += std::to_string(v); }

std::string unix_user()
{
    if (const passwd *pw = getpwuid(geteuid())) return pw->pw_name;
    return std::to_string(geteuid());
}

class PgStore final : public HopStore
{
  public:
    PgStore(const std::string &conninfo, const StoreOptions &opts) : opts_(opts)
    {
        // Malformed: the user's mistake (exit 2), told before any connection.
        char *err = nullptr;
        PQconninfoOption *parsed = PQconninfoParse(conninfo.c_str(), &err);
        if (!parsed) {
            const std::string msg = err ? pg::first_line(err) : "out of memory";
            PQfreemem(err);
            throw StoreUsageError(fmt::format("--db {}: {}", pg::redact(conninfo), msg));
        }
        PQconninfoFree(parsed);
        conn_.reset(PQconnectdb(conninfo.c_str()));
        if (!conn_) throw StoreError("PostgreSQL: out of memory");
        if (PQstatus(conn_.get()) != CONNECTION_OK)
            throw StoreError(fmt::format("PostgreSQL {}: cannot connect: {}", pg::redact(conninfo),
                                         pg::first_line(PQerrorMessage(conn_.get()))));
        // CREATE ... IF NOT EXISTS and friends talk on the notice channel.
        PQsetNoticeProcessor(
            conn_.get(), [](void *, const char *) {}, nullptr);
        const char *host = PQhost(conn_.get());
        desc_ = fmt::format("PostgreSQL {}@{}", PQdb(conn_.get()), host && *host ? host : "localhost");
        migrate();
        unicornscan_ = pg::value(query("SELECT to_regclass('public.uni_schema_version') IS NOT NULL AND "
                                       "to_regclass('public.uni_scan') IS NOT NULL AND "
                                       "to_regclass('public.uni_hops') IS NOT NULL",
                                       {}, "cannot look for unicornscan's tables")) == "t";
    }

    std::string describe() const override { return desc_; }

    int64_t begin_scan(const ScanInfo &info) override
    {
        const std::string pps = info.pps ? std::to_string(info.pps) : std::string();
        auto r = query(
            "INSERT INTO pathmap.scans (started, mode, vantage, source_addr, targets, parameters, pps, "
            "probes_sent, pathmap_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            {detail::iso_utc(info.started), info.mode, info.vantage, pg::Param::or_null(info.source_addr),
             pg::Param::or_null(info.targets), info.parameters.dump(), pg::Param::or_null(pps),
             std::to_string(info.probes_sent), detail::pathmap_version()},
            "cannot add the scan row");
        mode_ = info.mode;
        return std::stoll(pg::value(r));
    }

    void add_traces(int64_t scan, std::span<const Trace> traces, const ProbeInfo &probe) override
    {
        std::string trace_rows, hop_rows;
        for (size_t begin = 0; begin < traces.size();) {
            const size_t end = detail::batch_end(traces, begin, opts_.batch_rows);
            pg::Transaction tx(conn_.get(), desc_);
            // Ids first, so hop rows can name their trace in the same COPY
            // stream; a sequence hands out distinct ones to concurrent writers.
            auto ids = query("SELECT nextval('pathmap.traces_id_seq') FROM generate_series(1, $1)",
                             {std::to_string(end - begin)}, "cannot allocate trace ids");
            trace_rows.clear();
            hop_rows.clear();
            for (size_t i = begin; i < end; ++i)
                add_rows(trace_rows, hop_rows, scan, PQgetvalue(ids.get(), static_cast<int>(i - begin), 0),
                         traces[i], probe);
            copy("COPY pathmap.traces (id, scan_id, probe_dst_addr, flow_id, probe_protocol, probe_dst_port, "
                 "reached, stop_reason, first_ttl) FROM STDIN",
                 trace_rows);
            copy("COPY pathmap.hops (trace_id, probe_ttl, reply_src_addr, rtt_us, reply_icmp_type, "
                 "reply_icmp_code, "
                 "reply_ttl, quoted_ttl, reply_mpls_labels, rdns, asn, as_name, country) FROM STDIN",
                 hop_rows);
            tx.commit();
            begin = end;
        }
    }

    void add_mtr_hops(int64_t scan, std::span<const MtrHopRow> rows) override
    {
        std::string out;
        for (const MtrHopRow &r : rows) {
            copy_int(out, scan);
            out += '\t';
            copy_text(out, r.target);
            out += '\t';
            copy_int(out, r.hop);
            out += '\t';
            if (r.addr.empty())
                copy_null(out);
            else
                copy_text(out, r.addr);
            for (uint64_t v : {r.sent, r.received, r.lost, r.late}) {
                out += '\t';
                copy_int(out, v);
            }
            for (const auto &v : {r.last_us, r.best_us, r.avg_us, r.worst_us, r.stdev_us, r.jitter_us}) {
                out += '\t';
                if (v)
                    copy_int(out, *v);
                else
                    copy_null(out);
            }
            out += '\n';
        }
        pg::Transaction tx(conn_.get(), desc_);
        copy("COPY pathmap.mtr_hops (scan_id, target, hop, addr, sent, received, lost, late, last_us, "
             "best_us, "
             "avg_us, worst_us, stdev_us, jitter_us) FROM STDIN",
             out);
        tx.commit();
    }

    void end_scan(int64_t scan, bool complete, Clock::time_point ended) override
    {
        pg::Transaction tx(conn_.get(), desc_);
        query("UPDATE pathmap.scans SET ended = $1, complete = $2 WHERE id = $3",
              {detail::iso_utc(ended), complete ? "true" : "false", std::to_string(scan)},
              "cannot close the scan row");
        // unicornscan's front end draws what a sweep or mtr run found; an
        // import is not a scan this vantage point ran.
        if (unicornscan_ && (mode_ == "sweep" || mode_ == "mtr"))
            pg::write_unicornscan_rows(conn_.get(), desc_, scan, unix_user(), mode_ == "mtr");
        tx.commit();
    }

    RowCounts count_rows(int64_t scan) override
    {
        auto r = query("SELECT (SELECT count(*) FROM pathmap.traces WHERE scan_id = $1), "
                       "(SELECT count(*) FROM pathmap.hops h JOIN pathmap.traces t ON t.id = h.trace_id "
                       "WHERE t.scan_id = $1), (SELECT count(*) FROM pathmap.mtr_hops WHERE scan_id = $1)",
                       {std::to_string(scan)}, "cannot count rows");
        return {.traces = std::stoull(PQgetvalue(r.get(), 0, 0)),
                .hops = std::stoull(PQgetvalue(r.get(), 0, 1)),
                .mtr_hops = std::stoull(PQgetvalue(r.get(), 0, 2))};
    }

    std::vector<Trace> read_traces(int64_t scan) override
    {
        // One snapshot for both reads: a writer adding rows meanwhile is not seen half.
        pg::Transaction tx(conn_.get(), desc_);
        query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", {}, "cannot start a read");
        const std::string id = std::to_string(scan);
        auto t = query("SELECT id, host(probe_dst_addr), flow_id, reached, coalesce(stop_reason, ''), "
                       "coalesce(first_ttl, 0) FROM pathmap.traces WHERE scan_id = $1 ORDER BY id",
                       {id}, "cannot read traces");
        detail::TraceAssembler out;
        auto v = [](const pg::Result &r, int row, int col) { return PQgetvalue(r.get(), row, col); };
        for (int i = 0; i < PQntuples(t.get()); ++i)
            out.add_trace(std::stoll(v(t, i, 0)), {.dst = v(t, i, 1),
                                                   .flow_id = static_cast<uint16_t>(std::stoi(v(t, i, 2))),
                                                   .reached = *v(t, i, 3) == 't',
                                                   .stop_reason = v(t, i, 4),
                                                   .first_ttl = static_cast<uint8_t>(std::stoi(v(t, i, 5)))});
        auto h =
            query("SELECT h.trace_id, h.probe_ttl, host(h.reply_src_addr), h.rtt_us, h.reply_icmp_type, "
                  "h.reply_icmp_code, h.reply_ttl, h.quoted_ttl, array_to_string(h.reply_mpls_labels, ','), "
                  "h.rdns, h.asn, h.as_name, h.country FROM pathmap.hops h "
                  "JOIN pathmap.traces t ON t.id = h.trace_id WHERE t.scan_id = $1 "
                  "ORDER BY h.trace_id, h.probe_ttl",
                  {id}, "cannot read hops");
        for (int i = 0; i < PQntuples(h.get()); ++i) {
            auto null = [&](int col) { return PQgetisnull(h.get(), i, col) != 0; };
            auto num = [&](int col, long long dflt) { return null(col) ? dflt : std::stoll(v(h, i, col)); };
            Hop hop{.ttl = static_cast<uint8_t>(num(1, 0))};
            if (!null(2) || !null(9)) { // an address, or a name only
                hop.addr = null(2) ? "" : v(h, i, 2);
                hop.rtt_ms = static_cast<double>(num(3, 0)) / 1000.0;
                hop.rtt_known = !null(3);
                hop.icmp_type = static_cast<int>(num(4, -1));
                hop.icmp_code = static_cast<int>(num(5, -1));
                hop.reply_ttl = static_cast<int>(num(6, 0));
                hop.quoted_ttl = static_cast<int>(num(7, 0));
                if (!null(8))
                    for (std::string_view rest = v(h, i, 8); !rest.empty();) {
                        const auto comma = rest.find(',');
                        hop.mpls_labels.push_back(
                            static_cast<uint32_t>(std::stoul(std::string(rest.substr(0, comma)))));
                        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
                    }
                if (!null(9)) hop.rdns = v(h, i, 9);
                hop.asn = num(10, 0);
                if (!null(11)) hop.as_name = v(h, i, 11);
                if (!null(12)) hop.country = v(h, i, 12);
            }
            out.add_hop(std::stoll(v(h, i, 0)), std::move(hop), desc_);
        }
        tx.commit();
        return std::move(out).take();
    }

    std::vector<ScanSummary> list_scans() override
    {
        auto r =
            query("SELECT id, vantage, mode, coalesce(targets, ''), "
                  "to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                  "coalesce(to_char(ended AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ''), "
                  "complete, (SELECT count(*) FROM pathmap.traces WHERE scan_id = s.id) "
                  "FROM pathmap.scans s ORDER BY id",
                  {}, "cannot list scans");
        std::vector<ScanSummary> out;
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            auto v = [&](int col) { return std::string(PQgetvalue(r.get(), i, col)); };
            out.push_back({.id = std::stoll(v(0)),
                           .vantage = v(1),
                           .mode = v(2),
                           .targets = v(3),
                           .started = v(4),
                           .ended = v(5),
                           .complete = v(6) == "t",
                           .traces = std::stoull(v(7))});
        }
        return out;
    }

  private:
    static void add_rows(std::string &traces, std::string &hops, int64_t scan, const char *id, const Trace &t,
                         const ProbeInfo &probe)
    {
        traces += id;
        traces += '\t';
        copy_int(traces, scan);
        traces += '\t';
        if (t.dst.empty())
            copy_null(traces); // the file named no destination (pathmap/trace.h)
        else
            copy_text(traces, t.dst);
        traces += '\t';
        copy_int(traces, t.flow_id);
        traces += '\t';
        if (probe.protocol.empty())
            copy_null(traces);
        else
            copy_text(traces, probe.protocol);
        traces += '\t';
        if (probe.dst_port)
            copy_int(traces, probe.dst_port);
        else
            copy_null(traces);
        traces += t.reached ? "\tt\t" : "\tf\t";
        if (t.stop_reason.empty())
            copy_null(traces);
        else
            copy_text(traces, t.stop_reason);
        traces += '\t';
        if (t.first_ttl)
            copy_int(traces, t.first_ttl);
        else
            copy_null(traces);
        traces += '\n';
        for (const Hop &h : t.hops) {
            hops += id;
            hops += '\t';
            copy_int(hops, h.ttl);
            if (detail::silent(h)) { // probed, silent
                hops += "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n";
                continue;
            }
            hops += '\t';
            if (h.addr.empty()) // known by name only: the rest of the row is kept
                copy_null(hops);
            else
                copy_text(hops, h.addr);
            hops += '\t';
            if (h.rtt_known)
                copy_int(hops, detail::rtt_us(h.rtt_ms));
            else
                copy_null(hops); // answered, not timed (pathmap/trace.h)
            hops += '\t';
            if (h.icmp_type >= 0)
                copy_int(hops, h.icmp_type);
            else
                copy_null(hops);
            hops += '\t';
            if (h.icmp_code >= 0)
                copy_int(hops, h.icmp_code);
            else
                copy_null(hops);
            hops += '\t';
            copy_int(hops, h.reply_ttl);
            hops += '\t';
            copy_int(hops, h.quoted_ttl);
            hops += '\t';
            if (h.mpls_labels.empty())
                copy_null(hops);
            else {
                hops += '{';
                for (size_t i = 0; i < h.mpls_labels.size(); ++i) {
                    if (i) hops += ',';
                    copy_int(hops, h.mpls_labels[i]);
                }
                hops += '}';
            }
            hops += '\t';
            copy_optional(hops, h.rdns);
            hops += '\t';
            if (h.asn)
                copy_int(hops, h.asn);
            else
                copy_null(hops);
            hops += '\t';
            copy_optional(hops, h.as_name);
            hops += '\t';
            copy_optional(hops, h.country);
            hops += '\n';
        }
    }

    void copy(const char *sql, const std::string &rows)
    {
        pg::Result start(PQexec(conn_.get(), sql));
        if (PQresultStatus(start.get()) != PGRES_COPY_IN)
            pg::fail(conn_.get(), desc_, "cannot start COPY", start.get());
        constexpr size_t kChunk = 1 << 20;
        for (size_t off = 0; off < rows.size(); off += kChunk) {
            const size_t n = std::min(kChunk, rows.size() - off);
            if (PQputCopyData(conn_.get(), rows.data() + off, static_cast<int>(n)) != 1)
                pg::fail(conn_.get(), desc_, "COPY failed", nullptr);
        }
        if (PQputCopyEnd(conn_.get(), nullptr) != 1) pg::fail(conn_.get(), desc_, "COPY failed", nullptr);
        pg::Result done(PQgetResult(conn_.get()));
        const bool ok = PQresultStatus(done.get()) == PGRES_COMMAND_OK;
        // Drain: libpq wants every result read before the next command.
        while (pg::Result more{PQgetResult(conn_.get())}) {
        }
        if (!ok) pg::fail(conn_.get(), desc_, "COPY refused", done.get());
    }

    pg::Result query(const char *sql, const std::vector<pg::Param> &params, const char *what)
    {
        return pg::exec(conn_.get(), desc_, sql, params, what);
    }

    void migrate()
    {
        pg::Transaction tx(conn_.get(), desc_);
        query(kMigrateLock, {}, "cannot lock the schema");
        query("CREATE SCHEMA IF NOT EXISTS pathmap", {}, "cannot create schema pathmap");
        query("CREATE TABLE IF NOT EXISTS pathmap.schema_version (version integer NOT NULL)", {},
              "cannot create pathmap.schema_version");
        auto r = query("SELECT coalesce(max(version), 0) FROM pathmap.schema_version", {},
                       "cannot read the schema version");
        const int have = std::stoi(pg::value(r));
        if (have > kPgSchemaVersion)
            throw StoreUsageError(
                fmt::format("{}: schema version {} is newer than this pathmap's ({}): upgrade pathmap", desc_,
                            have, kPgSchemaVersion));
        if (have == 0) {
            query(kSchemaV1, {}, "cannot create the schema");
            query("INSERT INTO pathmap.schema_version (version) VALUES (1)", {},
                  "cannot record the schema version");
        }
        if (have < 2) {
            query(kSchemaV2, {}, "cannot migrate the schema to version 2");
            query("INSERT INTO pathmap.schema_version (version) VALUES (2)", {},
                  "cannot record the schema version");
        }
        if (have < 3) {
            query(kSchemaV3, {}, "cannot migrate the schema to version 3");
            query("INSERT INTO pathmap.schema_version (version) VALUES (3)", {},
                  "cannot record the schema version");
        }
        tx.commit();
    }

    StoreOptions opts_;
    pg::Conn conn_;
    std::string desc_;
    std::string mode_;
    bool unicornscan_ = false;
};

} // namespace

std::unique_ptr<HopStore> open_pg_store(const std::string &conninfo, const StoreOptions &opts)
{
    return std::make_unique<PgStore>(conninfo, opts);
}

} // namespace pathmap::store
