// reply_rx through bpf_prog_test_run_opts: every reply type, IP options,
// MPLS extensions, pass_replies, and the exact record written.
#include <gtest/gtest.h>

#include "tests/bpf/xdp_harness.h"
#include "userspace/engine/probe/probe_encoder.h"

namespace pathmap::bpftest
{
namespace
{

constexpr uint32_t kRun = 0xC0FFEE42;
const uint32_t kLocal = addr("198.18.0.1");
const uint32_t kTarget = addr("198.19.7.9");
const uint32_t kRouter = addr("198.18.3.254");

rx::RxConfig config(uint16_t flows = 4)
{
    return {.run_id = kRun, .local_addr_be = kLocal, .num_flows = flows};
}

Probe probe(uint8_t proto)
{
    return {.proto = proto,
            .src_be = kLocal,
            .dst_be = kTarget,
            .ttl = 7,
            .ts24 = 0xabcdef,
            .flow_id = 3,
            .run_id = kRun,
            .ttl_at_router = 1};
}

IcmpError time_exceeded(const Probe &p)
{
    return {.type = 11,
            .code = 0,
            .router_be = kRouter,
            .local_be = kLocal,
            .reply_ttl = 249,
            .reply_id = 0x4321,
            .quote = probe_datagram(p)};
}

void expect_record(const pm_reply_record &r, uint8_t kind, const Probe &p, uint32_t reply_src,
                   uint8_t reply_ttl, uint16_t reply_id, uint8_t quoted_ttl, uint8_t type, uint8_t code)
{
    EXPECT_NE(r.rx_ns, 0u);
    EXPECT_EQ(r.reply_src, reply_src);
    EXPECT_EQ(r.probe_dst, p.dst_be);
    EXPECT_EQ(r.probe_ts, p.ts24);
    EXPECT_EQ(r.flow_id, p.flow_id);
    EXPECT_EQ(r.reply_ip_id, reply_id);
    EXPECT_EQ(r.kind, kind);
    EXPECT_EQ(r.proto, p.proto);
    EXPECT_EQ(r.probe_ttl, p.ttl);
    EXPECT_EQ(r.reply_ttl, reply_ttl);
    EXPECT_EQ(r.quoted_ttl, quoted_ttl);
    EXPECT_EQ(r.icmp_type, type);
    EXPECT_EQ(r.icmp_code, code);
}

class ReplyRx : public ::testing::TestWithParam<uint8_t>
{
  protected:
    void SetUp() override { PM_REQUIRE_BPF(); }
};

TEST_P(ReplyRx, TimeExceededQuotingProbeIsRecordedAndDropped)
{
    XdpHarness h(config());
    Probe p = probe(GetParam());
    auto r = h.run(icmp_error(time_exceeded(p)));
    ASSERT_EQ(r.err, 0);
    EXPECT_EQ(r.verdict, XDP_DROP);
    EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
    ASSERT_EQ(r.records.size(), 1u);
    expect_record(r.records[0], PM_REPLY_TIME_EXCEEDED, p, kRouter, 249, 0x4321, 1, 11, 0);
    EXPECT_EQ(r.records[0].mpls_count, 0);
}

TEST_P(ReplyRx, DestinationUnreachableFromTarget)
{
    XdpHarness h(config());
    Probe p = probe(GetParam());
    p.ttl_at_router = 5;
    IcmpError e = time_exceeded(p);
    e.type = 3;
    e.code = 3;
    e.router_be = kTarget;
    auto r = h.run(icmp_error(e));
    EXPECT_EQ(r.verdict, XDP_DROP);
    EXPECT_EQ(r.only_counter(), PM_RX_DEST_UNREACH);
    ASSERT_EQ(r.records.size(), 1u);
    expect_record(r.records[0], PM_REPLY_DEST_UNREACH, p, kTarget, 249, 0x4321, 5, 3, 3);
}

TEST_P(ReplyRx, IpOptionsInOuterAndQuotedHeadersAreSkipped)
{
    XdpHarness h(config());
    for (size_t outer : {0u, 1u, 10u}) {
        for (size_t quoted : {0u, 3u, 10u}) {
            Probe p = probe(GetParam());
            p.ip_options = ip_option_nops(quoted);
            IcmpError e = time_exceeded(p);
            e.outer_options = ip_option_nops(outer);
            e.quote_bytes = 20 + 4 * quoted + 8;
            auto r = h.run(icmp_error(e));
            SCOPED_TRACE(testing::Message() << "outer words " << outer << " quoted words " << quoted);
            EXPECT_EQ(r.verdict, XDP_DROP);
            EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
            ASSERT_EQ(r.records.size(), 1u);
            expect_record(r.records[0], PM_REPLY_TIME_EXCEEDED, p, kRouter, 249, 0x4321, 1, 11, 0);
        }
    }
}

TEST_P(ReplyRx, Rfc4884MplsStackOfOneToFourLabels)
{
    XdpHarness h(config());
    for (size_t n = 1; n <= 6; ++n) {
        std::vector<uint32_t> lses;
        for (size_t i = 0; i < n; ++i)
            lses.push_back(mpls_lse(16000 + i, i & 7, i + 1 == n, 1));
        Probe p = probe(GetParam());
        IcmpError e = time_exceeded(p);
        e.quote_bytes = e.quote.size(); // whole probe quoted, then padded to 128
        e.extension = mpls_extension(lses);
        auto r = h.run(icmp_error(e));
        SCOPED_TRACE(testing::Message() << n << " labels");
        EXPECT_EQ(r.verdict, XDP_DROP);
        EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
        ASSERT_EQ(r.records.size(), 1u);
        expect_record(r.records[0], PM_REPLY_TIME_EXCEEDED, p, kRouter, 249, 0x4321, 1, 11, 0);
        size_t kept = std::min<size_t>(n, PM_MAX_MPLS_LABELS);
        ASSERT_EQ(r.records[0].mpls_count, kept);
        for (size_t i = 0; i < kept; ++i)
            EXPECT_EQ(r.records[0].mpls[i], lses[i]) << "label " << i;
        for (size_t i = kept; i < PM_MAX_MPLS_LABELS; ++i)
            EXPECT_EQ(r.records[0].mpls[i], 0u);
    }
}

INSTANTIATE_TEST_SUITE_P(Protocols, ReplyRx, ::testing::Values(PM_PROTO_ICMP, PM_PROTO_UDP, PM_PROTO_TCP),
                         [](const auto &info) {
                             return info.param == PM_PROTO_ICMP  ? "icmp"
                                    : info.param == PM_PROTO_UDP ? "udp"
                                                                 : "tcp";
                         });

class ReplyRxTarget : public ::testing::Test
{
  protected:
    void SetUp() override { PM_REQUIRE_BPF(); }
};

TEST_F(ReplyRxTarget, EchoReplyRecoversTtlAndTimeFromPayload)
{
    XdpHarness h(config());
    Probe p = probe(PM_PROTO_ICMP);
    auto r = h.run(echo_reply(p, 60, 0x0707, ip_option_nops(2)));
    EXPECT_EQ(r.verdict, XDP_DROP);
    EXPECT_EQ(r.only_counter(), PM_RX_ECHO_REPLY);
    ASSERT_EQ(r.records.size(), 1u);
    expect_record(r.records[0], PM_REPLY_ECHO_REPLY, p, kTarget, 60, 0x0707, 0, 0, 0);
}

TEST_F(ReplyRxTarget, TcpSynAckAndRstAckFromTarget)
{
    XdpHarness h(config());
    Probe p = probe(PM_PROTO_TCP);
    auto syn_ack = h.run(tcp_reply(p, false, 61, 0x1111));
    // Recorded and still passed: the kernel's RST ends the target's half-open connection.
    EXPECT_EQ(syn_ack.verdict, XDP_PASS);
    EXPECT_EQ(syn_ack.only_counter(), PM_RX_TCP_SYNACK);
    ASSERT_EQ(syn_ack.records.size(), 1u);
    expect_record(syn_ack.records[0], PM_REPLY_TCP_SYNACK, p, kTarget, 61, 0x1111, 0, 0, 0);

    auto rst = h.run(tcp_reply(p, true, 62, 0x2222));
    EXPECT_EQ(rst.verdict, XDP_DROP);
    EXPECT_EQ(rst.only_counter(), PM_RX_TCP_RST);
    ASSERT_EQ(rst.records.size(), 1u);
    expect_record(rst.records[0], PM_REPLY_TCP_RST, p, kTarget, 62, 0x2222, 0, 0, 0);
}

// A host connection on the probe port whose source port happens to match the
// flow tag decodes to a random TTL and send time: passed to the kernel (the
// connection keeps its SYN-ACK), not taken.
TEST_F(ReplyRxTarget, TcpReplyIsOursOnlyWithAPlausibleTtlAndSendTime)
{
    rx::RxConfig cfg = config();
    cfg.max_ttl = 32;
    cfg.tcp_max_age_ms = 3000;
    XdpHarness h(cfg);
    Probe p = probe(PM_PROTO_TCP);
    p.ts24 = pathmap::probe::now_ts24(); // sent just now
    p.ttl = 9;
    auto ours = h.run(tcp_reply(p, false, 61, 0x1111));
    EXPECT_EQ(ours.verdict, XDP_PASS); // recorded, and passed as every SYN-ACK
    EXPECT_EQ(ours.only_counter(), PM_RX_TCP_SYNACK);
    ASSERT_EQ(ours.records.size(), 1u);

    Probe high = p;
    high.ttl = 200; // above max_ttl
    auto r1 = h.run(tcp_reply(high, false, 61, 0x1111));
    EXPECT_EQ(r1.verdict, XDP_PASS);
    EXPECT_EQ(r1.only_counter(), PM_RX_PASS_NOT_OURS);
    EXPECT_TRUE(r1.records.empty());

    Probe old = p;
    old.ts24 = (pathmap::probe::now_ts24() - 1'000'000u) & PM_TS_MASK; // 10 s before now
    auto r2 = h.run(tcp_reply(old, true, 61, 0x1111));
    EXPECT_EQ(r2.verdict, XDP_PASS);
    EXPECT_EQ(r2.only_counter(), PM_RX_PASS_NOT_OURS);
    EXPECT_TRUE(r2.records.empty());
}

TEST_F(ReplyRxTarget, PassRepliesRecordsButLetsTheKernelSeeThem)
{
    rx::RxConfig cfg = config();
    cfg.pass_replies = true;
    XdpHarness h(cfg);
    Probe p = probe(PM_PROTO_UDP);
    auto r = h.run(icmp_error(time_exceeded(p)));
    EXPECT_EQ(r.verdict, XDP_PASS);
    EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
    EXPECT_EQ(r.records.size(), 1u);
}

TEST_F(ReplyRxTarget, AnyLocalAddressWhenUnset)
{
    rx::RxConfig cfg = config();
    cfg.local_addr_be = 0;
    XdpHarness h(cfg);
    Probe p = probe(PM_PROTO_ICMP);
    p.src_be = addr("10.1.2.3");
    IcmpError e = time_exceeded(p);
    e.local_be = p.src_be;
    auto r = h.run(icmp_error(e));
    EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
    EXPECT_EQ(r.records.size(), 1u);
}

TEST_F(ReplyRxTarget, VlanTaggedReplyIsParsed)
{
    XdpHarness h(config());
    Probe p = probe(PM_PROTO_UDP);
    Bytes plain = icmp_error(time_exceeded(p));
    Bytes tagged(plain.begin(), plain.begin() + 12);
    append(tagged, {0x81, 0x00, 0x00, 0x07});
    tagged.insert(tagged.end(), plain.begin() + 12, plain.end());
    auto r = h.run(tagged);
    EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].probe_ts, p.ts24);
}

TEST_F(ReplyRxTarget, RxTimestampIsMonotonicNow)
{
    XdpHarness h(config());
    timespec before{}, after{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    auto r = h.run(icmp_error(time_exceeded(probe(PM_PROTO_ICMP))));
    clock_gettime(CLOCK_MONOTONIC, &after);
    ASSERT_EQ(r.records.size(), 1u);
    auto ns = [](const timespec &t) { return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec); };
    EXPECT_GE(r.records[0].rx_ns, ns(before));
    EXPECT_LE(r.records[0].rx_ns, ns(after));
}

} // namespace
} // namespace pathmap::bpftest
