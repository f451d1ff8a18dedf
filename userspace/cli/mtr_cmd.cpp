// pathmap mtr: mtr's per-hop loss and latency for one or many targets at
// once, load-balanced hops shown per address, mtr-compatible reports.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/stop_signals.h"
#include "userspace/mtr/mtr_driver.h"
#include "userspace/mtr/report_format.h"
#include "userspace/mtr/target_list.h"

namespace pathmap::cli {
namespace {

struct MtrOptions {
    std::vector<std::string> targets;
    std::string proto = "icmp";
    uint16_t port = 0;
    uint64_t probes = 10; // mtr's -c default for a report
    uint32_t interval_ms = 1000, timeout_ms = 2000;
    int min_ttl = 1, max_ttl = 30;
    int flows = 1;
    bool continuous = false, report = false, json = false, csv = false, quiet = false;
    uint64_t report_every = 10;
    std::string output, summary, iface, tx = "afxdp";
    std::string json_file, csv_file; // the same run in other formats too
    std::vector<std::string> allow;
    uint64_t rate = 20000;
};

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

// SIGINT/SIGTERM/SIGHUP only set a flag: the round loop notices it, drains,
// restores the terminal and prints the final report (userspace/cli/stop_signals.h).

std::string local_hostname()
{
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

void write_output(const std::string &path, const std::string &text)
{
    if (path.empty() || path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return;
    }
    std::ofstream f(path, std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + path);
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

void run_mtr_command(const MtrOptions &o)
{
    if (int(o.report) + int(o.json) + int(o.csv) > 1) throw UsageError("choose one of --report, --json, --csv");
    if (o.min_ttl < 1 || o.max_ttl > 255 || o.min_ttl > o.max_ttl)
        throw UsageError("--min-ttl and --max-ttl must satisfy 1 <= min <= max <= 255");
    if (o.flows < 1 || o.flows > 256) throw UsageError("--flows must be 1..256");
    if (o.interval_ms < 10) throw UsageError("--interval must be at least 10 ms");
    if (o.timeout_ms < 1 || o.timeout_ms > 60000) throw UsageError("--timeout must be 1..60000 ms");
    if (!o.continuous && o.probes == 0) throw UsageError("--probes must be at least 1 (or use --continuous)");

    probe::Proto proto;
    if (o.proto == "icmp") proto = probe::Proto::icmp;
    else if (o.proto == "udp") proto = probe::Proto::udp;
    else if (o.proto == "tcp") proto = probe::Proto::tcp;
    else throw UsageError("--proto must be icmp, udp or tcp");
    tx::TxKind tx_kind;
    if (o.tx == "afxdp") tx_kind = tx::TxKind::afxdp;
    else if (o.tx == "packet") tx_kind = tx::TxKind::packet;
    else if (o.tx == "raw") tx_kind = tx::TxKind::raw;
    else throw UsageError("--tx must be afxdp, packet or raw");

    mtr::TargetList targets;
    try {
        targets = mtr::parse_targets(o.targets, Blocklist(parse_allow_list(o.allow)));
    } catch (const std::invalid_argument &e) {
        throw UsageError(e.what());
    }
    uint16_t port = o.port ? o.port : targets.port;
    if (targets.port && o.port && targets.port != o.port) throw UsageError("--port and TARGET:PORT disagree");
    if (port && proto == probe::Proto::icmp) throw UsageError("a port needs --proto tcp or --proto udp");

    std::unique_ptr<mtr::MtrRun> run;
    try {
        run = std::make_unique<mtr::MtrRun>(mtr::MtrRunConfig{.targets = targets.addrs,
                                                               .min_ttl = static_cast<uint8_t>(o.min_ttl),
                                                               .max_ttl = static_cast<uint8_t>(o.max_ttl),
                                                               .flows = static_cast<uint16_t>(o.flows),
                                                               .interval_ms = o.interval_ms,
                                                               .timeout_ms = o.timeout_ms});
    } catch (const std::invalid_argument &e) {
        throw UsageError(e.what());
    }

    probe::FrameTemplate frame{.proto = proto, .dport = port};
    mtr::ReportMeta meta{.local_host = local_hostname(),
                         .start_time = std::time(nullptr),
                         .proto = o.proto,
                         .port = port ? port : (proto == probe::Proto::icmp ? uint16_t{0} : probe::effective_dport(frame)),
                         .packet_size = static_cast<uint32_t>(probe::frame_size(frame) - probe::kEthHeaderLen),
                         .interval_ms = o.interval_ms,
                         .timeout_ms = o.timeout_ms};

    enum class Format { text, json, csv } format = o.json ? Format::json : o.csv ? Format::csv : Format::text;
    auto render = [&](const mtr::MtrRun &r) {
        if (format == Format::json) return mtr::format_json(meta, r);
        if (format == Format::csv) return mtr::format_csv(meta, r);
        std::string s;
        for (size_t t = 0; t < r.num_targets(); ++t) s += mtr::format_text_report(meta, r, t);
        return s;
    };

    bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    std::string targets_text = o.targets.size() == 1 ? o.targets[0] : fmt::format("{} items", o.targets.size());
    if (targets.addrs.size() > 1) targets_text += fmt::format(" ({} targets)", targets.addrs.size());
    // Filled field by field: GCC 12 -O3 warns (falsely) about nested
    // designated initializers holding strings here.
    mtr::MtrDriverConfig dcfg;
    dcfg.session.iface = o.iface;
    dcfg.session.proto = proto;
    dcfg.session.dport = port;
    dcfg.session.tx = tx_kind;
    dcfg.session.rate_pps = o.rate;
    // TCP replies above it are not ours. No send-time bound: MTR counts late
    // replies however late (sent = received + lost + late).
    dcfg.session.max_ttl = static_cast<uint8_t>(o.max_ttl);
    dcfg.rounds = o.continuous ? 0 : o.probes;
    dcfg.live_view = o.continuous && tty;
    dcfg.targets_text = targets_text;
    dcfg.proto_text = o.proto;
    if (o.continuous && !tty && o.report_every) {
        dcfg.report_every = o.report_every;
        dcfg.periodic_report = [&](const mtr::MtrRun &r) { write_output("", render(r)); };
    }

    StopSignals signals(on_stop_signal);
    g_stop = false;
    mtr::MtrDriverResult res = mtr::run_mtr(*run, dcfg, g_stop);
    write_output(o.output, render(*run));
    if (!o.json_file.empty()) write_output(o.json_file, mtr::format_json(meta, *run));
    if (!o.csv_file.empty()) write_output(o.csv_file, mtr::format_csv(meta, *run));

    const auto &c = run->counters();
    if (!o.summary.empty()) {
        nlohmann::json s = {
            {"probes_sent", c.sent},       {"received", c.received},     {"lost", c.lost},
            {"late", c.late},              {"duplicates", c.duplicates}, {"unmatched", c.unmatched},
            {"rounds", run->rounds_sent()}, {"targets", run->num_targets()}, {"duration_s", res.duration_s},
            {"interrupted", res.interrupted}, {"engine", res.engine},     {"tx_backpressure", res.tx_backpressure},
            {"tx_errors", res.tx_errors},   {"ringbuf_full", res.rx_ringbuf_full}, {"ring_malformed", res.ring_malformed},
        };
        write_output(o.summary, s.dump(2) + "\n");
    }
    if (!o.quiet)
        log::info("mtr: sent {} received {} lost {} late {} duplicates {} unmatched {} in {:.1f} s", c.sent, c.received,
                  c.lost, c.late, c.duplicates, c.unmatched, res.duration_s);
}

} // namespace

void add_mtr_command(CLI::App &app)
{
    auto opts = std::make_shared<MtrOptions>();
    auto *cmd = app.add_subcommand("mtr", "Per-hop loss and latency (like mtr) for one target, a list or a whole CIDR");
    cmd->add_option("targets", opts->targets, "TARGET[:PORT]... or CIDR")->required();
    cmd->add_option("--proto", opts->proto, "Probe protocol: icmp (default), udp, tcp")->capture_default_str();
    cmd->add_option("--port", opts->port, "Destination port for udp/tcp (default 33434 udp, 80 tcp)");
    cmd->add_option("-c,--probes", opts->probes, "Rounds for a report (mtr -c)")->capture_default_str();
    cmd->add_option("--interval", opts->interval_ms, "Milliseconds between rounds")->capture_default_str();
    cmd->add_option("--timeout", opts->timeout_ms, "Milliseconds before an unanswered probe counts as lost; later replies count as late")
        ->capture_default_str();
    cmd->add_option("--min-ttl", opts->min_ttl, "First TTL probed")->capture_default_str();
    cmd->add_option("--max-ttl", opts->max_ttl, "Last TTL probed")->capture_default_str();
    cmd->add_option("--flows", opts->flows, "Paris flows per target: each flow keeps its path, so K flows show K load-balanced branches")
        ->capture_default_str();
    cmd->add_flag("--continuous", opts->continuous, "Run until q/Ctrl-C: live view on a terminal, else a report every --report-every rounds");
    cmd->add_option("--report-every", opts->report_every, "With --continuous and no terminal: rounds between reports")->capture_default_str();
    cmd->add_flag("--report", opts->report, "mtr -r style table (the default)");
    cmd->add_flag("--json", opts->json, "mtr --json object plus pathmap's fields");
    cmd->add_flag("--csv", opts->csv, "mtr --csv rows plus pathmap's columns");
    cmd->add_option("-o,--output", opts->output, "Write the final report to FILE instead of stdout");
    cmd->add_option("--json-file", opts->json_file, "Also write the final report as JSON to FILE");
    cmd->add_option("--csv-file", opts->csv_file, "Also write the final report as CSV to FILE");
    cmd->add_option("--summary", opts->summary, "Write probe accounting (sent, received, lost, late...) as JSON to FILE");
    cmd->add_option("--allow", opts->allow, "Allow targets in this special-purpose CIDR (repeatable; the testbed needs 198.18.0.0/15)")
        ->allow_extra_args(false); // one CIDR per --allow, so targets may follow it
    cmd->add_option("--iface", opts->iface, "Interface to probe from (default: the route to the first target)");
    cmd->add_option("--tx", opts->tx, "Sender: afxdp (default, falls back), packet, raw")->capture_default_str();
    cmd->add_option("--rate", opts->rate, "Probes per second while a round is sent")->capture_default_str();
    cmd->add_flag("--quiet", opts->quiet, "No summary line");
    cmd->callback([opts] { run_mtr_command(*opts); });
}

} // namespace pathmap::cli
