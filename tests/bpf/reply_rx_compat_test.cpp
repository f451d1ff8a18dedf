// reply_rx on what real routers and firewalls send beyond the textbook
// reply: RFC 4884 section 5's compatibility rule (length byte 0, extension
// at offset 128), extension objects of classes not read (RFC 5837), QinQ
// double tags, and quotes of exactly 8 bytes of TCP (RFC 792's minimum).
// Every frame also goes through the userspace build (XdpHarness).
#include <gtest/gtest.h>

#include "tests/bpf/pcap_file.h"
#include "tests/bpf/xdp_harness.h"

namespace pathmap::bpftest
{
namespace
{

constexpr uint32_t kRun = 0x4884cafe;
const uint32_t kLocal = addr("203.0.113.5");
const uint32_t kTarget = addr("198.51.100.77");
const uint32_t kRouter = addr("192.0.2.1");

rx::RxConfig config() { return {.run_id = kRun, .local_addr_be = kLocal, .num_flows = 8}; }

Probe probe(uint8_t proto)
{
    return {.proto = proto,
            .src_be = kLocal,
            .dst_be = kTarget,
            .ttl = 9,
            .ts24 = 0x0badf0,
            .flow_id = 5,
            .run_id = kRun,
            .ttl_at_router = 1};
}

IcmpError error_for(const Probe &p, uint8_t type = 11, uint8_t code = 0)
{
    IcmpError e{
        .type = type, .code = code, .router_be = kRouter, .local_be = kLocal, .quote = probe_datagram(p)};
    e.quote_bytes = e.quote.size();
    return e;
}

struct ExtObject {
    uint8_t cls, ctype;
    Bytes payload; // padded to 4 bytes
};

Bytes object(const ExtObject &o)
{
    Bytes pl = o.payload;
    while (pl.size() % 4)
        pl.push_back(0);
    Bytes b;
    put16(b, 4 + pl.size());
    put8(b, o.cls);
    put8(b, o.ctype);
    append(b, pl);
    return b;
}

ExtObject mpls_object(const std::vector<uint32_t> &lses)
{
    Bytes pl;
    for (uint32_t l : lses)
        put32(pl, l);
    return {1, 1, pl};
}

// RFC 5837 Interface Information Object: ifIndex + IPv4 address + name.
ExtObject interface_object()
{
    Bytes pl = {0, 0, 0, 0x0f, 0, 1, 0, 0, 192, 0, 2, 1, 8};
    for (char c : std::string("xe-0/1/2"))
        pl.push_back(uint8_t(c));
    return {2, 0x0e, pl};
}

// Version 2 extension structure with a valid checksum.
Bytes extension(const std::vector<ExtObject> &objects)
{
    Bytes b = {0x20, 0, 0, 0};
    for (const ExtObject &o : objects)
        append(b, object(o));
    set16(b, 2, inet_checksum(b.data(), b.size()));
    return b;
}

const uint32_t kLse1 = mpls_lse(24001, 0, false, 1);
const uint32_t kLse2 = mpls_lse(16, 5, true, 254);

class ReplyRxCompat : public ::testing::TestWithParam<uint8_t>
{
  protected:
    void SetUp() override { PM_REQUIRE_BPF(); }

    // Runs a frame that must be recorded in `slot`: returns its record.
    pm_reply_record recorded(XdpHarness &h, const Bytes &frame, int slot)
    {
        auto r = h.run(frame);
        EXPECT_EQ(r.err, 0);
        EXPECT_EQ(r.only_counter(), slot)
            << rx::counter_name(r.only_counter()) << " instead of " << rx::counter_name(slot);
        EXPECT_EQ(r.records.size(), 1u);
        if (r.records.empty()) return {};
        const pm_reply_record &rec = r.records[0];
        EXPECT_EQ(rec.probe_dst, kTarget);
        EXPECT_EQ(rec.flow_id, 5);
        EXPECT_EQ(rec.probe_ttl, 9);
        EXPECT_EQ(rec.probe_ts, 0x0badf0u);
        return rec;
    }
};

// Pre-RFC 4884 routers (Juniper's 2004 one in the shared captures) leave the
// length byte 0, pad the quote to 128 bytes and append the extension.
TEST_P(ReplyRxCompat, ZeroLengthExtensionAtOffset128GivesLabels)
{
    XdpHarness h(config());
    for (uint8_t type : {11, 3}) {
        IcmpError e = error_for(probe(GetParam()), type, type == 3 ? 3 : 0);
        e.extension = extension({mpls_object({kLse1, kLse2})});
        e.length_words = 0;
        auto rec = recorded(h, icmp_error(e), type == 11 ? PM_RX_TIME_EXCEEDED : PM_RX_DEST_UNREACH);
        ASSERT_EQ(rec.mpls_count, 2);
        EXPECT_EQ(rec.mpls[0], kLse1);
        EXPECT_EQ(rec.mpls[1], kLse2);
        EXPECT_EQ(rec.kind, type == 11 ? PM_REPLY_TIME_EXCEEDED : PM_REPLY_DEST_UNREACH);
    }
}

// What fails the rule is not an extension: the record stays, without labels,
// and nothing counts as a bad extension (the bytes may be the quote's own).
TEST_P(ReplyRxCompat, ZeroLengthWithoutAValidExtensionIsPlainlyRecorded)
{
    XdpHarness h(config());
    IcmpError base = error_for(probe(GetParam()));
    base.extension = extension({mpls_object({kLse1})});
    base.length_words = 0;

    std::vector<std::pair<const char *, IcmpError>> cases;
    IcmpError bad_sum = base;
    bad_sum.extension[3] ^= 1;
    cases.emplace_back("bad checksum", bad_sum);
    IcmpError zero_sum = base;
    set16(zero_sum.extension, 2, 0);
    cases.emplace_back("checksum 0", zero_sum);
    IcmpError v1 = base;
    v1.extension[0] = 0x10;
    set16(v1.extension, 2, 0);
    set16(v1.extension, 2, inet_checksum(v1.extension.data(), v1.extension.size()));
    cases.emplace_back("version 1", v1);
    IcmpError header_only = base;
    header_only.extension = extension({});
    cases.emplace_back("header and no object", header_only);
    IcmpError odd = base;
    odd.extension.push_back(0);
    cases.emplace_back("not whole words", odd);
    IcmpError zeros = base; // a quote padded past 128 bytes with zeros: version 0
    zeros.extension = Bytes(16, 0);
    cases.emplace_back("zero padding", zeros);
    // Longer than the 512 bytes the checksum loop covers (valid otherwise).
    IcmpError huge = base;
    huge.extension = extension({mpls_object(std::vector<uint32_t>(127, kLse2))});
    cases.emplace_back("longer than 512 bytes", huge);

    for (const auto &[what, e] : cases) {
        SCOPED_TRACE(what);
        auto rec = recorded(h, icmp_error(e), PM_RX_TIME_EXCEEDED);
        EXPECT_EQ(rec.mpls_count, 0);
    }

    // Exactly 512 bytes is still read.
    IcmpError max = base;
    max.extension = extension({mpls_object(std::vector<uint32_t>(126, kLse2))});
    ASSERT_EQ(max.extension.size(), 512u);
    auto rec = recorded(h, icmp_error(max), PM_RX_TIME_EXCEEDED);
    EXPECT_EQ(rec.mpls_count, PM_MAX_MPLS_LABELS);
}

// A length byte that cannot be right falls back to offset 128: the AT&T
// router in ppa_icmp_traceroute.pcapng repeats the quoted IP ID in bytes 4-5
// (length byte 0x5d, 372 bytes, past the end) and appends its MPLS extension
// at 128, where tcpdump finds it. Without a valid extension there, it stays
// a bad extension.
TEST_P(ReplyRxCompat, ImpossibleLengthByteFallsBackToOffset128)
{
    XdpHarness h(config());
    const std::vector<std::pair<const char *, int>> lengths = {
        {"past the end (0x5d)", 0x5d},
        {"shorter than the quote", 2},
        {"inside the padding, no extension there", 24},
    };
    for (const auto &[what, words] : lengths) {
        SCOPED_TRACE(what);
        IcmpError e = error_for(probe(GetParam()));
        e.extension = extension({mpls_object({kLse1, kLse2})});
        e.length_words = words;
        auto rec = recorded(h, icmp_error(e), PM_RX_TIME_EXCEEDED);
        ASSERT_EQ(rec.mpls_count, 2);
        EXPECT_EQ(rec.mpls[0], kLse1);
        EXPECT_EQ(rec.mpls[1], kLse2);

        e.extension[3] ^= 1; // checksum
        rec = recorded(h, icmp_error(e), PM_RX_BAD_EXTENSION);
        EXPECT_EQ(rec.mpls_count, 0);
    }
}

// RFC 5837 interface information (class 2) and other classes are skipped and
// counted; the labels of an MPLS object before or after them are kept.
TEST_P(ReplyRxCompat, UnknownExtensionClassesAreSkippedAndCounted)
{
    XdpHarness h(config());
    const std::vector<std::pair<const char *, std::vector<ExtObject>>> layouts = {
        {"interface info only", {interface_object()}},
        {"mpls then interface info", {mpls_object({kLse1, kLse2}), interface_object()}},
        {"interface info then mpls", {interface_object(), mpls_object({kLse1, kLse2})}},
        {"unknown class 200 then mpls", {{200, 1, Bytes(8, 0xaa)}, mpls_object({kLse1, kLse2})}},
        {"mpls with another c-type", {{1, 2, Bytes(4, 0)}, mpls_object({kLse1, kLse2})}},
        {"five objects", {mpls_object({kLse1, kLse2}), {3, 1, {}}, {3, 1, {}}, {3, 1, {}}, {3, 1, {}}}},
    };
    for (int length_words : {-1, 0}) { // RFC 4884 length byte, and the compatibility layout
        for (const auto &[what, objs] : layouts) {
            SCOPED_TRACE(::testing::Message() << what << (length_words ? "" : ", length byte 0"));
            for (uint8_t type : {11, 3}) {
                IcmpError e = error_for(probe(GetParam()), type, 3);
                e.extension = extension(objs);
                e.length_words = length_words;
                auto rec = recorded(h, icmp_error(e), PM_RX_EXT_SKIPPED);
                EXPECT_EQ(rec.kind, type == 11 ? PM_REPLY_TIME_EXCEEDED : PM_REPLY_DEST_UNREACH);
                EXPECT_EQ(rec.icmp_type, type);
                const bool has_mpls = std::string(what) != "interface info only";
                ASSERT_EQ(rec.mpls_count, has_mpls ? 2 : 0);
                if (has_mpls) {
                    EXPECT_EQ(rec.mpls[0], kLse1);
                    EXPECT_EQ(rec.mpls[1], kLse2);
                }
            }
        }
    }
}

// A bad object after a good MPLS object is still a bad extension: labels dropped.
TEST_P(ReplyRxCompat, BadObjectAfterLabelsDropsThem)
{
    XdpHarness h(config());
    IcmpError e = error_for(probe(GetParam()));
    Bytes ext = extension({mpls_object({kLse1}), interface_object()});
    set16(ext, 4 + 8, 2); // the second object's length: below its own header
    set16(ext, 2, 0);
    set16(ext, 2, inet_checksum(ext.data(), ext.size()));
    for (int length_words : {-1, 0}) {
        e.extension = ext;
        e.length_words = length_words;
        auto rec = recorded(h, icmp_error(e), PM_RX_BAD_EXTENSION);
        EXPECT_EQ(rec.mpls_count, 0);
        EXPECT_EQ(rec.mpls[0], 0u);
    }
}

TEST_P(ReplyRxCompat, QinQTagsAreParsed)
{
    XdpHarness h(config());
    IcmpError e = error_for(probe(GetParam()));
    e.extension = extension({mpls_object({kLse2})});
    const Bytes plain = icmp_error(e);
    for (uint16_t outer : {0x88a8, 0x8100}) {
        Bytes f = with_qinq(plain, 10, 20);
        set16(f, 12, outer);
        auto rec = recorded(h, f, PM_RX_TIME_EXCEEDED);
        ASSERT_EQ(rec.mpls_count, 1);
        EXPECT_EQ(rec.mpls[0], kLse2);
    }
    // A third tag is not parsed; a frame cut inside the second tag is not IPv4.
    Bytes triple = with_qinq(with_qinq(plain, 1, 2), 3, 4);
    triple.erase(triple.begin() + 12, triple.begin() + 16); // three tags, not four
    auto r = h.run(triple);
    EXPECT_EQ(r.only_counter(), PM_RX_PASS_NOT_IPV4);
    EXPECT_TRUE(r.records.empty());
    Bytes cut = with_qinq(plain, 10, 20);
    cut.resize(20);
    r = h.run(cut);
    EXPECT_EQ(r.only_counter(), PM_RX_PASS_NOT_IPV4);
}

INSTANTIATE_TEST_SUITE_P(Protocols, ReplyRxCompat,
                         ::testing::Values(PM_PROTO_ICMP, PM_PROTO_UDP, PM_PROTO_TCP),
                         [](const ::testing::TestParamInfo<uint8_t> &i) {
                             return i.param == PM_PROTO_ICMP  ? "icmp"
                                    : i.param == PM_PROTO_UDP ? "udp"
                                                              : "tcp";
                         });

// Firewalls and many routers quote the IP header and exactly 8 bytes of TCP
// (ports and sequence number, RFC 792's minimum): enough to match a probe.
TEST(ReplyRxTcpQuote, EightBytesOfTcpStillMatch)
{
    PM_REQUIRE_BPF();
    XdpHarness h(config());
    const Probe p = probe(PM_PROTO_TCP);
    struct Case {
        uint8_t type, code;
        int slot;
    };
    for (const Case c : {Case{11, 0, PM_RX_TIME_EXCEEDED}, Case{3, 13, PM_RX_DEST_UNREACH},
                         Case{3, 3, PM_RX_DEST_UNREACH}, Case{3, 10, PM_RX_DEST_UNREACH}}) {
        SCOPED_TRACE(::testing::Message() << "type " << int(c.type) << " code " << int(c.code));
        for (bool claims_options : {false, true}) {
            IcmpError e = error_for(p, c.type, c.code);
            e.quote_bytes = 20 + 8;
            // The quoted header's total length is the datagram's as sent: a SYN
            // with options, longer than what is quoted.
            if (claims_options) set16(e.quote, 2, 60);
            Bytes frame = icmp_error(e);
            ASSERT_EQ(frame.size(), 14u + 20 + 8 + 20 + 8);
            for (size_t pad : {size_t{0}, size_t{4}}) { // Ethernet trailer bytes past tot_len
                Bytes f = frame;
                f.insert(f.end(), pad, 0xee);
                auto r = h.run(f);
                EXPECT_EQ(r.only_counter(), c.slot);
                ASSERT_EQ(r.records.size(), 1u);
                const pm_reply_record &rec = r.records[0];
                EXPECT_EQ(rec.proto, PM_PROTO_TCP);
                EXPECT_EQ(rec.probe_dst, kTarget);
                EXPECT_EQ(rec.flow_id, 5);
                EXPECT_EQ(rec.probe_ttl, 9);
                EXPECT_EQ(rec.probe_ts, 0x0badf0u);
                EXPECT_EQ(rec.icmp_type, c.type);
                EXPECT_EQ(rec.icmp_code, c.code);
                EXPECT_EQ(rec.quoted_ttl, 1);
            }
        }
        // Seven bytes cannot hold the sequence number: a bad quote, not a match.
        IcmpError short_quote = error_for(p, c.type, c.code);
        short_quote.quote_bytes = 20 + 7;
        auto r = h.run(icmp_error(short_quote));
        EXPECT_EQ(r.only_counter(), PM_RX_BAD_QUOTE);
        EXPECT_TRUE(r.records.empty());
    }
}

} // namespace
} // namespace pathmap::bpftest
