// Reply validation and hop recording.
#include "userspace/engine/match/reply_matcher.h"

#include <arpa/inet.h>

#include <algorithm>

namespace pathmap::match {

std::string_view reject_name(Reject r) noexcept
{
    switch (r) {
    case Reject::unknown_target: return "unknown_target";
    case Reject::ttl_out_of_range: return "ttl_out_of_range";
    case Reject::flow_out_of_range: return "flow_out_of_range";
    case Reject::wrong_proto: return "wrong_proto";
    case Reject::wrong_kind: return "wrong_kind";
    case Reject::not_sent: return "not_sent";
    case Reject::duplicate: return "duplicate";
    case Reject::late: return "late";
    case Reject::count_: break;
    }
    return "unknown";
}

uint64_t MatchStats::rejected_total() const noexcept
{
    uint64_t t = 0;
    for (uint64_t r : rejected) t += r;
    return t;
}

uint64_t rtt_ns_from(uint32_t probe_ts24, uint64_t rx_ns) noexcept
{
    const uint64_t send_ns = probe::send_ns_from_ts24(probe_ts24, rx_ns);
    if (send_ns == 0) return UINT64_MAX; // no send time of this boot: rejected as late, never an RTT of 0
    return rx_ns > send_ns ? rx_ns - send_ns : 0;
}

bool is_destination_reply(const pm_reply_record &rec) noexcept
{
    switch (rec.kind) {
    case PM_REPLY_ECHO_REPLY:
    case PM_REPLY_TCP_SYNACK:
    case PM_REPLY_TCP_RST: return true;
    case PM_REPLY_DEST_UNREACH: return rec.reply_src == rec.probe_dst;
    default: return false;
    }
}

namespace {

bool kind_fits(uint8_t kind, probe::Proto proto) noexcept
{
    switch (kind) {
    case PM_REPLY_TIME_EXCEEDED:
    case PM_REPLY_DEST_UNREACH: return true;
    case PM_REPLY_ECHO_REPLY: return proto == probe::Proto::icmp;
    case PM_REPLY_TCP_SYNACK:
    case PM_REPLY_TCP_RST: return proto == probe::Proto::tcp;
    default: return false;
    }
}

} // namespace

MatchOutcome ReplyMatcher::reject(Reject r) noexcept
{
    ++stats_.rejected[static_cast<size_t>(r)];
    return MatchOutcome{.matched = false, .reason = r};
}

MatchOutcome ReplyMatcher::on_reply(const pm_reply_record &rec) noexcept
{
    if (rec.proto != static_cast<uint8_t>(cfg_.proto)) return reject(Reject::wrong_proto);
    if (!kind_fits(rec.kind, cfg_.proto)) return reject(Reject::wrong_kind);
    const auto target = table_.find_target(ntohl(rec.probe_dst));
    if (!target) return reject(Reject::unknown_target);
    if (rec.probe_ttl == 0 || rec.probe_ttl > table_.max_ttl()) return reject(Reject::ttl_out_of_range);
    if (rec.flow_id >= table_.num_flows()) return reject(Reject::flow_out_of_range);
    const size_t trace = table_.trace_index(*target, rec.flow_id);
    if (!table_.was_sent(trace, rec.probe_ttl)) return reject(Reject::not_sent);
    if (table_.answered(trace, rec.probe_ttl)) return reject(Reject::duplicate);
    const uint64_t rtt = rtt_ns_from(rec.probe_ts & PM_TS_MASK, rec.rx_ns);
    if (rtt > cfg_.wait_ns) return reject(Reject::late);

    const bool terminal = rec.kind == PM_REPLY_DEST_UNREACH || is_destination_reply(rec);
    const HopSlot slot{
        .addr = ntohl(rec.reply_src),
        .rtt_us = static_cast<uint32_t>(std::min<uint64_t>(rtt / 1000, UINT32_MAX)),
        .kind = rec.kind,
        .icmp_type = rec.icmp_type,
        .icmp_code = rec.icmp_code,
        .reply_ttl = rec.reply_ttl,
        .quoted_ttl = rec.quoted_ttl,
        .mpls_count = static_cast<uint8_t>(std::min<unsigned>(rec.mpls_count, PM_MAX_MPLS_LABELS)),
    };
    table_.record(trace, rec.probe_ttl, slot, terminal, rec.mpls);
    ++stats_.matched;
    stats_.max_rtt_us = std::max(stats_.max_rtt_us, slot.rtt_us);
    return MatchOutcome{.matched = true, .trace = trace, .ttl = rec.probe_ttl};
}

void ReplyMatcher::sink(void *ctx, const pm_reply_record &rec) noexcept
{
    static_cast<ReplyMatcher *>(ctx)->on_reply(rec);
}

} // namespace pathmap::match
