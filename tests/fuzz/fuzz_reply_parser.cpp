// libFuzzer target: one Ethernet frame through rx::ReplyParser, the
// userspace build of the XDP program's parser (bpf/reply_parse.h), under two
// run configs. ASan catches any read outside the frame (libFuzzer hands over
// a buffer of exactly `size` bytes); the checks below abort on a broken
// invariant: a frame counted in other than exactly one slot, or a record
// the rest of pathmap could not trust.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "userspace/engine/rx/reply_parser.h"

namespace {

using pathmap::rx::ReplyParser;
using pathmap::rx::RxConfig;

void check(bool ok, const char *what)
{
    if (ok) return;
    std::fprintf(stderr, "fuzz_reply_parser: %s\n", what);
    std::abort();
}

void run(const RxConfig &cfg, const uint8_t *frame, size_t len, uint64_t rx_ns)
{
    ReplyParser parser(cfg);
    pm_reply_record r;
    std::memset(&r, 0xa5, sizeof r); // parse() must reset what it does not fill
    const bool ours = parser.parse(frame, len, rx_ns, &r);
    const auto &c = parser.counters();
    check(std::accumulate(c.begin(), c.end(), uint64_t{0}) == 1, "a frame must be counted in exactly one slot");
    if (!ours) return;
    check(r.rx_ns == rx_ns, "record without its arrival time");
    check(r.mpls_count <= PM_MAX_MPLS_LABELS, "mpls_count past the label array");
    for (unsigned j = r.mpls_count; j < PM_MAX_MPLS_LABELS; j++) check(r.mpls[j] == 0, "label past mpls_count");
    check(r.flow_id < cfg.num_flows, "flow id out of range");
    check(r.kind >= PM_REPLY_TIME_EXCEEDED && r.kind <= PM_REPLY_TCP_RST, "unknown reply kind");
    check(r.proto == PM_PROTO_ICMP || r.proto == PM_PROTO_UDP || r.proto == PM_PROTO_TCP, "unknown probe protocol");
    check(r.probe_ts <= PM_TS_MASK, "send time wider than 24 bits");
    if (r.kind == PM_REPLY_TCP_SYNACK || r.kind == PM_REPLY_TCP_RST) {
        check(r.proto == PM_PROTO_TCP, "TCP reply to a non-TCP probe");
        if (cfg.max_ttl) check(r.probe_ttl >= 1 && r.probe_ttl <= cfg.max_ttl, "TCP reply past max_ttl");
    }
    check(parser.counters()[PM_RX_BAD_EXTENSION] == 0 || r.mpls_count == 0, "labels kept from a bad extension");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // Wide open: any local address, every flow tag but 0xffff is one of ours,
    // no TCP checks, so the fuzzer gets past the tag to quotes and extensions.
    run({.run_id = 0x7ea1da7a, .local_addr_be = 0, .num_flows = 0xffff}, data, size, 0);
    // As a sweep runs: one local address, a few flows, TTL and age checks on TCP.
    run({.run_id = 0x7ea1da7a,
         .local_addr_be = htonl(0xc0000201), // 192.0.2.1
         .num_flows = 8,
         .max_ttl = 32,
         .tcp_max_age_ms = 3000},
        data, size, 5'000'000'000ULL);
    return 0;
}
