// ReplyParser: bpf/reply_parse.h compiled as C++.
#include "userspace/engine/rx/reply_parser.h"

#include <algorithm>

namespace {
// The parser reads "now" only for a TCP reply's age: the frame's arrival.
thread_local uint64_t t_frame_ns = 0;
} // namespace
#define PM_PARSE_NOW_NS() (t_frame_ns)
#include "bpf/reply_parse.h"

namespace pathmap::rx {

// Here, not in reply_rx_program.cpp, so builds without the BPF skeleton
// (the fuzzers) share it.
pm_rx_config wire_config(const RxConfig &cfg) noexcept
{
    pm_rx_config rc{};
    rc.run_id = cfg.run_id;
    rc.local_addr = cfg.local_addr_be;
    rc.num_flows = cfg.num_flows;
    rc.udp_dport = cfg.udp_dport;
    rc.tcp_dport = cfg.tcp_dport;
    rc.pass_replies = cfg.pass_replies ? 1 : 0;
    rc.max_ttl = cfg.max_ttl;
    rc.tcp_max_age = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{cfg.tcp_max_age_ms} * 1'000'000 / PM_TS_UNIT_NS,
                                                              PM_TS_MASK / 2));
    return rc;
}


bool ReplyParser::parse(const uint8_t *frame, size_t len, uint64_t rx_ns, pm_reply_record *out) noexcept
{
    t_frame_ns = rx_ns;
    parse_state s{};
    s.pkt = pm_pkt{.data = frame, .end = frame + len};
    s.cfg = &cfg_;
    *out = pm_reply_record{};
    const uint32_t slot = ::parse(&s, out);
    if (slot < PM_RX_TIME_EXCEEDED || slot > PM_RX_TCP_RST) {
        ++counters_[slot];
        return false;
    }
    out->rx_ns = rx_ns;
    ++counters_[s.bad_ext ? uint32_t{PM_RX_BAD_EXTENSION} : slot];
    return true;
}

} // namespace pathmap::rx
