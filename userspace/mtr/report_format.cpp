// Formatters for mtr-compatible reports. Layout details (field widths, the
// spacer column after Snt, truncation of an over-wide field by the next one,
// Loss% in truncated thousandths, RTTs in whole microseconds) follow what
// Debian's mtr 0.95 prints; see docs/MTR.md for captured samples.
#include "userspace/mtr/report_format.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "pathmap/ipv4.h"

namespace pathmap::mtr {

namespace {

// mtr's report host column: " %2d.|-- %-33s", the statistics at column 33,
// so a longer host loses its tail. With -w (mtr's report-wide) L is the
// longest host text (or the local host name): the header is "HOST: %-Ls"
// and rows " %2d.|-- %-Ls", each followed by its statistics, so mtr's wide
// header sits two columns left of its rows; we print exactly that.
//
// With -z (mtr's ipinfo, report.c/asn.c) a row is " %2d. AS%-7s%-Ls" (a
// TTL's further addresses "     AS%-7s%s"), still cut at column 33 unless
// wide; wide adds one to L for the rows and writes the header
// "HOST: %-(L+9)s", so header and rows line up.
constexpr size_t kHostColumn = 33;
constexpr size_t kAsField = 9; // "AS" + "%-7s"

struct HostColumn {
    bool wide = false;
    size_t len = kHostColumn; // L when wide
    bool as = false;          // -z: the AS field before the host
};

// fmt_ipinfo's "AS%-7s": padded, never cut.
std::string as_field(const HostNaming &naming, const std::optional<uint32_t> &addr)
{
    std::string s = naming.as_text(addr);
    if (s.size() < kAsField) s.append(kAsField - s.size(), ' ');
    return s;
}

struct Field {
    const char *title;
    size_t width;
};
// mtr's default "LS NABWV" then our additions (mtr's own R and M fields).
constexpr Field kFields[] = {{"Loss%", 6}, {"Snt", 6}, {" ", 1},    {"Last", 6}, {"Avg", 6},  {"Best", 6},
                             {"Wrst", 6},  {"StDev", 6}, {"Rcv", 6}, {"Javg", 6}, {"Late", 6}};
constexpr size_t kNumFields = sizeof(kFields) / sizeof(kFields[0]);

// mtr writes each field at a fixed offset, so a field wider than its slot
// loses its tail to the next one ("100.0%" shows as "100.0").
void put_field(std::string &line, size_t at, const std::string &text)
{
    if (line.size() < at) line.append(at - line.size(), ' ');
    line.resize(at);
    line += text;
}

std::string pad_or_cut(std::string s, const HostColumn &col, size_t wide_len)
{
    const size_t want = col.wide ? wide_len : kHostColumn;
    if (s.size() < want) s.append(want - s.size(), ' ');
    if (!col.wide) s.resize(kHostColumn);
    return s;
}

std::string row_prefix(uint8_t ttl, bool first_at_ttl, const HostNaming &naming, const std::optional<uint32_t> &addr,
                       const HostColumn &col)
{
    const std::string host = naming.host(addr);
    if (col.as) {
        std::string s = first_at_ttl ? fmt::format(" {:2d}. {}{}", ttl, as_field(naming, addr), host)
                                     : fmt::format("     {}{}", as_field(naming, addr), host);
        return pad_or_cut(std::move(s), col, 5 + kAsField + col.len + 1);
    }
    std::string s = first_at_ttl ? fmt::format(" {:2d}.|-- {}", ttl, host) : fmt::format("    |-- {}", host);
    return pad_or_cut(std::move(s), col, 8 + col.len);
}

std::string stats_line(std::string line, uint64_t sent, uint64_t recv, uint64_t late, const RttStats *rtt)
{
    RttStats none;
    const RttStats &s = rtt ? *rtt : none;
    const std::string values[kNumFields] = {
        fmt::format(" {:4.1f}%", mtr_loss_pct(sent, recv)),
        fmt::format(" {:5d}", sent),
        " ",
        fmt::format(" {:5.1f}", mtr_ms(s.last_us())),
        fmt::format(" {:5.1f}", mtr_ms(s.mean_us())),
        fmt::format(" {:5.1f}", mtr_ms(s.best_us())),
        fmt::format(" {:5.1f}", mtr_ms(s.worst_us())),
        fmt::format(" {:5.1f}", mtr_ms(s.stdev_us())),
        fmt::format(" {:5d}", recv),
        fmt::format(" {:5.1f}", mtr_ms(s.jitter_us())),
        fmt::format(" {:5d}", late),
    };
    size_t at = line.size();
    for (size_t i = 0; i < kNumFields; ++i) {
        put_field(line, at, values[i]);
        at += kFields[i].width;
    }
    return line;
}

std::string header_line(const std::string &title, const HostColumn &col = {})
{
    std::string line = pad_or_cut(title, col, 6 + col.len + (col.as ? kAsField : 0));
    for (const auto &f : kFields) line += fmt::format("{:>{}}", f.title, f.width);
    return line;
}

std::string table_rows(const HopTable &table, const HostNaming &naming, const HostColumn &col)
{
    std::string out;
    for (const HopRow &r : table.rows())
        out += stats_line(row_prefix(r.ttl, r.first_at_ttl, naming, r.addr, col), r.sent, r.recv, r.late, r.rtt) + "\n";
    return out;
}

std::string iso_time(std::time_t t)
{
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    return buf;
}

nlohmann::ordered_json flows_json(const std::vector<uint16_t> &flows)
{
    auto a = nlohmann::ordered_json::array();
    for (uint16_t f : flows) a.push_back(f);
    return a;
}

} // namespace

double mtr_loss_pct(uint64_t sent, uint64_t recv) noexcept
{
    if (sent == 0 || recv >= sent) return 0.0;
    uint64_t thousandths = (sent - recv) * 100'000 / sent;
    return static_cast<double>(thousandths) / 1000.0;
}

double mtr_ms(double us) noexcept { return static_cast<double>(std::llround(us)) / 1000.0; }

std::string format_hop_table(const std::string &title, const HopTable &table, const HostNaming &naming)
{
    const HostColumn col{.as = naming.aslookup()};
    return header_line(title, col) + "\n" + table_rows(table, naming, col);
}

std::string format_text_report(const ReportMeta &meta, const MtrRun &run, size_t target)
{
    const HopTable &table = run.table(target);
    HostColumn col{.as = meta.naming.aslookup()};
    if (meta.wide) {
        col.wide = true;
        col.len = meta.local_host.size();
        for (const HopRow &r : table.rows()) col.len = std::max(col.len, meta.naming.host(r.addr).size());
        if (table.flows() > 1)
            for (uint16_t f = 0; f < table.flows(); ++f)
                for (const FlowPathHop &h : table.flow_path(f)) col.len = std::max(col.len, meta.naming.host(h.addr).size());
    }
    std::string out = "Start: " + iso_time(meta.start_time) + "\n";
    out += header_line("HOST: " + meta.local_host, col) + "\n" + table_rows(table, meta.naming, col);
    if (table.flows() > 1) {
        for (uint16_t f = 0; f < table.flows(); ++f) {
            out += header_line(fmt::format("FLOW {}: {}", f, format_ipv4(run.config().targets[target])), col) + "\n";
            for (const FlowPathHop &h : table.flow_path(f))
                out += stats_line(row_prefix(h.ttl, true, meta.naming, h.addr, col), h.sent, h.recv, 0, h.rtt) + "\n";
        }
    }
    return out;
}

nlohmann::ordered_json report_json(const ReportMeta &meta, const MtrRun &run, size_t target)
{
    using json = nlohmann::ordered_json;
    const HopTable &table = run.table(target);
    json mtr = {
        {"src", meta.local_host},
        {"dst", format_ipv4(run.config().targets[target])},
        {"tos", 0},
        {"tests", run.rounds_sent()},
        {"psize", std::to_string(meta.packet_size)},
        {"bitpattern", "0x00"},
    };
    // pathmap's additions, after mtr's keys.
    mtr["proto"] = meta.proto;
    if (meta.port) mtr["port"] = meta.port;
    mtr["interval_ms"] = meta.interval_ms;
    mtr["timeout_ms"] = meta.timeout_ms;
    mtr["flows"] = table.flows();
    mtr["reached"] = table.reached();
    if (!meta.rdns.is_null()) mtr["rdns"] = meta.rdns;

    auto hop_json = [&meta](uint8_t ttl, const std::optional<uint32_t> &addr, uint64_t sent, uint64_t recv, const RttStats *rtt) {
        RttStats none;
        const RttStats &s = rtt ? *rtt : none;
        json h{{"count", ttl}, {"host", meta.naming.host(addr)}};
        if (meta.naming.aslookup()) h["ASN"] = meta.naming.as_text(addr); // mtr -z's key, after host
        h.update(json{
            {"Loss%", mtr_loss_pct(sent, recv)},
            {"Snt", sent},
            {"Last", mtr_ms(s.last_us())},
            {"Avg", mtr_ms(s.mean_us())},
            {"Best", mtr_ms(s.best_us())},
            {"Wrst", mtr_ms(s.worst_us())},
            {"StDev", mtr_ms(s.stdev_us())},
            {"Rcv", recv},
            {"Javg", mtr_ms(s.jitter_us())},
        });
        return h;
    };
    json hubs = json::array();
    for (const HopRow &r : table.rows()) {
        json h = hop_json(r.ttl, r.addr, r.sent, r.recv, r.rtt);
        h["Late"] = r.late;
        h["flows"] = flows_json(r.flows);
        h["first_at_ttl"] = r.first_at_ttl;
        hubs.push_back(std::move(h));
    }
    json report = {{"mtr", std::move(mtr)}, {"hubs", std::move(hubs)}};
    if (table.flows() > 1) {
        json flows = json::array();
        for (uint16_t f = 0; f < table.flows(); ++f) {
            json path = json::array();
            for (const FlowPathHop &h : table.flow_path(f)) path.push_back(hop_json(h.ttl, h.addr, h.sent, h.recv, h.rtt));
            flows.push_back(json{{"flow", f}, {"hubs", std::move(path)}});
        }
        report["flows"] = std::move(flows);
    }
    return json{{"report", std::move(report)}};
}

std::string format_json(const ReportMeta &meta, const MtrRun &run)
{
    if (run.num_targets() == 1) return report_json(meta, run, 0).dump(4) + "\n";
    std::string out;
    for (size_t t = 0; t < run.num_targets(); ++t) out += report_json(meta, run, t).dump() + "\n";
    return out;
}

std::string format_csv(const ReportMeta &meta, const MtrRun &run)
{
    // mtr ends its header with a comma (an empty 15th column); our extra
    // columns take that place, so mtr's 14 columns keep their positions.
    // With -z mtr puts "Asn" after "Ip".
    const bool as = meta.naming.aslookup();
    std::string out = std::string("Mtr_Version,Start_Time,Status,Host,Hop,Ip,") + (as ? "Asn," : "") +
                      "Loss%,Snt, ,Last,Avg,Best,Wrst,StDev,Rcv,Javg,Late,Flows\n";
    for (size_t t = 0; t < run.num_targets(); ++t) {
        std::string dst = format_ipv4(run.config().targets[t]);
        for (const HopRow &r : run.table(t).rows()) {
            RttStats none;
            const RttStats &s = r.rtt ? *r.rtt : none;
            std::string flows;
            for (uint16_t f : r.flows) {
                if (!flows.empty()) flows += ';';
                flows += std::to_string(f);
            }
            const std::string ip = as ? meta.naming.host(r.addr) + "," + meta.naming.as_text(r.addr) : meta.naming.host(r.addr);
            out += fmt::format("MTR.0.95,{},OK,{},{},{},{:.2f},{},{},{:.2f},{:.2f},{:.2f},{:.2f},{:.2f},{},{:.2f},{},{}\n",
                               static_cast<long long>(meta.start_time), dst, r.ttl, ip,
                               mtr_loss_pct(r.sent, r.recv), r.sent, r.sent - r.recv, mtr_ms(s.last_us()),
                               mtr_ms(s.mean_us()), mtr_ms(s.best_us()), mtr_ms(s.worst_us()), mtr_ms(s.stdev_us()), r.recv,
                               mtr_ms(s.jitter_us()), r.late, flows);
        }
    }
    return out;
}

} // namespace pathmap::mtr
