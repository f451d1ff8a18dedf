// pathmap mtr: mtr's per-hop loss and latency for one or many targets at
// once, load-balanced hops shown per address, mtr-compatible reports, hop
// names from reverse DNS as mtr shows them (asked while probing, never
// waited for except briefly before the final report), and with -z mtr's AS
// column from an offline database (libloc or --asn-db), never the network.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/io_path_cli.h"
#include "userspace/cli/mtr_store.h"
#include "userspace/cli/owners_cli.h"
#include "userspace/cli/stop_signals.h"
#include "userspace/mtr/mtr_driver.h"
#include "userspace/mtr/report_format.h"
#include "userspace/mtr/target_list.h"
#include "userspace/names/reverse_dns.h"

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
    std::string output, summary, iface;
    IoPathOptions io;
    std::string json_file, csv_file; // the same run in other formats too
    std::vector<std::string> allow;
    uint64_t rate = 20000;
    bool no_dns = false, show_ips = false, wide = false; // mtr -n, -b, -w
    std::string resolver;                                 // --resolver: "" = the system's resolv.conf
    unsigned rdns_timeout_ms = 1000;                      // --rdns-timeout, per try (as the sweep's)
    bool aslookup = false;                                // -z
    LocationOptions location;                             // -z's database: libloc, or --asn-db (implies -z)
    StoreCliOptions store;                                // --db: store the run (nothing without it)
};

// Reverse DNS for the hop hosts: each address is asked once, when it first
// answers; answers are taken between rounds without blocking; the final
// report waits a bounded time for the last ones. A resolver that answers
// nothing is one warning line, and the hosts stay addresses.
class HopNames {
public:
    // Throws names::ResolverError (a bad --resolver list, no resolver configuration).
    HopNames(const std::string &resolver, unsigned timeout_ms, bool live)
        : dns_({.timeout_ms = timeout_ms, .servers = resolver}), timeout_ms_(timeout_ms), live_(live)
    {
    }

    // The driver's on_tick: true when answers arrived (the live view redraws).
    bool tick(mtr::MtrRun &run)
    {
        for (uint32_t a : run.take_new_addresses()) dns_.ask(a);
        const bool fresh = dns_.poll(0) > 0;
        if (!live_) warn_if_dead(); // on a live screen a line on stderr would land inside the view
        return fresh;
    }

    // Before the final report: the names still out get 2 x --rdns-timeout +
    // 0.5 s (a c-ares query's two tries, as the sweep allows), 1 s after q/Ctrl-C.
    void finish(mtr::MtrRun &run, bool interrupted)
    {
        for (uint32_t a : run.take_new_addresses()) dns_.ask(a);
        dns_.drain(interrupted ? 1000 : 2 * timeout_ms_ + 500);
        warn_if_dead();
    }

    std::optional<std::string> name(uint32_t addr) const { return dns_.name(addr); }

    std::string status() const
    {
        const names::ReverseDnsStats &s = dns_.stats();
        if (dead()) return fmt::format("names: the resolver ({}) does not answer", dns_.servers());
        return fmt::format("names: {} resolved, {} without, {} pending", s.answered, s.no_name, dns_.outstanding());
    }

    // The same counts as the sweep's summary.json "rdns".
    nlohmann::ordered_json counts() const
    {
        const names::ReverseDnsStats &s = dns_.stats();
        return {{"servers", dns_.servers()}, {"queries", s.queries},     {"answered", s.answered},
                {"no_name", s.no_name},       {"failed", s.failed},       {"timed_out", s.timed_out},
                {"cut_at_deadline", s.cut}};
    }

private:
    // Lookups went out, every one that ended failed or timed out, none is left.
    bool dead() const
    {
        const names::ReverseDnsStats &s = dns_.stats();
        return s.queries > 0 && dns_.answered_any() == 0 && dns_.outstanding() == 0 && s.timed_out + s.failed + s.cut > 0;
    }
    void warn_if_dead()
    {
        if (warned_ || !dead()) return;
        warned_ = true;
        const names::ReverseDnsStats &s = dns_.stats();
        log::warn("reverse DNS: the resolver ({}) did not answer ({} of {} lookups timed out, {} failed); showing addresses",
                  dns_.servers(), s.timed_out + s.cut, s.queries, s.failed);
    }

    names::ReverseDns dns_;
    unsigned timeout_ms_;
    bool live_;
    bool warned_ = false;
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

    mtr::TargetList targets;
    try {
        targets = mtr::parse_targets(o.targets, Blocklist(parse_allow_list(o.allow)));
    } catch (const std::invalid_argument &e) {
        throw UsageError(e.what());
    }
    const auto db_url = mtr_db_url(o.store); // a malformed URL fails before anything is sent
    const auto started = store::Clock::now();
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

    // Names as mtr shows them: on unless -n. A bad --resolver list is a usage
    // error before anything is probed; a system without a usable resolver
    // configuration gets one warning and addresses.
    bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    const bool live = o.continuous && tty;
    std::unique_ptr<HopNames> names;
    if (!o.no_dns) {
        try {
            names = std::make_unique<HopNames>(o.resolver, o.rdns_timeout_ms, live);
        } catch (const names::ResolverError &e) {
            if (!o.resolver.empty()) throw UsageError(e.what());
            log::warn("reverse DNS: {}; showing addresses", e.what());
        }
    }
    if (names) {
        meta.naming.name_of = [n = names.get()](uint32_t a) { return n->name(a); };
        meta.naming.show_ips = o.show_ips;
    }
    meta.wide = o.wide;

    // -z: AS numbers offline. A database the user named that does not open
    // is one line and exit 1 before anything is sent; a missing system
    // database is one warning, and every hop shows AS???.
    std::unique_ptr<graph::LocationDb> owners;
    if (o.aslookup || !o.location.asn_db.empty()) {
        try {
            owners = std::make_unique<graph::LocationDb>(o.location.selected());
        } catch (const graph::LocationDbError &e) {
            if (!o.location.is_default()) throw;
            log::warn("{}: no AS numbers, every hop shows AS??? (scripts/setup.sh installs libloc-database)", e.what());
        }
        meta.naming.asn_of = [db = owners.get()](uint32_t a) -> int64_t {
            const graph::AddressOwner *own = db ? db->find(a) : nullptr;
            return own ? own->asn : 0;
        };
    }

    enum class Format { text, json, csv } format = o.json ? Format::json : o.csv ? Format::csv : Format::text;
    auto render = [&](const mtr::MtrRun &r) {
        if (names) meta.rdns = names->counts();
        if (format == Format::json) return mtr::format_json(meta, r);
        if (format == Format::csv) return mtr::format_csv(meta, r);
        std::string s;
        for (size_t t = 0; t < r.num_targets(); ++t) s += mtr::format_text_report(meta, r, t);
        return s;
    };

    std::string targets_text = o.targets.size() == 1 ? o.targets[0] : fmt::format("{} items", o.targets.size());
    if (targets.addrs.size() > 1) targets_text += fmt::format(" ({} targets)", targets.addrs.size());
    // Filled field by field: GCC 12 -O3 warns (falsely) about nested
    // designated initializers holding strings here.
    mtr::MtrDriverConfig dcfg;
    dcfg.session.iface = o.iface;
    dcfg.session.proto = proto;
    dcfg.session.dport = port;
    dcfg.session.tx = o.io.tx_kind();
    dcfg.session.rx_path = o.io.rx_path();
    dcfg.session.rate_pps = o.rate;
    // TCP replies above it are not ours. No send-time bound: MTR counts late
    // replies however late (sent = received + lost + late).
    dcfg.session.max_ttl = static_cast<uint8_t>(o.max_ttl);
    dcfg.rounds = o.continuous ? 0 : o.probes;
    dcfg.live_view = live;
    if (names) {
        dcfg.on_tick = [n = names.get()](mtr::MtrRun &r) { return n->tick(r); };
        dcfg.names_status = [n = names.get()] { return n->status(); };
    }
    dcfg.naming = meta.naming;
    dcfg.targets_text = targets_text;
    dcfg.proto_text = o.proto;
    if (o.continuous && !tty && o.report_every) {
        dcfg.report_every = o.report_every;
        dcfg.periodic_report = [&](const mtr::MtrRun &r) { write_output("", render(r)); };
    }

    StopSignals signals(on_stop_signal);
    g_stop = false;
    mtr::MtrDriverResult res = mtr::run_mtr(*run, dcfg, g_stop);
    if (names) names->finish(*run, res.interrupted);
    write_output(o.output, render(*run));
    if (!o.json_file.empty()) write_output(o.json_file, mtr::format_json(meta, *run));
    if (!o.csv_file.empty()) write_output(o.csv_file, mtr::format_csv(meta, *run));

    std::optional<StoreFailure> stored;
    if (db_url) {
        std::string asked;
        for (const auto &t : o.targets) asked += (asked.empty() ? "" : " ") + t;
        MtrStoreInput in{.run = *run,
                         .targets = asked,
                         .proto = o.proto,
                         .dst_port = meta.port,
                         .pps = o.rate,
                         .parameters = {{"proto", o.proto},
                                        {"rounds", run->rounds_sent()},
                                        {"interval_ms", o.interval_ms},
                                        {"timeout_ms", o.timeout_ms},
                                        {"min_ttl", o.min_ttl},
                                        {"max_ttl", o.max_ttl},
                                        {"flows", o.flows},
                                        {"iface", o.iface}},
                         .started = started,
                         // --continuous ends on q/Ctrl-C by design; a counted run cut short is not whole.
                         .complete = o.continuous || !res.interrupted};
        if (names) in.name_of = [n = names.get()](uint32_t a) { return n->name(a); };
        stored = store_mtr(*db_url, o.store, in);
    }

    const auto &c = run->counters();
    if (!o.summary.empty()) {
        nlohmann::json s = {
            {"probes_sent", c.sent},       {"received", c.received},     {"lost", c.lost},
            {"late", c.late},              {"duplicates", c.duplicates}, {"unmatched", c.unmatched},
            {"rounds", run->rounds_sent()}, {"targets", run->num_targets()}, {"duration_s", res.duration_s},
            {"interrupted", res.interrupted}, {"engine", res.engine},     {"tx_backpressure", res.tx_backpressure},
            {"tx_errors", res.tx_errors},   {"ringbuf_full", res.rx_ringbuf_full}, {"ring_malformed", res.ring_malformed},
        };
        s["rdns"] = names ? nlohmann::json(names->counts()) : nlohmann::json{{"mode", "none"}};
        write_output(o.summary, s.dump(2) + "\n");
    }
    if (!o.quiet) {
        log::info("mtr: sent {} received {} lost {} late {} duplicates {} unmatched {} in {:.1f} s", c.sent, c.received,
                  c.lost, c.late, c.duplicates, c.unmatched, res.duration_s);
        if (names) log::info("mtr: names {}", names->counts().dump());
    }
    raise_store_failure(stored);
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
    add_io_path_options(*cmd, opts->io);
    cmd->add_option("--rate", opts->rate, "Probes per second while a round is sent")->capture_default_str();
    cmd->add_flag("--quiet", opts->quiet, "No summary line");
    cmd->add_flag("-n,--no-dns", opts->no_dns, "Addresses only: no reverse DNS (mtr -n)");
    cmd->add_flag("-b,--show-ips", opts->show_ips,
                  "Names and addresses, \"name (address)\" (mtr -b); the report cuts hosts at 33 characters, -w shows them whole");
    cmd->add_flag("-w,--report-wide", opts->wide, "Report: the host column as wide as the longest host, never cut (mtr -w)");
    cmd->add_flag("-z,--aslookup", opts->aslookup,
                  "mtr's AS column (AS15169, AS??? for none) in the report and the live view, \"ASN\" in the JSON, "
                  "\"Asn\" in the CSV; offline, from the libloc database or --asn-db, never the network");
    add_owner_source_options(*cmd, opts->location, "hops with -z (--asn-db implies -z)");
    add_mtr_store_options(*cmd, opts->store);
    // The sweep's wording and limits (userspace/cli/rdns_cli.cpp).
    cmd->add_option("--resolver", opts->resolver,
                    "DNS servers for reverse lookups, comma-separated (default: the system's /etc/resolv.conf; inside "
                    "`ip netns exec NS`, /etc/netns/NS/resolv.conf)")
        ->type_name("IP[,IP]");
    cmd->add_option("--rdns-timeout", opts->rdns_timeout_ms, "Milliseconds per reverse lookup try (2 tries)")
        ->check(CLI::Range(50, 30000))
        ->capture_default_str();
    cmd->footer(
        "Hosts are shown as mtr shows them: the reverse DNS (PTR) name of each hop address, else the address;\n"
        "-n addresses only, -b both. Names never hold up probing: each address is looked up once, when it first\n"
        "answers, with c-ares; the live view fills names in as they arrive, and a report waits at most\n"
        "2 x --rdns-timeout + 0.5 s for the last ones. A resolver that answers nothing is one warning line and\n"
        "the hosts stay addresses; the counts are in the JSON (report.mtr.rdns) and in --summary.\n"
        "Examples:\n"
        "  pathmap mtr 198.19.1.7 --allow 198.18.0.0/15                    # 10 rounds, mtr -r table with names\n"
        "  pathmap mtr 198.19.1.7 --allow 198.18.0.0/15 -b -w              # \"name (address)\", column not cut\n"
        "  pathmap mtr 198.19.1.0/24 --allow 198.18.0.0/15 -n --json -o out.jsonl\n"
        "  pathmap mtr 198.19.1.7 --allow 198.18.0.0/15 --resolver 198.18.3.2 --continuous\n"
        "  pathmap mtr 198.19.1.7 --allow 198.18.0.0/15 --proto udp --flows 8   # see load-balanced branches\n"
        "  pathmap mtr 198.19.1.0/24 --allow 198.18.0.0/15 --db postgresql://pathmap@db/topology --vantage ams1\n"
        "Like mtr, a run writes no file unless asked: --db URL stores it (docs/STORE.md), else nothing is stored.");
    cmd->callback([opts] { run_mtr_command(*opts); });
}

} // namespace pathmap::cli
