// reply_rx against malformed, truncated and foreign traffic: every packet
// bumps exactly one counter, is passed to the kernel, and never yields a
// record with wrong fields.
#include <gtest/gtest.h>

#include "tests/bpf/xdp_harness.h"

namespace pathmap::bpftest
{
namespace
{

constexpr uint32_t kRun = 0x5eed1234;
const uint32_t kLocal = addr("100.64.0.2");
const uint32_t kTarget = addr("10.20.30.40");
const uint32_t kRouter = addr("100.64.9.1");

rx::RxConfig config() { return {.run_id = kRun, .local_addr_be = kLocal, .num_flows = 2}; }

Probe probe(uint8_t proto)
{
    return {.proto = proto,
            .src_be = kLocal,
            .dst_be = kTarget,
            .ttl = 12,
            .ts24 = 0x123456,
            .flow_id = 1,
            .run_id = kRun};
}

IcmpError time_exceeded(const Probe &p)
{
    return {.router_be = kRouter,
            .local_be = kLocal,
            .reply_ttl = 200,
            .reply_id = 9,
            .quote = probe_datagram(p)};
}

class ReplyRxMalformed : public ::testing::Test
{
  protected:
    void SetUp() override { PM_REQUIRE_BPF(); }

    // Runs a frame expected to be rejected: XDP_PASS, one counter, no record.
    void expect_rejected(XdpHarness &h, const Bytes &frame, int slot)
    {
        auto r = h.run(frame);
        ASSERT_EQ(r.err, 0);
        EXPECT_EQ(r.verdict, XDP_PASS);
        EXPECT_EQ(r.only_counter(), slot) << "counter " << rx::counter_name(slot);
        EXPECT_TRUE(r.records.empty());
    }
};

TEST_F(ReplyRxMalformed, ForeignRunIdOrFlowOutOfRangeIsForeignTag)
{
    XdpHarness h(config());
    Probe other_run = probe(PM_PROTO_UDP);
    other_run.run_id = kRun + 1;
    expect_rejected(h, icmp_error(time_exceeded(other_run)), PM_RX_FOREIGN_TAG);

    Probe too_many_flows = probe(PM_PROTO_ICMP);
    too_many_flows.flow_id = 2; // num_flows is 2
    expect_rejected(h, icmp_error(time_exceeded(too_many_flows)), PM_RX_FOREIGN_TAG);
    expect_rejected(h, echo_reply(too_many_flows, 64, 1), PM_RX_FOREIGN_TAG);

    Probe tcp = probe(PM_PROTO_TCP);
    tcp.run_id = kRun ^ 0xffff;
    expect_rejected(h, tcp_reply(tcp, false, 64, 1), PM_RX_FOREIGN_TAG);
}

TEST_F(ReplyRxMalformed, EchoReplyWithRightTagButOtherRunInPayloadIsForeign)
{
    XdpHarness h(config());
    Probe p = probe(PM_PROTO_ICMP);
    Bytes frame = echo_reply(p, 64, 1);
    frame[frame.size() - 1] ^= 0x01; // last byte of payload.run_id
    expect_rejected(h, frame, PM_RX_FOREIGN_TAG);
}

TEST_F(ReplyRxMalformed, WrongPortsOrAddressesAreNotOurs)
{
    XdpHarness h(config());
    Probe udp = probe(PM_PROTO_UDP);
    udp.dport = 53;
    expect_rejected(h, icmp_error(time_exceeded(udp)), PM_RX_PASS_NOT_OURS);
    Probe tcp = probe(PM_PROTO_TCP);
    tcp.dport = 443;
    expect_rejected(h, icmp_error(time_exceeded(tcp)), PM_RX_PASS_NOT_OURS);
    expect_rejected(h, tcp_reply(tcp, false, 64, 1), PM_RX_PASS_NOT_OURS);

    Probe elsewhere = probe(PM_PROTO_ICMP);
    elsewhere.src_be = addr("100.64.0.3"); // someone else's probe, quoted to us
    expect_rejected(h, icmp_error(time_exceeded(elsewhere)), PM_RX_PASS_NOT_OURS);
    IcmpError to_other = time_exceeded(probe(PM_PROTO_ICMP));
    to_other.local_be = addr("100.64.0.3");
    expect_rejected(h, icmp_error(to_other), PM_RX_PASS_NOT_OURS);
}

TEST_F(ReplyRxMalformed, UnrelatedTrafficIsPassed)
{
    XdpHarness h(config());
    Bytes arp = ethernet(0x0806, Bytes(28, 0));
    expect_rejected(h, arp, PM_RX_PASS_NOT_IPV4);
    Bytes ipv6 = ethernet(0x86dd, Bytes(60, 0));
    ipv6[14] = 0x60;
    expect_rejected(h, ipv6, PM_RX_PASS_NOT_IPV4);
    Bytes udp = ethernet(0x0800, ipv4({.src_be = kTarget, .dst_be = kLocal, .proto = 17}, Bytes(16, 0)));
    expect_rejected(h, udp, PM_RX_PASS_NOT_OURS);

    // An ICMP echo request, a redirect, and a Time Exceeded quoting a ping reply.
    Bytes echo_req = {8, 0, 0, 0, 0, 1, 0, 1};
    expect_rejected(h, ethernet(0x0800, ipv4({.src_be = kTarget, .dst_be = kLocal, .proto = 1}, echo_req)),
                    PM_RX_PASS_NOT_OURS);
    Bytes redirect = {5, 1, 0, 0, 0, 0, 0, 0};
    append(redirect, probe_datagram(probe(PM_PROTO_UDP)));
    expect_rejected(h, ethernet(0x0800, ipv4({.src_be = kRouter, .dst_be = kLocal, .proto = 1}, redirect)),
                    PM_RX_PASS_NOT_OURS);
    Bytes quoted_reply = probe_datagram(probe(PM_PROTO_ICMP));
    quoted_reply[20] = 0;
    IcmpError e = time_exceeded(probe(PM_PROTO_ICMP));
    e.quote = quoted_reply;
    expect_rejected(h, icmp_error(e), PM_RX_PASS_NOT_OURS);

    // TCP from the target's port without SYN+ACK or RST+ACK (e.g. a bare RST).
    Bytes bare_rst = tcp_reply(probe(PM_PROTO_TCP), true, 64, 1);
    bare_rst[14 + 20 + 13] = 0x04;
    expect_rejected(h, bare_rst, PM_RX_PASS_NOT_OURS);

    // A non-first fragment never carries an L4 header.
    Bytes error_ip = icmp_error_ip(time_exceeded(probe(PM_PROTO_UDP)));
    Bytes frag = ethernet(0x0800, ipv4({.src_be = kRouter, .dst_be = kLocal, .proto = 1, .frag = 0x0010},
                                       Bytes(error_ip.begin() + 20, error_ip.end())));
    expect_rejected(h, frag, PM_RX_PASS_NOT_OURS);
}

TEST_F(ReplyRxMalformed, BadOuterIhlVersionOrTotalLength)
{
    XdpHarness h(config());
    Bytes good = icmp_error(time_exceeded(probe(PM_PROTO_ICMP)));
    for (uint8_t ihl : {0, 1, 4}) {
        Bytes f = good;
        f[14] = 0x40 | ihl;
        expect_rejected(h, f, PM_RX_BAD_IP_HEADER);
    }
    Bytes huge_ihl =
        ethernet(0x0800, Bytes{0x4f, 0, 0, 40, 0, 0, 0, 0, 64, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0});
    expect_rejected(h, huge_ihl, PM_RX_BAD_IP_HEADER); // IHL 15 = 60 bytes, frame has 24
    Bytes v6_in_v4 = good;
    v6_in_v4[14] = 0x65;
    expect_rejected(h, v6_in_v4, PM_RX_BAD_IP_HEADER);
    Bytes long_total = good;
    set16(long_total, 16, good.size() - 14 + 1);
    expect_rejected(h, long_total, PM_RX_BAD_IP_HEADER);
    Bytes short_total = good;
    set16(short_total, 16, 19);
    expect_rejected(h, short_total, PM_RX_BAD_IP_HEADER);
}

TEST_F(ReplyRxMalformed, BadQuotedIhl)
{
    XdpHarness h(config());
    IcmpError e = time_exceeded(probe(PM_PROTO_UDP));
    for (uint8_t b : {0x40, 0x44, 0x4f, 0x65}) {
        IcmpError bad = e;
        bad.quote[0] = b;
        expect_rejected(h, icmp_error(bad), PM_RX_BAD_QUOTE);
    }
}

// Cutting the frame anywhere (tot_len left as sent) or shrinking the whole
// datagram consistently (tot_len matching, as a router quoting less would)
// must never crash, never match wrongly, and bump exactly one counter.
TEST_F(ReplyRxMalformed, TruncatedAtEveryOffset)
{
    XdpHarness h(config());
    for (uint8_t proto : {PM_PROTO_ICMP, PM_PROTO_UDP, PM_PROTO_TCP}) {
        Probe p = probe(proto);
        p.ip_options = ip_option_nops(2);
        IcmpError e = time_exceeded(p);
        e.outer_options = ip_option_nops(1);
        e.quote_bytes = e.quote.size();
        e.extension = mpls_extension({mpls_lse(100, 0, false, 1), mpls_lse(200, 0, true, 1)});
        std::vector<Bytes> frames = {icmp_error(e), echo_reply(probe(PM_PROTO_ICMP), 64, 1),
                                     tcp_reply(probe(PM_PROTO_TCP), false, 64, 1)};
        for (const Bytes &full : frames) {
            for (size_t cut = 14; cut < full.size(); ++cut) {
                for (bool fix_total : {false, true}) {
                    Bytes f(full.begin(), full.begin() + cut);
                    if (fix_total && cut >= 14 + 4) set16(f, 16, cut - 14);
                    auto r = h.run(f);
                    SCOPED_TRACE(::testing::Message() << "cut at " << cut << " fix_total " << fix_total);
                    ASSERT_EQ(r.err, 0);
                    int slot = r.only_counter();
                    ASSERT_GE(slot, 0) << "exactly one counter must move";
                    EXPECT_NE(slot, PM_RX_RINGBUF_FULL);
                    bool recorded =
                        (slot >= PM_RX_TIME_EXCEEDED && slot <= PM_RX_TCP_RST) || slot == PM_RX_BAD_EXTENSION;
                    EXPECT_EQ(r.records.size(), recorded ? 1u : 0u);
                    EXPECT_EQ(r.verdict, recorded && slot != PM_RX_TCP_SYNACK ? XDP_DROP : XDP_PASS);
                    if (!fix_total) {
                        EXPECT_FALSE(recorded) << rx::counter_name(slot);
                    }
                    for (const auto &rec : r.records) {
                        EXPECT_EQ(rec.probe_dst, kTarget);
                        EXPECT_EQ(rec.probe_ts, 0x123456u);
                        EXPECT_EQ(rec.flow_id, 1);
                        EXPECT_EQ(rec.probe_ttl, 12);
                        EXPECT_EQ(rec.mpls_count, 0) << "labels from a cut extension";
                    }
                }
            }
        }
    }
}

TEST_F(ReplyRxMalformed, BogusExtensionKeepsRecordWithoutLabels)
{
    XdpHarness h(config());
    Probe p = probe(PM_PROTO_UDP);
    IcmpError base = time_exceeded(p);
    base.quote_bytes = base.quote.size();
    base.extension = mpls_extension({mpls_lse(1000, 0, true, 1)});

    std::vector<std::pair<const char *, IcmpError>> cases;
    // A wrong length byte falls back to offset 128 (RFC 4884 section 5), so the
    // extension there must fail its checksum for these to stay bad.
    IcmpError past_end = base;
    past_end.length_words = 60; // 240 bytes of "original datagram", frame has fewer
    past_end.extension[3] ^= 1;
    cases.emplace_back("length byte past the end", past_end);
    IcmpError too_short = base;
    too_short.length_words = 2; // 8 bytes cannot hold the quoted header
    too_short.extension[3] ^= 1;
    cases.emplace_back("length byte shorter than the quote", too_short);
    IcmpError bad_version = base;
    bad_version.extension[0] = 0x10;
    cases.emplace_back("extension version 1", bad_version);
    IcmpError zero_obj = base;
    set16(zero_obj.extension, 4, 0);
    cases.emplace_back("object length 0", zero_obj);
    IcmpError long_obj = base;
    set16(long_obj.extension, 4, 64);
    cases.emplace_back("object longer than the packet", long_obj);
    IcmpError odd_obj = base;
    set16(odd_obj.extension, 4, 6);
    cases.emplace_back("object length not a multiple of 4", odd_obj);
    IcmpError half_header = base;
    half_header.extension.resize(2);
    cases.emplace_back("two bytes of extension header", half_header);

    for (const auto &[what, e] : cases) {
        SCOPED_TRACE(what);
        auto r = h.run(icmp_error(e));
        EXPECT_EQ(r.verdict, XDP_DROP);
        EXPECT_EQ(r.only_counter(), PM_RX_BAD_EXTENSION);
        ASSERT_EQ(r.records.size(), 1u);
        EXPECT_EQ(r.records[0].kind, PM_REPLY_TIME_EXCEEDED);
        EXPECT_EQ(r.records[0].probe_ts, p.ts24);
        EXPECT_EQ(r.records[0].mpls_count, 0);
    }
}

TEST_F(ReplyRxMalformed, NonCompliantZeroLengthIgnoresTrailingBytes)
{
    XdpHarness h(config());
    IcmpError e = time_exceeded(probe(PM_PROTO_ICMP));
    e.quote_bytes = e.quote.size();
    e.extension = mpls_extension({mpls_lse(77, 0, true, 1)});
    e.extension[3] ^= 1; // not a valid extension: its checksum fails
    e.length_words = 0;  // pre-RFC 4884 layout: only a valid extension at 128 is read
    auto r = h.run(icmp_error(e));
    EXPECT_EQ(r.only_counter(), PM_RX_TIME_EXCEEDED);
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].mpls_count, 0);
}

TEST_F(ReplyRxMalformed, TruncatedTcpHeaderIsBadTcp)
{
    XdpHarness h(config());
    Bytes f = tcp_reply(probe(PM_PROTO_TCP), false, 64, 1);
    f.resize(14 + 20 + 12);
    set16(f, 16, 32);
    expect_rejected(h, f, PM_RX_BAD_TCP);
}

// A full ring loses records, but never silently: consumed + ringbuf_full
// equals what was sent.
TEST_F(ReplyRxMalformed, RingFullIsCountedNotSilent)
{
    XdpHarness h(config());
    Bytes frame = icmp_error(time_exceeded(probe(PM_PROTO_UDP)));
    const uint32_t sent = 320000; // more than the 16 MiB ring holds (~299k)
    auto r = h.run(frame, sent);
    ASSERT_EQ(r.err, 0);
    EXPECT_GT(r.delta[PM_RX_RINGBUF_FULL], 0u);
    EXPECT_EQ(r.delta[PM_RX_TIME_EXCEEDED], r.records.size());
    EXPECT_EQ(r.records.size() + r.delta[PM_RX_RINGBUF_FULL], sent);
}

} // namespace
} // namespace pathmap::bpftest
