// mtr -z (--aslookup): the AS column in the report table, the live view's
// table, the JSON "ASN" key and the CSV "Asn" column, laid out as mtr 0.95's
// report.c and asn.c write them (" %2d. AS%-7s%-33s", header
// "HOST: %-Ls", JSON "ASN" after "host", CSV "Asn" after "Ip").
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sstream>

#include "userspace/mtr/live_view.h"
#include "userspace/mtr/report_format.h"

using namespace pathmap::mtr;

namespace
{
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kBase = 7'000'000 * kMs;

pm_reply_record reply(uint32_t dst, uint8_t ttl, uint16_t flow, uint64_t send_ns, uint64_t rtt_ns,
                      uint32_t from, uint8_t kind)
{
    pm_reply_record r{};
    r.rx_ns = send_ns + rtt_ns;
    r.reply_src = htonl(from);
    r.probe_dst = htonl(dst);
    r.probe_ts = static_cast<uint32_t>((send_ns / PM_TS_UNIT_NS) & PM_TS_MASK);
    r.flow_id = flow;
    r.kind = kind;
    r.probe_ttl = ttl;
    return r;
}

// report_format_test.cpp's run: 198.18.200.1 at TTL 1, a silent TTL 2, the
// target 198.19.250.1 at TTL 3.
MtrRun sample_run()
{
    MtrRun run(MtrRunConfig{
        .targets = {0xc613fa01}, .min_ttl = 1, .max_ttl = 5, .interval_ms = 1000, .timeout_ms = 500});
    for (int r = 0; r < 3; ++r) {
        uint64_t t = kBase + uint64_t(r) * 1000 * kMs;
        run.plan_round();
        run.round_sent(t, t, r == 0 ? 5 : 3);
        run.on_reply(reply(0xc613fa01, 1, 0, t, (100 + 100 * r) * 1000, 0xc612c801, PM_REPLY_TIME_EXCEEDED));
        if (r != 1) run.on_reply(reply(0xc613fa01, 3, 0, t, 2000 * 1000, 0xc613fa01, PM_REPLY_ECHO_REPLY));
        run.expire(t + 600 * kMs);
    }
    run.expire_all();
    return run;
}

// TTL 1's address is in AS64500; the target's network has no AS.
HostNaming with_as(HostNaming n = {})
{
    n.asn_of = [](uint32_t a) -> int64_t { return a == 0xc612c801 ? 64500 : 0; };
    return n;
}

std::vector<std::string> lines(const std::string &s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

std::string pad(std::string s, size_t n)
{
    s.resize(std::max(s.size(), n), ' ');
    return s;
}

const std::string kStats1 = "  0.0%     3    0.3   0.2   0.1   0.3   0.1     3   0.1     0";
const std::string kStats2 = " 100.0     3    0.0   0.0   0.0   0.0   0.0     0   0.0     0";
const std::string kStats3 = " 33.3%     3    2.0   2.0   2.0   2.0   0.0     2   0.0     0";
const std::string kTitles = " Loss%   Snt   Last   Avg  Best  Wrst StDev   Rcv  Javg  Late";
} // namespace

TEST(ReportAsLookup, AsText)
{
    HostNaming n = with_as();
    EXPECT_TRUE(n.aslookup());
    EXPECT_FALSE(HostNaming{}.aslookup());
    EXPECT_EQ(n.as_text(0xc612c801), "AS64500");
    EXPECT_EQ(n.as_text(0xc613fa01), "AS???");
    EXPECT_EQ(n.as_text(std::nullopt), "AS???"); // a TTL with no reply, as mtr
    HostNaming big{.asn_of = [](uint32_t) -> int64_t { return 4200000000; }};
    EXPECT_EQ(big.as_text(1), "AS4200000000");
}

TEST(ReportAsLookup, TextTableIsMtrZLayout)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0, .naming = with_as()};
    auto l = lines(format_text_report(meta, run, 0));
    ASSERT_EQ(l.size(), 5u);
    // mtr -z -r: the header unchanged, rows " %2d. AS%-7s%s", the statistics at column 33.
    EXPECT_EQ(
        l[1],
        "HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev   Rcv  Javg  Late");
    EXPECT_EQ(l[2], pad("  1. AS64500  198.18.200.1", 33) + kStats1);
    EXPECT_EQ(l[3], pad("  2. AS???    ???", 33) + kStats2);
    EXPECT_EQ(l[4], pad("  3. AS???    198.19.250.1", 33) + kStats3);

    // A long name loses its tail at column 33, 14 columns sooner than without -z.
    HostNaming n{.name_of = [](uint32_t a) -> std::optional<std::string> {
        if (a == 0xc612c801) return std::string("xe-0-0-2.r1.ams1.example.net");
        return std::nullopt;
    }};
    meta.naming = with_as(n);
    l = lines(format_text_report(meta, run, 0));
    EXPECT_EQ(l[2], "  1. AS64500  xe-0-0-2.r1.ams1.ex" + kStats1);
}

TEST(ReportAsLookup, WideHeaderAndRowsLineUp)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0, .naming = with_as(), .wide = true};
    auto l = lines(format_text_report(meta, run, 0));
    ASSERT_EQ(l.size(), 5u);
    // mtr -z -w: L = 12 (the longest host); rows " %2d. AS%-7s%-(L+1)s",
    // header "HOST: %-(L+9)s": both 27 columns before the statistics.
    EXPECT_EQ(l[1], pad("HOST: vm", 27) + kTitles);
    EXPECT_EQ(l[2], pad("  1. AS64500  198.18.200.1", 27) + kStats1);
    EXPECT_EQ(l[3], pad("  2. AS???    ???", 27) + kStats2);
    EXPECT_EQ(l[4], pad("  3. AS???    198.19.250.1", 27) + kStats3);
}

TEST(ReportAsLookup, JsonAsnKeyAfterHost)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0, .naming = with_as()};
    auto o = report_json(meta, run, 0);
    const auto &hubs = o["report"]["hubs"];
    ASSERT_EQ(hubs.size(), 3u);
    EXPECT_EQ(hubs[0]["ASN"], "AS64500");
    EXPECT_EQ(hubs[1]["ASN"], "AS???");
    EXPECT_EQ(hubs[2]["ASN"], "AS???");
    std::vector<std::string> keys;
    for (auto it = hubs[0].begin(); it != hubs[0].end(); ++it)
        keys.push_back(it.key());
    ASSERT_GE(keys.size(), 5u);
    EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 5),
              (std::vector<std::string>{"count", "host", "ASN", "Loss%", "Snt"}));
    // Without -z: no key, as mtr.
    meta.naming = {};
    EXPECT_FALSE(report_json(meta, run, 0)["report"]["hubs"][0].contains("ASN"));
}

TEST(ReportAsLookup, CsvAsnColumnAfterIp)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 1795439006, .naming = with_as()};
    auto l = lines(format_csv(meta, run));
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0].rfind("Mtr_Version,Start_Time,Status,Host,Hop,Ip,Asn,Loss%,Snt, ,Last,", 0), 0u);
    EXPECT_EQ(l[1].rfind("MTR.0.95,1795439006,OK,198.19.250.1,1,198.18.200.1,AS64500,0.00,3,0,", 0), 0u);
    EXPECT_EQ(l[2].rfind("MTR.0.95,1795439006,OK,198.19.250.1,2,???,AS???,100.00,3,3,", 0), 0u);
}

TEST(ReportAsLookup, SecondAddressAndLiveView)
{
    MtrRun run(
        MtrRunConfig{.targets = {0xc6130101}, .min_ttl = 1, .max_ttl = 3, .flows = 2, .timeout_ms = 500});
    run.plan_round();
    run.round_sent(kBase, kBase, 6);
    run.on_reply(reply(0xc6130101, 1, 0, kBase, 1 * kMs, 0xc6120001, PM_REPLY_TIME_EXCEEDED));
    run.on_reply(reply(0xc6130101, 1, 1, kBase, 1 * kMs, 0xc6120002, PM_REPLY_TIME_EXCEEDED));
    run.expire_all();
    HostNaming n{.asn_of = [](uint32_t a) -> int64_t { return a == 0xc6120002 ? 64501 : 0; }};
    ReportMeta meta{.local_host = "vm", .naming = n};
    const std::string text = format_text_report(meta, run, 0);
    EXPECT_NE(text.find("\n  1. AS???    198.18.0.1 "), std::string::npos) << text;
    // A TTL's further address: mtr's "     AS%-7s%s".
    EXPECT_NE(text.find("\n     AS64501  198.18.0.2 "), std::string::npos) << text;
    EXPECT_NE(text.find("FLOW 1: 198.19.1.1"), std::string::npos);
    EXPECT_NE(text.find("\n  1. AS64501  198.18.0.2 "), std::string::npos) << text; // flow 1's path
    EXPECT_EQ(report_json(meta, run, 0)["report"]["flows"][1]["hubs"][0]["ASN"], "AS64501");

    LiveHeader h{.targets_text = "198.19.1.1", .rounds = 1, .proto = "icmp"};
    const std::string screen = render_live_screen(h, run, 40, n);
    EXPECT_NE(screen.find("     AS64501  198.18.0.2 "), std::string::npos) << screen;
}
