// unicornscan compatibility: when the database holds unicornscan's schema
// (public.uni_schema_version, uni_scan, uni_hops), a stored sweep or mtr scan
// also becomes one uni_scan row and uni_hops rows the way unicornscan's own
// traceroute mode writes them (pgsql_dealwith_tracepath: ipreport_id NULL,
// ttl_observed = hop_number), so its front end draws the paths. Its tables
// are never created here: unicornscan treats a partial schema as its own.
#include <fmt/core.h>

#include "userspace/store/pg_detail.h"

namespace pathmap::store::pg
{
namespace
{

// Every NOT NULL column of uni_scan (schema v12) filled; times in Unix
// seconds as unicornscan stores them.
constexpr const char *kUniScan = R"sql(
INSERT INTO public.uni_scan (s_time, e_time, est_e_time, senders, listeners, scan_iter, profile, options,
  payload_group, dronestr, covertness, modules, "user", tickrate, num_hosts, num_packets, mode_str, pps,
  target_str, src_addr, scan_metadata)
SELECT extract(epoch FROM s.started)::int8, extract(epoch FROM coalesce(s.ended, now()))::int8,
  extract(epoch FROM coalesce(s.ended, now()))::int8, 1, 1, 1, 'pathmap', 0, 0, '', 0, 'pathmap', $2, 0,
  (SELECT count(DISTINCT probe_dst_addr) FROM pathmap.traces WHERE scan_id = s.id), coalesce(s.probes_sent, 0),
  s.mode, least(coalesce(s.pps, 0), 2147483647)::int4, coalesce(s.targets, ''), s.source_addr,
  jsonb_build_object('tool', 'pathmap', 'pathmap_scan_id', s.id, 'vantage', s.vantage,
                     'pathmap_version', s.pathmap_version, 'complete', s.complete)
FROM pathmap.scans s WHERE s.id = $1
RETURNING scan_id
)sql";

// One row per (target, hop number), from the address that answered most at
// that TTL over the target's flows (ties: the lowest address), so the chain
// ordered by hop_number is the path. Silent TTLs have no hop_addr and no row.
// rtt_us is that address's mean; extra_data keeps the rest.
constexpr const char *kUniHops = R"sql(
WITH h AS (
  SELECT t.probe_dst_addr AS target, hp.probe_ttl AS ttl, hp.reply_src_addr AS addr, hp.rtt_us, t.flow_id
  FROM pathmap.hops hp JOIN pathmap.traces t ON t.id = hp.trace_id
  WHERE t.scan_id = $1),
per_ttl AS (
  SELECT target, ttl, count(*) AS sent, count(addr) AS received FROM h GROUP BY target, ttl),
best AS (
  SELECT DISTINCT ON (target, ttl) target, ttl, addr
  FROM (SELECT target, ttl, addr, count(*) AS n FROM h WHERE addr IS NOT NULL GROUP BY target, ttl, addr) c
  ORDER BY target, ttl, n DESC, addr)
INSERT INTO public.uni_hops (ipreport_id, scan_id, target_addr, hop_addr, hop_number, ttl_observed, rtt_us, extra_data)
SELECT NULL, $2, b.target, b.addr, b.ttl::int2, b.ttl::int2, s.avg_us::int4,
  jsonb_build_object('tool', 'pathmap', 'sent', p.sent, 'received', p.received,
                     'loss', round(1 - p.received::numeric / p.sent, 4),
                     'best_us', s.best_us, 'avg_us', s.avg_us, 'worst_us', s.worst_us, 'stdev_us', s.stdev_us,
                     'others', o.others, 'flows', s.flows)
FROM best b
JOIN per_ttl p ON p.target = b.target AND p.ttl = b.ttl
CROSS JOIN LATERAL (
  SELECT min(rtt_us) AS best_us, round(avg(rtt_us)) AS avg_us, max(rtt_us) AS worst_us,
         round(stddev_pop(rtt_us)) AS stdev_us, jsonb_agg(DISTINCT flow_id) AS flows
  FROM h WHERE h.target = b.target AND h.ttl = b.ttl AND h.addr = b.addr) s
CROSS JOIN LATERAL (
  SELECT coalesce(jsonb_agg(DISTINCT host(h.addr)), '[]'::jsonb) AS others
  FROM h WHERE h.target = b.target AND h.ttl = b.ttl AND h.addr <> b.addr) o
ORDER BY b.target, b.ttl
)sql";

// An mtr run: the same chain from its report rows, where the replies of
// each address are counted whole (a sweep's hops hold one probe per flow).
// The address with the most timely replies at a hop wins (then the most late
// ones, then the lowest address), the first line mtr's report shows for it.
// flows: the Paris flows whose path (the traces an mtr scan stores) crosses
// it there.
constexpr const char *kUniHopsFromMtr = R"sql(
WITH m AS (SELECT * FROM pathmap.mtr_hops WHERE scan_id = $1),
best AS (
  SELECT DISTINCT ON (target, hop) * FROM m WHERE addr IS NOT NULL
  ORDER BY target, hop, received DESC, late DESC, addr)
INSERT INTO public.uni_hops (ipreport_id, scan_id, target_addr, hop_addr, hop_number, ttl_observed, rtt_us, extra_data)
SELECT NULL, $2, b.target, b.addr, b.hop, b.hop, b.avg_us,
  jsonb_build_object('tool', 'pathmap', 'sent', b.sent, 'received', b.received, 'lost', b.lost, 'late', b.late,
                     'loss', CASE WHEN b.sent > 0 THEN round(1 - b.received::numeric / b.sent, 4) END,
                     'last_us', b.last_us, 'best_us', b.best_us, 'avg_us', b.avg_us, 'worst_us', b.worst_us,
                     'stdev_us', b.stdev_us, 'jitter_us', b.jitter_us, 'others', o.others, 'flows', f.flows)
FROM best b
CROSS JOIN LATERAL (
  SELECT coalesce(jsonb_agg(DISTINCT host(m.addr)), '[]'::jsonb) AS others
  FROM m WHERE m.target = b.target AND m.hop = b.hop AND m.addr <> b.addr) o
CROSS JOIN LATERAL (
  SELECT coalesce(jsonb_agg(DISTINCT t.flow_id), '[]'::jsonb) AS flows
  FROM pathmap.traces t JOIN pathmap.hops hp ON hp.trace_id = t.id
  WHERE t.scan_id = $1 AND t.probe_dst_addr = b.target AND hp.probe_ttl = b.hop AND hp.reply_src_addr = b.addr) f
ORDER BY b.target, b.hop
)sql";

} // namespace

void write_unicornscan_rows(PGconn *c, const std::string &desc, int64_t scan, const std::string &user,
                            bool from_mtr_hops)
{
    const std::string id = std::to_string(scan);
    const std::string uni =
        value(exec(c, desc, kUniScan, {id, user}, "cannot add unicornscan's uni_scan row"));
    exec(c, desc, from_mtr_hops ? kUniHopsFromMtr : kUniHops, {id, uni},
         "cannot add unicornscan's uni_hops rows");
    exec(c, desc, "UPDATE pathmap.scans SET uni_scan_id = $1 WHERE id = $2", {uni, id},
         "cannot link the uni_scan row");
}

} // namespace pathmap::store::pg
