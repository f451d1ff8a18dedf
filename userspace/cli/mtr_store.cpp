// An mtr run's tables as hop-store rows (mtr_store.h).
#include "userspace/cli/mtr_store.h"

#include <cmath>

#include "pathmap/ipv4.h"

namespace pathmap::cli
{
namespace
{

std::optional<int64_t> us(const mtr::RttStats *s, double (mtr::RttStats::*what)() const noexcept)
{
    if (!s || s->count() == 0) return std::nullopt;
    return std::llround((s->*what)());
}

} // namespace

MtrStoreRows mtr_store_rows(const mtr::MtrRun &run,
                            const std::function<std::optional<std::string>(uint32_t)> &name_of)
{
    MtrStoreRows out;
    for (size_t t = 0; t < run.num_targets(); ++t) {
        const mtr::HopTable &table = run.table(t);
        const uint32_t target = run.config().targets[t];
        const std::string dst = format_ipv4(target);
        for (const mtr::HopRow &r : table.rows()) {
            // A row's Snt counts its timely, late and lost probes alike.
            const uint64_t answered = r.recv + r.late;
            out.mtr_hops.push_back({.target = dst,
                                    .hop = r.ttl,
                                    .addr = r.addr ? format_ipv4(*r.addr) : std::string(),
                                    .sent = r.sent,
                                    .received = r.recv,
                                    .lost = r.sent > answered ? r.sent - answered : 0,
                                    .late = r.late,
                                    .last_us = us(r.rtt, &mtr::RttStats::last_us),
                                    .best_us = us(r.rtt, &mtr::RttStats::best_us),
                                    .avg_us = us(r.rtt, &mtr::RttStats::mean_us),
                                    .worst_us = us(r.rtt, &mtr::RttStats::worst_us),
                                    .stdev_us = us(r.rtt, &mtr::RttStats::stdev_us),
                                    .jitter_us = us(r.rtt, &mtr::RttStats::jitter_us)});
        }
        for (uint16_t f = 0; f < table.flows(); ++f) {
            Trace tr{.dst = dst, .flow_id = f, .first_ttl = table.min_ttl()};
            for (const mtr::FlowPathHop &h : table.flow_path(f)) {
                if (h.sent == 0 && !h.addr) continue; // never resolved: not probed as far as the table knows
                Hop hop{.ttl = h.ttl};
                if (h.addr) {
                    hop.addr = format_ipv4(*h.addr);
                    // The flow's mean: a stored mtr hop summarises its rounds.
                    if (h.rtt && h.rtt->count()) hop.rtt_ms = h.rtt->mean_us() / 1000.0;
                    if (name_of)
                        if (auto name = name_of(*h.addr); name && !name->empty()) hop.rdns = *name;
                    if (*h.addr == target) tr.reached = true;
                }
                tr.hops.push_back(std::move(hop));
            }
            tr.stop_reason = tr.reached ? "reached" : "max_ttl";
            out.traces.push_back(std::move(tr));
        }
    }
    return out;
}

std::optional<StoreFailure> store_mtr(const store::DbUrl &url, const StoreCliOptions &o,
                                      const MtrStoreInput &in)
{
    const MtrStoreRows rows = mtr_store_rows(in.run, in.name_of);
    store::ScanInfo info{.mode = "mtr",
                         .vantage = vantage_name(o),
                         .targets = in.targets,
                         .parameters = in.parameters,
                         .pps = in.pps,
                         .probes_sent = in.run.counters().sent,
                         .started = in.started};
    return store_scan(url, info,
                      {.traces = rows.traces,
                       .probe = {.protocol = in.proto, .dst_port = in.dst_port},
                       .mtr_hops = rows.mtr_hops},
                      in.complete, "the report is");
}

} // namespace pathmap::cli
