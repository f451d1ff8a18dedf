// The real sender's frames (probe::encode_probe) against the real receiver:
// a router quoting them, or a target answering them, must come out of
// reply_rx with the target, TTL, flow id and send time the sender encoded.
// Catches drift between userspace/engine/probe and bpf/reply_rx.bpf.c.
#include <gtest/gtest.h>

#include "tests/bpf/xdp_harness.h"
#include "userspace/engine/probe/probe_encoder.h"

namespace pathmap::bpftest
{
namespace
{

constexpr uint32_t kRun = 0x600dcafe;
const uint32_t kLocal = addr("10.9.0.1");

class EncoderRoundTrip : public ::testing::TestWithParam<probe::Proto>
{
  protected:
    void SetUp() override { PM_REQUIRE_BPF(); }

    probe::FrameTemplate tmpl() const
    {
        return {.src_ip = ntohl(kLocal), .proto = GetParam(), .run_id = kRun};
    }
    // The IP datagram of one encoded probe (Ethernet header stripped).
    Bytes datagram(const probe::ProbeSpec &spec, uint32_t ts24) const
    {
        Bytes frame(probe::kMaxFrameLen);
        size_t n = probe::encode_probe(tmpl(), spec, ts24, frame);
        EXPECT_GT(n, probe::kEthHeaderLen);
        return Bytes(frame.begin() + probe::kEthHeaderLen, frame.begin() + n);
    }
};

TEST_P(EncoderRoundTrip, QuotedByARouterAtEveryTtlAndFlow)
{
    XdpHarness h({.run_id = kRun, .local_addr_be = kLocal, .num_flows = 16});
    for (uint8_t ttl : {1, 2, 17, 32, 64, 255}) {
        for (uint16_t flow : {0, 5, 15}) {
            for (uint32_t ts : {0x000001u, 0x00ffffu, 0x7a0000u, 0xfffffeu, 0x123457u}) {
                probe::ProbeSpec spec{.dst = 0x0a630000u + ttl * 256u + flow, .ttl = ttl, .flow_id = flow};
                Bytes quote = datagram(spec, ts);
                quote[8] = 1; // TTL as the last router saw it
                auto r =
                    h.run(icmp_error({.router_be = addr("10.9.255.1"), .local_be = kLocal, .quote = quote}));
                SCOPED_TRACE(::testing::Message() << "ttl " << int(ttl) << " flow " << flow << " ts " << ts);
                ASSERT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
                ASSERT_EQ(r.records.size(), 1u);
                const auto &rec = r.records[0];
                EXPECT_EQ(ntohl(rec.probe_dst), spec.dst);
                EXPECT_EQ(rec.probe_ttl, ttl);
                EXPECT_EQ(rec.flow_id, flow);
                EXPECT_EQ(rec.proto, static_cast<uint8_t>(GetParam()));
                // UDP cannot carry a checksum of 0: wire.h sends such times as ts + 1.
                uint32_t want = (GetParam() == probe::Proto::udp && (ts & 0xffff) == 0) ? ts + 1 : ts;
                EXPECT_EQ(rec.probe_ts, want);
            }
        }
    }
}

TEST_P(EncoderRoundTrip, AnsweredByTheTarget)
{
    XdpHarness h({.run_id = kRun, .local_addr_be = kLocal, .num_flows = 4});
    probe::ProbeSpec spec{.dst = 0x0a630102u, .ttl = 30, .flow_id = 3};
    const uint32_t ts = 0x3c4d5e;
    Bytes probe_ip = datagram(spec, ts);
    size_t ihl = (probe_ip[0] & 0xf) * 4u;
    Bytes l4(probe_ip.begin() + ihl, probe_ip.end());
    Bytes reply;
    if (GetParam() == probe::Proto::icmp) {
        l4[0] = 0; // echo reply: the target echoes id, seq and payload
        reply =
            ethernet(0x0800, ipv4({.src_be = htonl(spec.dst), .dst_be = kLocal, .proto = 1, .ttl = 60}, l4));
    } else if (GetParam() == probe::Proto::tcp) {
        Bytes t;
        put16(t, uint32_t(l4[2]) << 8 | l4[3]);
        put16(t, uint32_t(l4[0]) << 8 | l4[1]);
        put32(t, 1);
        uint32_t seq = uint32_t(l4[4]) << 24 | uint32_t(l4[5]) << 16 | uint32_t(l4[6]) << 8 | l4[7];
        put32(t, seq + 1);
        append(t, {0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0});
        reply =
            ethernet(0x0800, ipv4({.src_be = htonl(spec.dst), .dst_be = kLocal, .proto = 6, .ttl = 60}, t));
    } else {
        probe_ip[8] = 3;
        reply = icmp_error(
            {.type = 3, .code = 3, .router_be = htonl(spec.dst), .local_be = kLocal, .quote = probe_ip});
    }
    auto r = h.run(reply);
    ASSERT_EQ(r.records.size(), 1u) << "counter " << r.only_counter();
    EXPECT_EQ(ntohl(r.records[0].probe_dst), spec.dst);
    EXPECT_EQ(r.records[0].probe_ttl, 30);
    EXPECT_EQ(r.records[0].flow_id, 3);
    EXPECT_EQ(r.records[0].probe_ts, ts);
}

INSTANTIATE_TEST_SUITE_P(Protocols, EncoderRoundTrip,
                         ::testing::Values(probe::Proto::icmp, probe::Proto::udp, probe::Proto::tcp),
                         [](const auto &info) {
                             return info.param == probe::Proto::icmp  ? "icmp"
                                    : info.param == probe::Proto::udp ? "udp"
                                                                      : "tcp";
                         });

} // namespace
} // namespace pathmap::bpftest
