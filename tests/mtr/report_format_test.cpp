// Report formatters against mtr 0.95's real layouts (captured from Debian's
// mtr on a namespace testbed; see docs/MTR.md).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sstream>

#include "userspace/mtr/live_view.h"
#include "userspace/mtr/report_format.h"

using namespace pathmap::mtr;

namespace {
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kBase = 7'000'000 * kMs;

pm_reply_record reply(uint32_t dst, uint8_t ttl, uint16_t flow, uint64_t send_ns, uint64_t rtt_ns, uint32_t from, uint8_t kind)
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

// Two hops: 198.18.200.1 answers 3 of 3 (RTT 85, 95, 105 us... rounded to
// 10 us stamps), the target at TTL 3 after a silent TTL 2 answers 2 of 3.
MtrRun sample_run()
{
    MtrRun run(MtrRunConfig{.targets = {0xc613fa01}, .min_ttl = 1, .max_ttl = 5, .interval_ms = 1000, .timeout_ms = 500});
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

// Names as a resolver would give them: TTL 1 has one, the target none.
HostNaming named(bool show_ips = false)
{
    return HostNaming{.name_of = [](uint32_t a) -> std::optional<std::string> {
                          if (a == 0xc612c801) return std::string("xe-0-0-2.r1.ams1.example.net");
                          return std::nullopt;
                      },
                      .show_ips = show_ips};
}

std::vector<std::string> lines(const std::string &s)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}
} // namespace

TEST(ReportFormat, LossIsTruncatedThousandthsLikeMtr)
{
    EXPECT_DOUBLE_EQ(mtr_loss_pct(3, 1), 66.666);
    EXPECT_DOUBLE_EQ(mtr_loss_pct(3, 3), 0.0);
    EXPECT_DOUBLE_EQ(mtr_loss_pct(3, 0), 100.0);
    EXPECT_DOUBLE_EQ(mtr_loss_pct(0, 0), 0.0);
    EXPECT_DOUBLE_EQ(mtr_ms(85.4), 0.085);
}

TEST(ReportFormat, TextTableMatchesMtrColumns)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0};
    auto l = lines(format_text_report(meta, run, 0));
    ASSERT_EQ(l.size(), 5u);
    EXPECT_EQ(l[0].rfind("Start: ", 0), 0u);
    // mtr 0.95's header, then pathmap's three extra columns.
    EXPECT_EQ(l[1], "HOST: vm                          Loss%   Snt   Last   Avg  Best  Wrst StDev   Rcv  Javg  Late");
    EXPECT_EQ(l[2], "  1.|-- 198.18.200.1               0.0%     3    0.3   0.2   0.1   0.3   0.1     3   0.1     0");
    // mtr prints 100% loss as "100.0": the '%' is overwritten by the next field.
    EXPECT_EQ(l[3], "  2.|-- ???                       100.0     3    0.0   0.0   0.0   0.0   0.0     0   0.0     0");
    EXPECT_EQ(l[4], "  3.|-- 198.19.250.1              33.3%     3    2.0   2.0   2.0   2.0   0.0     2   0.0     0");
}

TEST(ReportFormat, JsonHasMtrKeysAndTypes)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0};
    auto j = nlohmann::json::parse(format_json(meta, run));
    const auto &m = j.at("report").at("mtr");
    EXPECT_EQ(m.at("src"), "vm");
    EXPECT_EQ(m.at("dst"), "198.19.250.1");
    EXPECT_TRUE(m.at("tos").is_number_integer());
    EXPECT_EQ(m.at("tests"), 3);
    EXPECT_TRUE(m.at("psize").is_string()); // mtr writes it as a string
    EXPECT_EQ(m.at("bitpattern"), "0x00");
    const auto &hubs = j.at("report").at("hubs");
    ASSERT_EQ(hubs.size(), 3u);
    EXPECT_EQ(hubs[0].at("count"), 1);
    EXPECT_EQ(hubs[0].at("host"), "198.18.200.1");
    EXPECT_TRUE(hubs[0].at("Loss%").is_number_float());
    EXPECT_TRUE(hubs[0].at("Snt").is_number_integer());
    EXPECT_DOUBLE_EQ(hubs[0].at("Best").get<double>(), 0.095); // 100 us less half a 10 us stamp unit
    EXPECT_EQ(hubs[1].at("host"), "???");
    EXPECT_DOUBLE_EQ(hubs[1].at("Loss%").get<double>(), 100.0);
    EXPECT_DOUBLE_EQ(hubs[2].at("Loss%").get<double>(), 33.333);
    EXPECT_EQ(hubs[2].at("Rcv"), 2);
    EXPECT_TRUE(hubs[2].contains("Javg"));
    EXPECT_TRUE(hubs[2].contains("Late"));
    // mtr's key order first: existing consumers that read by position still work.
    auto o = report_json(meta, run, 0);
    std::vector<std::string> keys;
    for (auto it = o["report"]["hubs"][0].begin(); it != o["report"]["hubs"][0].end(); ++it) keys.push_back(it.key());
    ASSERT_GE(keys.size(), 9u);
    EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 9),
              (std::vector<std::string>{"count", "host", "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev"}));
    keys.clear();
    for (auto it = o["report"]["mtr"].begin(); it != o["report"]["mtr"].end(); ++it) keys.push_back(it.key());
    EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 6),
              (std::vector<std::string>{"src", "dst", "tos", "tests", "psize", "bitpattern"}));
}

TEST(ReportFormat, CsvKeepsMtrColumnsFirst)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 1795439006};
    auto l = lines(format_csv(meta, run));
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0].rfind("Mtr_Version,Start_Time,Status,Host,Hop,Ip,Loss%,Snt, ,Last,Avg,Best,Wrst,StDev,", 0), 0u);
    EXPECT_EQ(l[2].rfind("MTR.0.95,1795439006,OK,198.19.250.1,2,???,100.00,3,3,0.00,0.00,0.00,0.00,0.00,", 0), 0u);
    EXPECT_EQ(l[3].rfind("MTR.0.95,1795439006,OK,198.19.250.1,3,198.19.250.1,33.33,3,1,", 0), 0u);
}

TEST(ReportFormat, FlowTablesFollowWithSeveralFlows)
{
    MtrRun run(MtrRunConfig{.targets = {0xc6130101}, .min_ttl = 1, .max_ttl = 3, .flows = 2, .timeout_ms = 500});
    run.plan_round();
    run.round_sent(kBase, kBase, 6);
    run.on_reply(reply(0xc6130101, 1, 0, kBase, 1 * kMs, 0xc6120001, PM_REPLY_TIME_EXCEEDED));
    run.on_reply(reply(0xc6130101, 1, 1, kBase, 1 * kMs, 0xc6120002, PM_REPLY_TIME_EXCEEDED));
    run.expire_all();
    ReportMeta meta{.local_host = "vm"};
    std::string text = format_text_report(meta, run, 0);
    EXPECT_NE(text.find("  1.|-- 198.18.0.1"), std::string::npos);
    EXPECT_NE(text.find("    |-- 198.18.0.2"), std::string::npos); // second address at TTL 1, own row
    EXPECT_NE(text.find("FLOW 0: 198.19.1.1"), std::string::npos);
    EXPECT_NE(text.find("FLOW 1: 198.19.1.1"), std::string::npos);
    auto j = report_json(meta, run, 0);
    ASSERT_EQ(j["report"]["flows"].size(), 2u);
    EXPECT_EQ(j["report"]["flows"][1]["hubs"][0]["host"], "198.18.0.2");
}

TEST(LiveView, HeaderAndScreen)
{
    MtrRun run = sample_run();
    LiveHeader h{.targets_text = "198.19.250.1", .rounds = 3, .pps_out = 12, .pps_in = 8, .elapsed_s = 3725, .proto = "icmp"};
    std::string head = format_live_header(h);
    EXPECT_NE(head.find("round 3"), std::string::npos);
    EXPECT_NE(head.find("01:02:05"), std::string::npos);
    std::string screen = render_live_screen(h, run, 40);
    EXPECT_NE(screen.find("198.18.200.1"), std::string::npos);
    EXPECT_NE(screen.find("sent 11"), std::string::npos);
    // A tiny terminal gets a note instead of a cut table.
    EXPECT_NE(render_live_screen(h, run, 4).find("more target"), std::string::npos);
}

// Debian mtr 0.95 on the testbed (`mtr -r`, `-r -b`, `-r -b -w`), the same
// names: the host column is cut at 33 characters unless -w.
TEST(ReportNames, TextReportCutsNamesAtMtrsColumn)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0, .naming = named()};
    auto l = lines(format_text_report(meta, run, 0));
    ASSERT_EQ(l.size(), 5u);
    // mtr -r:  "  1.|-- xe-0-0-2.r1.ams1.example.  0.0%     3    0.1 ..."
    EXPECT_EQ(l[2], "  1.|-- xe-0-0-2.r1.ams1.example.  0.0%     3    0.3   0.2   0.1   0.3   0.1     3   0.1     0");
    EXPECT_EQ(l[3], "  2.|-- ???                       100.0     3    0.0   0.0   0.0   0.0   0.0     0   0.0     0");
    // No name: the address, as mtr.
    EXPECT_EQ(l[4], "  3.|-- 198.19.250.1              33.3%     3    2.0   2.0   2.0   2.0   0.0     2   0.0     0");

    meta.naming = named(true);
    l = lines(format_text_report(meta, run, 0));
    ASSERT_EQ(l.size(), 5u);
    // mtr -r -b: "name (addr)" cut by the Loss% field.
    EXPECT_EQ(l[2], "  1.|-- xe-0-0-2.r1.ams1.example.  0.0%     3    0.3   0.2   0.1   0.3   0.1     3   0.1     0");
    EXPECT_EQ(l[4], "  3.|-- 198.19.250.1              33.3%     3    2.0   2.0   2.0   2.0   0.0     2   0.0     0");
}

TEST(ReportNames, WideReportIsMtrsLayout)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 0, .naming = named(true), .wide = true};
    auto l = lines(format_text_report(meta, run, 0));
    ASSERT_EQ(l.size(), 5u);
    // mtr -r -b -w: L = the longest host (43 here); "HOST: %-Ls" and
    // " %2d.|-- %-Ls", each followed by its statistics, so the header sits
    // two columns left of the rows, exactly as mtr prints it.
    const std::string host = "xe-0-0-2.r1.ams1.example.net (198.18.200.1)";
    ASSERT_EQ(host.size(), 43u);
    EXPECT_EQ(l[1], "HOST: vm" + std::string(41, ' ') +
                        " Loss%   Snt   Last   Avg  Best  Wrst StDev   Rcv  Javg  Late");
    EXPECT_EQ(l[2], "  1.|-- " + host + "  0.0%     3    0.3   0.2   0.1   0.3   0.1     3   0.1     0");
    EXPECT_EQ(l[3], "  2.|-- ???" + std::string(41, ' ') + "100.0     3    0.0   0.0   0.0   0.0   0.0     0   0.0     0");
    EXPECT_EQ(l[4], "  3.|-- 198.19.250.1" + std::string(31, ' ') +
                        " 33.3%     3    2.0   2.0   2.0   2.0   0.0     2   0.0     0");
    // Addresses only and wide: the column is the longest address (or the host name).
    meta.naming = {};
    l = lines(format_text_report(meta, run, 0));
    EXPECT_EQ(l[1], "HOST: vm" + std::string(10, ' ') + " Loss%   Snt   Last   Avg  Best  Wrst StDev   Rcv  Javg  Late");
    EXPECT_EQ(l[2], "  1.|-- 198.18.200.1  0.0%     3    0.3   0.2   0.1   0.3   0.1     3   0.1     0");
}

TEST(ReportNames, JsonAndCsvHostsAsMtr)
{
    MtrRun run = sample_run();
    ReportMeta meta{.local_host = "vm", .start_time = 1795439006, .naming = named()};
    auto j = nlohmann::json::parse(format_json(meta, run));
    const auto &hubs = j.at("report").at("hubs");
    ASSERT_EQ(hubs.size(), 3u);
    EXPECT_EQ(hubs[0].at("host"), "xe-0-0-2.r1.ams1.example.net"); // never cut in JSON
    EXPECT_EQ(hubs[1].at("host"), "???");
    EXPECT_EQ(hubs[2].at("host"), "198.19.250.1");
    EXPECT_EQ(j.at("report").at("mtr").at("dst"), "198.19.250.1"); // the target, as given
    EXPECT_FALSE(j.at("report").at("mtr").contains("rdns"));        // no counts: no key

    meta.naming = named(true);
    meta.rdns = {{"servers", "198.18.3.2"}, {"queries", 2}, {"answered", 1}};
    j = nlohmann::json::parse(format_json(meta, run));
    EXPECT_EQ(j["report"]["hubs"][0]["host"], "xe-0-0-2.r1.ams1.example.net (198.18.200.1)");
    EXPECT_EQ(j["report"]["hubs"][2]["host"], "198.19.250.1");
    EXPECT_EQ(j["report"]["mtr"]["rdns"]["answered"], 1);
    // The counts come after mtr's keys and pathmap's others: mtr's order is untouched.
    auto o = report_json(meta, run, 0);
    std::vector<std::string> keys;
    for (auto it = o["report"]["mtr"].begin(); it != o["report"]["mtr"].end(); ++it) keys.push_back(it.key());
    EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 6),
              (std::vector<std::string>{"src", "dst", "tos", "tests", "psize", "bitpattern"}));
    EXPECT_EQ(keys.back(), "rdns");

    // mtr --csv: Host is the target, Ip the hop's host text (name, or "name (addr)" with -b).
    auto l = lines(format_csv(meta, run));
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[1].rfind("MTR.0.95,1795439006,OK,198.19.250.1,1,xe-0-0-2.r1.ams1.example.net (198.18.200.1),0.00,3,0,", 0), 0u);
    EXPECT_EQ(l[3].rfind("MTR.0.95,1795439006,OK,198.19.250.1,3,198.19.250.1,33.33,", 0), 0u);
    meta.naming = named();
    l = lines(format_csv(meta, run));
    EXPECT_EQ(l[1].rfind("MTR.0.95,1795439006,OK,198.19.250.1,1,xe-0-0-2.r1.ams1.example.net,0.00,3,0,", 0), 0u);
}

TEST(ReportNames, HostTextRules)
{
    HostNaming none;
    EXPECT_EQ(none.host(std::nullopt), "???");
    EXPECT_EQ(none.host(0xc612c801), "198.18.200.1");
    EXPECT_EQ(named().host(std::nullopt), "???");
    EXPECT_EQ(named().host(0xc612c801), "xe-0-0-2.r1.ams1.example.net");
    EXPECT_EQ(named(true).host(0xc612c801), "xe-0-0-2.r1.ams1.example.net (198.18.200.1)");
    EXPECT_EQ(named(true).host(0x0a000001), "10.0.0.1"); // -b without a name: the address alone, as mtr
    HostNaming empty_name{.name_of = [](uint32_t) -> std::optional<std::string> { return std::string(); }};
    EXPECT_EQ(empty_name.host(0x0a000001), "10.0.0.1");
    // A PTR record cannot smuggle escapes onto the terminal or separators into the CSV.
    HostNaming hostile{.name_of = [](uint32_t) -> std::optional<std::string> { return std::string("a\x1b[2J,b c.net"); }};
    EXPECT_EQ(hostile.host(0x0a000001), "a??2J?b?c.net");
    EXPECT_EQ(printable_name("be1.r2_x-y.example.net"), "be1.r2_x-y.example.net");
}

TEST(ReportNames, FlowTablesAndLiveViewUseNames)
{
    MtrRun run(MtrRunConfig{.targets = {0xc6130101}, .min_ttl = 1, .max_ttl = 3, .flows = 2, .timeout_ms = 500});
    run.plan_round();
    run.round_sent(kBase, kBase, 6);
    run.on_reply(reply(0xc6130101, 1, 0, kBase, 1 * kMs, 0xc6120001, PM_REPLY_TIME_EXCEEDED));
    run.on_reply(reply(0xc6130101, 1, 1, kBase, 1 * kMs, 0xc6120002, PM_REPLY_TIME_EXCEEDED));
    run.expire_all();
    HostNaming n{.name_of = [](uint32_t a) -> std::optional<std::string> {
        if (a == 0xc6120002) return std::string("be2.r4.fra2.example.net");
        return std::nullopt;
    }};
    ReportMeta meta{.local_host = "vm", .naming = n};
    std::string text = format_text_report(meta, run, 0);
    EXPECT_NE(text.find("  1.|-- 198.18.0.1"), std::string::npos);
    EXPECT_NE(text.find("    |-- be2.r4.fra2.example.net "), std::string::npos); // the second address's own row
    EXPECT_NE(text.find("FLOW 1: 198.19.1.1"), std::string::npos);
    EXPECT_NE(text.find("  1.|-- be2.r4.fra2.example.net "), std::string::npos); // flow 1's path
    auto j = report_json(meta, run, 0);
    EXPECT_EQ(j["report"]["flows"][1]["hubs"][0]["host"], "be2.r4.fra2.example.net");

    LiveHeader h{.targets_text = "198.19.1.1", .rounds = 1, .proto = "icmp", .names_status = "names: 1 resolved, 0 without, 1 pending"};
    std::string screen = render_live_screen(h, run, 40, n);
    EXPECT_NE(screen.find("    |-- be2.r4.fra2.example.net "), std::string::npos);
    EXPECT_NE(screen.find("in flight 0  |  names: 1 resolved"), std::string::npos);
    // Without naming the view shows addresses.
    EXPECT_NE(render_live_screen(h, run, 40).find("    |-- 198.18.0.2 "), std::string::npos);
}

// Reverse DNS asks for each address once, when it first gets a row.
TEST(ReportNames, NewAddressesAreHandedOutOnce)
{
    MtrRun run(MtrRunConfig{.targets = {0xc6130101, 0xc6130102}, .min_ttl = 1, .max_ttl = 3, .timeout_ms = 500});
    run.plan_round();
    run.round_sent(kBase, kBase, 6);
    run.on_reply(reply(0xc6130101, 1, 0, kBase, 1 * kMs, 0xc6120001, PM_REPLY_TIME_EXCEEDED));
    run.on_reply(reply(0xc6130102, 1, 0, kBase, 1 * kMs, 0xc6120001, PM_REPLY_TIME_EXCEEDED));
    EXPECT_EQ(run.take_new_addresses(), (std::vector<uint32_t>{0xc6120001, 0xc6120001})); // one row per table
    EXPECT_TRUE(run.take_new_addresses().empty());
    run.on_reply(reply(0xc6130101, 1, 0, kBase, 1 * kMs, 0xc6120001, PM_REPLY_TIME_EXCEEDED)); // duplicate
    EXPECT_TRUE(run.take_new_addresses().empty());
    // A late reply's address gets a row, and is handed out too.
    run.on_reply(reply(0xc6130101, 2, 0, kBase, 900 * kMs, 0xc6120005, PM_REPLY_TIME_EXCEEDED));
    EXPECT_EQ(run.take_new_addresses(), (std::vector<uint32_t>{0xc6120005}));
}
