// MTR reports in mtr 0.95's own formats, copied from its real output:
// `mtr -r` table, `mtr --json` object, `mtr --csv` rows; each with pathmap's
// extra fields after mtr's (received count, mean jitter, late replies, flows),
// so existing mtr consumers keep working. Hosts are written as mtr writes them
// (a name, the address, or "name (addr)" with -b; see host_naming.h). Pure:
// strings in, strings out.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "userspace/mtr/host_naming.h"
#include "userspace/mtr/mtr_run.h"

namespace pathmap::mtr {

struct ReportMeta {
    std::string local_host; // mtr's "HOST:" and JSON "src": the local host name
    std::time_t start_time = 0;
    std::string proto = "icmp";
    uint16_t port = 0;       // TCP/UDP destination port (0 = not shown)
    uint32_t packet_size = 64; // mtr's "psize": IP packet bytes
    uint32_t interval_ms = 1000, timeout_ms = 2000;
    HostNaming naming;  // hop hosts: names (default), addresses (-n), both (-b)
    bool wide = false;  // mtr -w: the host column as wide as the longest host, never cut
    // Reverse DNS counts for the JSON (report.mtr.rdns, after mtr's keys);
    // null: no such key (-n).
    nlohmann::ordered_json rdns;
};

// mtr's `Loss%` is kept in thousandths of a percent, truncated.
double mtr_loss_pct(uint64_t sent, uint64_t recv) noexcept;
// RTT in ms from microseconds, rounded to whole microseconds as mtr keeps them.
double mtr_ms(double us) noexcept;

// `mtr -r` for one target (Start line, HOST header, one line per row); with
// several flows, a table per flow's path follows.
std::string format_text_report(const ReportMeta &, const MtrRun &, size_t target);
// The `mtr --json` object {"report": {"mtr": ..., "hubs": [...]}} plus extras.
nlohmann::ordered_json report_json(const ReportMeta &, const MtrRun &, size_t target);
// One target: the object indented like mtr's; several: one compact object per line.
std::string format_json(const ReportMeta &, const MtrRun &);
// mtr's CSV header and rows for every target, extra columns at the end.
std::string format_csv(const ReportMeta &, const MtrRun &);
// The hop table alone (header + rows, the host column cut at mtr's 33
// characters), as the live view and reports share it.
std::string format_hop_table(const std::string &title, const HopTable &, const HostNaming &naming = {});

} // namespace pathmap::mtr
