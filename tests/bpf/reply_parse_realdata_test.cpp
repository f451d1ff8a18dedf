// Real captures through both builds of the reply parser (bpf/reply_parse.h):
// every ICMP and TCP reply in ../shared/realdata/pcap (see its SOURCES.md),
// re-framed as Ethernet, goes through the XDP program (bpf_prog_test_run_opts)
// and rx::ReplyParser, which must agree (XdpHarness checks counters and the
// record), and each field is asserted against tcpdump's decoding of the same
// packet: ICMP type and code (from tcpdump's wording), reply source, TTL and
// IP ID, quoted source, destination, protocol and TTL, MPLS label stack
// entries (label, TC, S, TTL), and extension objects of other classes.
//
// The probes in these captures are other tools' (Windows tracert, a 2004
// UDP traceroute, a TCP client), so before parsing, the fields a pathmap
// probe carries its flow tag in are re-tagged as this run's (quoted ICMP id
// or UDP/TCP source port, probe port, echo payload run id, TCP reply
// destination port); nothing the assertions read is touched. Each reply is
// also replayed untouched (not ours: never recorded) and behind a QinQ pair
// of VLAN tags (the same record).
//
// The captures are read where they are kept (PATHMAP_REALDATA, default
// <source>/../shared/realdata), never copied into the repository; a missing
// capture or a missing tcpdump fails the test.
#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/bpf/pcap_file.h"
#include "tests/bpf/tcpdump_text.h"
#include "tests/bpf/xdp_harness.h"

namespace pathmap::bpftest
{
namespace
{

constexpr uint32_t kRun = 0x7ea1da7a;

std::string pcap_dir()
{
    const char *env = std::getenv("PATHMAP_REALDATA");
    return std::string(env && *env ? env : PATHMAP_SOURCE_DIR "/../shared/realdata") + "/pcap";
}

// What SOURCES.md says each capture holds, counted independently of tcpdump
// so that a decoding slip cannot make a file look empty and pass.
struct CaptureTotals {
    const char *file;
    size_t replies;     // ICMP errors + echo replies + TCP SYN-ACK/RST-ACK
    size_t labelled;    // replies carrying an MPLS label stack object
    size_t ext_skipped; // replies carrying an extension object of another class
};
const CaptureTotals kCaptures[] = {
    {"ppa_icmp_traceroute.pcapng", 24 + 3, 3, 0},  {"ppa_tcp_handshake.pcapng", 1, 0, 0},
    {"ppa_tcp_refuseconnection.pcapng", 1, 0, 0},  {"tcpdump_icmp-rfc5837_CRAFTED.pcap", 1, 0, 1},
    {"tcpdump_mpls-traceroute.pcap", 6 + 3, 6, 0},
};

uint16_t be16_at(const Bytes &b, size_t off) { return uint16_t(b[off] << 8 | b[off + 1]); }

// Offsets in a re-framed, untagged IPv4 frame.
struct Layout {
    size_t l4 = 0;  // outer L4 header
    size_t ql4 = 0; // quoted L4 header (ICMP errors)
};
Layout layout(const Bytes &f)
{
    Layout l;
    l.l4 = 14 + size_t(f[14] & 0xf) * 4;
    const size_t q = l.l4 + 8;
    if (f[14 + 9] == 1 && q < f.size()) l.ql4 = q + size_t(f[q] & 0xf) * 4;
    return l;
}

// ICMP type and code from tcpdump's summary (print-icmp.c's wording), or
// nullopt for wording this test does not know yet.
std::optional<std::pair<uint8_t, uint8_t>> icmp_type_code(const std::string &s)
{
    static const std::vector<std::pair<std::regex, std::pair<uint8_t, uint8_t>>> table = {
        {std::regex(R"(^ICMP echo reply,)"), {0, 0}},
        {std::regex(R"(^ICMP time exceeded in-transit)"), {11, 0}},
        {std::regex(R"(^ICMP ip reassembly time exceeded)"), {11, 1}},
        {std::regex(R"(^ICMP net \S+ unreachable,)"), {3, 0}},
        {std::regex(R"(^ICMP host \S+ unreachable,)"), {3, 1}},
        {std::regex(R"(^ICMP \S+ protocol \d+ unreachable,)"), {3, 2}},
        {std::regex(R"(^ICMP \S+ (udp|tcp) port \d+ unreachable,)"), {3, 3}},
        {std::regex(R"(^ICMP \S+ unreachable - need to frag)"), {3, 4}},
        {std::regex(R"(^ICMP \S+ unreachable - admin prohibited filter)"), {3, 13}},
    };
    for (const auto &[re, tc] : table)
        if (std::regex_search(s, re)) return tc;
    return std::nullopt;
}

unsigned field(const std::string &s, const char *name)
{
    std::smatch m;
    std::regex re(std::string(name) + R"( (\d+))");
    if (!std::regex_search(s, m, re)) throw std::runtime_error(std::string("no '") + name + "' in: " + s);
    return unsigned(std::stoul(m[1]));
}

struct Expected {
    int slot = -1;
    pm_reply_record rec{};
};

// The record a reply should give, from tcpdump's decoding; nullopt when
// tcpdump does not show a reply of the kinds reply_rx records.
std::optional<Expected> expect_from_tcpdump(const TcpdumpPacket &t, const Bytes &frame)
{
    if (!t.ip) return std::nullopt;
    const TcpdumpIp &ip = *t.ip;
    Expected e;
    pm_reply_record &r = e.rec;
    r.reply_src = addr(ip.src.c_str());
    r.reply_ttl = uint8_t(ip.ttl);
    r.reply_ip_id = uint16_t(ip.id);
    const Layout l = layout(frame);
    if (ip.proto == 6) {
        std::smatch m;
        if (!std::regex_search(ip.summary, m, std::regex(R"(^Flags \[([^\]]*)\])"))) return std::nullopt;
        if (m[1] == "S.") {
            r.kind = PM_REPLY_TCP_SYNACK;
            e.slot = PM_RX_TCP_SYNACK;
        } else if (m[1] == "R.") {
            r.kind = PM_REPLY_TCP_RST;
            e.slot = PM_RX_TCP_RST;
        } else {
            return std::nullopt;
        }
        const uint32_t seq = field(ip.summary, "ack") - 1;
        r.probe_dst = r.reply_src;
        r.proto = PM_PROTO_TCP;
        r.probe_ts = seq >> 8; // wire.h: the SYN's sequence carries time and TTL
        r.probe_ttl = seq & 0xff;
        return e;
    }
    if (ip.proto != 1) return std::nullopt;
    auto tc = icmp_type_code(ip.summary);
    if (!tc) {
        if (std::regex_search(ip.summary, std::regex(R"(^ICMP echo request)"))) return std::nullopt;
        throw std::runtime_error("teach this test tcpdump's wording: " + ip.summary);
    }
    r.icmp_type = tc->first;
    r.icmp_code = tc->second;
    if (r.icmp_type == 0) {
        r.kind = PM_REPLY_ECHO_REPLY;
        e.slot = PM_RX_ECHO_REPLY;
        r.probe_dst = r.reply_src;
        r.proto = PM_PROTO_ICMP;
        // The echoed payload's first two bytes (TTL, top of the send time, wire.h's
        // pm_probe_payload): tcpdump does not print payloads, so read by hand.
        r.probe_ttl = frame[l.l4 + 8];
        r.probe_ts = uint32_t(frame[l.l4 + 9]) << 16 | field(ip.summary, "seq");
        return e;
    }
    if (!t.quoted) throw std::runtime_error("tcpdump shows no quoted datagram");
    const TcpdumpIp &q = *t.quoted;
    r.kind = r.icmp_type == 11 ? PM_REPLY_TIME_EXCEEDED : PM_REPLY_DEST_UNREACH;
    e.slot = r.icmp_type == 11 ? PM_RX_TIME_EXCEEDED : PM_RX_DEST_UNREACH;
    r.probe_dst = addr(q.dst.c_str());
    r.proto = uint8_t(q.proto);
    r.quoted_ttl = uint8_t(q.ttl);
    r.probe_ttl = uint8_t(q.id >> 8); // wire.h: IP ID = TTL << 8 | bits 16..23 of the time
    uint32_t low16 = 0;
    if (q.proto == 1) {
        low16 = field(q.summary, "seq");
    } else if (q.proto == 17) {
        // The UDP checksum carries the low 16 bits: tcpdump prints "[no cksum]"
        // for 0, and nothing it can check in a cut quote otherwise, so read by hand.
        low16 = q.summary.find("[no cksum]") != std::string::npos ? 0 : be16_at(frame, l.ql4 + 6);
    } else {
        throw std::runtime_error("quoted protocol this test does not expect: " + q.summary);
    }
    r.probe_ts = (q.id & 0xff) << 16 | low16;
    if (t.has_extension) {
        if (!t.extension_checksum_ok)
            throw std::runtime_error("extension with a bad checksum: extend this test");
        for (size_t i = 0; i < t.mpls.size() && i < PM_MAX_MPLS_LABELS; ++i)
            r.mpls[i] = t.mpls[i];
        r.mpls_count = uint8_t(std::min<size_t>(t.mpls.size(), PM_MAX_MPLS_LABELS));
        if (!t.other_objects.empty()) e.slot = PM_RX_EXT_SKIPPED;
    }
    return e;
}

// The probe the reply answers, made to look like this run's: the flow tag
// (flow 0) where pathmap puts it and the configured probe ports.
Bytes retag(Bytes f, const pm_reply_record &want)
{
    const Layout l = layout(f);
    const uint16_t tag = pm_flow_tag(want.probe_dst, kRun);
    if (want.kind == PM_REPLY_TCP_SYNACK || want.kind == PM_REPLY_TCP_RST) {
        set16(f, l.l4, PM_DEFAULT_TCP_DPORT);
        set16(f, l.l4 + 2, tag);
    } else if (want.kind == PM_REPLY_ECHO_REPLY) {
        set16(f, l.l4 + 4, tag);
        for (int i = 0; i < 4; ++i) // pm_probe_payload.run_id, network order
            f[l.l4 + 12 + i] = uint8_t(kRun >> (24 - 8 * i));
    } else if (want.proto == PM_PROTO_ICMP) {
        set16(f, l.ql4 + 4, tag);
    } else {
        set16(f, l.ql4, tag);
        set16(f, l.ql4 + 2, want.proto == PM_PROTO_UDP ? PM_DEFAULT_UDP_DPORT : PM_DEFAULT_TCP_DPORT);
    }
    return f;
}

std::string lse_text(uint32_t v)
{
    return "label " + std::to_string(v >> 12) + " tc " + std::to_string((v >> 9) & 7) +
           ((v & 0x100) ? " [S]" : "") + " ttl " + std::to_string(v & 0xff);
}

void expect_same_record(const pm_reply_record &got, const pm_reply_record &want)
{
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.icmp_type, want.icmp_type);
    EXPECT_EQ(got.icmp_code, want.icmp_code);
    EXPECT_EQ(got.reply_src, want.reply_src);
    EXPECT_EQ(got.reply_ttl, want.reply_ttl);
    EXPECT_EQ(got.reply_ip_id, want.reply_ip_id);
    EXPECT_EQ(got.probe_dst, want.probe_dst);
    EXPECT_EQ(got.proto, want.proto);
    EXPECT_EQ(got.quoted_ttl, want.quoted_ttl);
    EXPECT_EQ(got.probe_ttl, want.probe_ttl);
    EXPECT_EQ(got.probe_ts, want.probe_ts);
    EXPECT_EQ(got.flow_id, 0);
    ASSERT_EQ(got.mpls_count, want.mpls_count);
    for (int i = 0; i < got.mpls_count; ++i)
        EXPECT_EQ(lse_text(got.mpls[i]), lse_text(want.mpls[i])) << "label stack entry " << i;
}

struct FileResult {
    size_t replies = 0, labelled = 0, ext_skipped = 0;
};

// One packet as captured, then (a reply) re-tagged as ours, plain and behind QinQ.
void replay_packet(XdpHarness &h, const Bytes &frame, const std::optional<Expected> &want, FileResult &res)
{
    // As captured: another tool's probe, never recorded (and both builds agree).
    XdpRun as_is = h.run(frame);
    ASSERT_EQ(as_is.err, 0);
    EXPECT_TRUE(as_is.records.empty());
    const int slot = as_is.only_counter();
    EXPECT_TRUE(slot == PM_RX_PASS_NOT_IPV4 || slot == PM_RX_PASS_NOT_OURS || slot == PM_RX_FOREIGN_TAG)
        << rx::counter_name(slot);
    if (!want) return;

    ++res.replies;
    res.labelled += want->rec.mpls_count ? 1 : 0;
    res.ext_skipped += want->slot == PM_RX_EXT_SKIPPED ? 1 : 0;
    const Bytes ours = retag(frame, want->rec);
    XdpRun r = h.run(ours);
    ASSERT_EQ(r.err, 0);
    EXPECT_EQ(r.only_counter(), want->slot)
        << rx::counter_name(r.only_counter()) << " instead of " << rx::counter_name(want->slot);
    ASSERT_EQ(r.records.size(), 1u);
    expect_same_record(r.records[0], want->rec);

    XdpRun qinq = h.run(with_qinq(ours, 100, 200));
    ASSERT_EQ(qinq.err, 0);
    EXPECT_EQ(qinq.only_counter(), want->slot);
    ASSERT_EQ(qinq.records.size(), 1u);
    pm_reply_record a = qinq.records[0], b = r.records[0];
    a.rx_ns = b.rx_ns = 0;
    EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "QinQ changed the record";
}

// Replays one capture. The harness is picked by the reply's destination,
// the run's local address, so the parser also checks the quoted source.
FileResult replay(const std::string &path)
{
    FileResult res;
    const std::vector<CapturedPacket> packets = read_capture(path);
    const std::map<size_t, TcpdumpPacket> decoded = tcpdump_decode(path);
    EXPECT_EQ(decoded.size(), packets.size()) << "tcpdump and the reader count different packets";
    std::map<uint32_t, std::unique_ptr<XdpHarness>> harness; // one per local address
    auto harness_for = [&](uint32_t local) -> XdpHarness & {
        auto &h = harness[local];
        if (!h)
            h = std::make_unique<XdpHarness>(
                rx::RxConfig{.run_id = kRun, .local_addr_be = local, .num_flows = 1});
        return *h;
    };
    for (const CapturedPacket &p : packets) {
        SCOPED_TRACE(::testing::Message() << path << " packet " << p.number);
        auto frame = as_ethernet(p);
        if (!frame) {
            ADD_FAILURE() << "link type " << p.linktype << " cannot be re-framed as Ethernet yet";
            continue;
        }
        auto t = decoded.find(p.number);
        if (t == decoded.end()) {
            ADD_FAILURE() << "tcpdump printed nothing for it";
            continue;
        }
        SCOPED_TRACE(t->second.first_line);
        std::optional<Expected> want;
        try {
            want = expect_from_tcpdump(t->second, *frame);
        } catch (const std::exception &e) {
            ADD_FAILURE() << e.what();
            continue;
        }
        const uint32_t local = t->second.ip ? addr(t->second.ip->dst.c_str()) : 0;
        replay_packet(harness_for(local), *frame, want, res);
    }
    return res;
}

class ReplyParseRealdata : public ::testing::TestWithParam<CaptureTotals>
{
  protected:
    void SetUp() override { PM_REQUIRE_BPF(); }
};

TEST_P(ReplyParseRealdata, EveryReplyDecodesAsTcpdumpSeesItInBothBuilds)
{
    const CaptureTotals &c = GetParam();
    const std::string path = pcap_dir() + "/" + c.file;
    ASSERT_EQ(access(path.c_str(), R_OK), 0) << path << " is missing: see ../shared/realdata/SOURCES.md";
    FileResult got;
    ASSERT_NO_THROW(got = replay(path));
    EXPECT_EQ(got.replies, c.replies);
    EXPECT_EQ(got.labelled, c.labelled);
    EXPECT_EQ(got.ext_skipped, c.ext_skipped);
}

INSTANTIATE_TEST_SUITE_P(Captures, ReplyParseRealdata, ::testing::ValuesIn(kCaptures),
                         [](const ::testing::TestParamInfo<CaptureTotals> &i) {
                             std::string n = i.param.file;
                             n = n.substr(0, n.find('.'));
                             std::replace_if(
                                 n.begin(), n.end(), [](char ch) { return !isalnum(ch); }, '_');
                             return n;
                         });

// Captures added to the directory later are replayed too (without totals).
TEST(ReplyParseRealdataDir, OtherCapturesReplayAsTcpdumpSeesThem)
{
    PM_REQUIRE_BPF();
    DIR *d = opendir(pcap_dir().c_str());
    ASSERT_NE(d, nullptr) << pcap_dir() << " is missing: see ../shared/realdata/SOURCES.md";
    std::vector<std::string> others;
    while (dirent *e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() < 5 ||
            (n.substr(n.size() - 5) != ".pcap" && (n.size() < 7 || n.substr(n.size() - 7) != ".pcapng")))
            continue;
        if (std::none_of(std::begin(kCaptures), std::end(kCaptures),
                         [&](const CaptureTotals &c) { return n == c.file; }))
            others.push_back(n);
    }
    closedir(d);
    for (const std::string &n : others)
        EXPECT_NO_THROW(replay(pcap_dir() + "/" + n)) << n;
}

} // namespace
} // namespace pathmap::bpftest
