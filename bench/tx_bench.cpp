// TX benchmark driver (run by bench/run_tx_bench.sh inside its namespaces).
//   tx_bench throughput --kind afxdp|packet|raw [--seconds 5] [--batch 64] [--proto icmp] [--tx-budget raise|kernel]
//   tx_bench pace --kind K --rate R [--seconds 5] [--pacer current|previous]
//   tx_bench tserr --kind K --rate R --capture-netns PATH --capture-iface IF [--seconds 3]
// Common: --target A.B.C.D (first target, default 198.18.0.1), --iface IF,
// --sink-map-id ID (per-CPU counter of the XDP sink: received frames).
// Probes go through pathmap's real sender: next-hop resolution, encoding,
// checksums, batching. One JSON object per run on stdout.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/engine/tx/next_hop.h"
#include "userspace/engine/tx/pacer.h"
#include "userspace/engine/tx/sender.h"

using namespace pathmap;

namespace {

struct Args {
    std::string mode;
    std::map<std::string, std::string> kv;
    std::string get(const std::string &k, const std::string &def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
    uint64_t num(const std::string &k, uint64_t def) const { return std::stoull(get(k, std::to_string(def))); }
};

uint64_t sink_count(int map_fd)
{
    if (map_fd < 0) return 0;
    const int ncpu = libbpf_num_possible_cpus();
    std::vector<uint64_t> v(static_cast<size_t>(std::max(ncpu, 1)));
    const uint32_t key = 0;
    if (bpf_map_lookup_elem(map_fd, &key, v.data()) != 0) return 0;
    uint64_t s = 0;
    for (uint64_t x : v) s += x;
    return s;
}

// A stream of distinct probes: targets across a /16, TTLs 1..32.
struct ProbeStream {
    uint32_t base;
    uint64_t i = 0;
    void fill(std::span<probe::ProbeSpec> out)
    {
        for (auto &p : out) {
            p.dst = base + static_cast<uint32_t>((i >> 5) & 0xffff);
            p.ttl = static_cast<uint8_t>(1 + (i & 31));
            p.flow_id = 0;
            ++i;
        }
    }
};

tx::TxKind parse_kind(const std::string &s)
{
    if (s == "afxdp") return tx::TxKind::afxdp;
    if (s == "packet") return tx::TxKind::packet;
    if (s == "raw") return tx::TxKind::raw;
    throw std::runtime_error("unknown --kind " + s);
}

probe::Proto parse_proto(const std::string &s)
{
    if (s == "icmp") return probe::Proto::icmp;
    if (s == "udp") return probe::Proto::udp;
    if (s == "tcp") return probe::Proto::tcp;
    throw std::runtime_error("unknown --proto " + s);
}

struct RunStats {
    uint64_t sent = 0;
    uint64_t elapsed_ns = 0;
    uint64_t cpu_ns = 0;     // process CPU time over the window (softirq work run in our context included)
    uint64_t pacer_lost = 0; // probes' worth of time the pacer could not repay (stalls beyond its window)
    uint64_t peak_10ms = 0;  // most probes handed to the kernel in any 10 ms window
};

uint64_t process_cpu_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

double load1()
{
    double l = -1;
    if (FILE *f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &l) != 1) l = -1;
        std::fclose(f);
    }
    return l;
}

// Sends for `seconds`, paced by `rate` (0 = as fast as possible) the way a
// sweep does: wait for a chunk (~100 us of rate), send what is due.
RunStats run_sender(tx::Sender &sender, uint32_t base, const tx::PacerConfig &pace, double seconds, uint32_t batch)
{
    tx::Pacer pacer(pace);
    std::vector<tx::SendEvent> sends;
    sends.reserve(1 << 20);
    tx::MonotonicClock clock;
    ProbeStream stream{base};
    std::vector<probe::ProbeSpec> buf(batch);
    size_t pending = 0, offset = 0; // probes in buf not yet accepted
    RunStats r;
    const uint64_t cpu0 = process_cpu_ns();
    const uint64_t t0 = tx::monotonic_ns();
    const uint64_t end = t0 + static_cast<uint64_t>(seconds * 1e9);
    uint64_t now = t0;
    while (now < end) {
        if (pending == 0) {
            stream.fill(buf);
            pending = buf.size();
            offset = 0;
        }
        const tx::PaceWait w = tx::await_allowance(pacer, clock, pacer.chunk(batch), pending);
        const size_t went = sender.send(std::span(buf).subspan(offset, w.allowed));
        pacer.consume(went);
        if (went) sends.push_back({w.now_ns, static_cast<uint32_t>(went)});
        r.sent += went;
        offset += went;
        pending -= went;
        now = tx::monotonic_ns();
    }
    sender.flush();
    r.elapsed_ns = now - t0;
    r.cpu_ns = process_cpu_ns() - cpu0;
    r.pacer_lost = pacer.lost();
    r.peak_10ms = tx::busiest_window(sends);
    return r;
}

struct Arrival {
    uint32_t ts24;
    uint64_t rx_realtime_ns;
};

int tserr(const Args &a, tx::Sender &sender, uint32_t base, uint32_t run_id)
{
    // Capture socket in the receiver's namespace, kernel receive timestamps.
    const int self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int peer_ns = open(a.get("capture-netns", "").c_str(), O_RDONLY | O_CLOEXEC);
    if (self_ns < 0 || peer_ns < 0 || setns(peer_ns, CLONE_NEWNET) != 0) throw std::runtime_error("cannot enter --capture-netns");
    const int cap = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = static_cast<int>(if_nametoindex(a.get("capture-iface", "").c_str()));
    if (cap < 0 || bind(cap, reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) != 0) throw std::runtime_error("capture socket");
    const int one = 1, rcvbuf = 64 << 20;
    setsockopt(cap, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    setsockopt(cap, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
    if (setns(self_ns, CLONE_NEWNET) != 0) throw std::runtime_error("cannot return to the sender namespace");

    std::vector<Arrival> arrivals;
    arrivals.reserve(2'000'000);
    std::atomic<bool> stop{false};
    std::thread rx([&] {
        std::vector<uint8_t> buf(2048);
        alignas(cmsghdr) char ctrl[256];
        while (!stop.load(std::memory_order_relaxed)) {
            pollfd p{cap, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            iovec iov{buf.data(), buf.size()};
            msghdr m{};
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = ctrl;
            m.msg_controllen = sizeof(ctrl);
            const ssize_t n = recvmsg(cap, &m, MSG_DONTWAIT);
            if (n <= 0) continue;
            timespec ts{};
            for (cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            if (auto d = probe::decode_probe({buf.data(), static_cast<size_t>(n)}, run_id); d && d->checksums_ok)
                arrivals.push_back({d->ts24, uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec)});
        }
    });

    // CLOCK_REALTIME - CLOCK_MONOTONIC, from the tightest of several samples.
    int64_t offset = 0;
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 100; ++i) {
        timespec m1, r, m2;
        clock_gettime(CLOCK_MONOTONIC, &m1);
        clock_gettime(CLOCK_REALTIME, &r);
        clock_gettime(CLOCK_MONOTONIC, &m2);
        const uint64_t a1 = uint64_t(m1.tv_sec) * 1'000'000'000ull + uint64_t(m1.tv_nsec);
        const uint64_t a2 = uint64_t(m2.tv_sec) * 1'000'000'000ull + uint64_t(m2.tv_nsec);
        const uint64_t rr = uint64_t(r.tv_sec) * 1'000'000'000ull + uint64_t(r.tv_nsec);
        if (a2 - a1 < best) {
            best = a2 - a1;
            offset = int64_t(rr) - int64_t((a1 + a2) / 2);
        }
    }
    const RunStats rs = run_sender(sender, base, tx::PacerConfig{.rate_pps = a.num("rate", 100000)}, std::stod(a.get("seconds", "3")),
                                   static_cast<uint32_t>(a.num("batch", 64)));
    const uint64_t sent = rs.sent, elapsed = rs.elapsed_ns;
    usleep(300'000);
    stop = true;
    rx.join();
    close(cap);

    std::vector<double> err_us;
    err_us.reserve(arrivals.size());
    for (const Arrival &x : arrivals) {
        const uint64_t rx_mono = uint64_t(int64_t(x.rx_realtime_ns) - offset);
        const uint32_t rx_units = probe::ts24_from_ns(rx_mono);
        const uint32_t age_units = (rx_units - x.ts24) & PM_TS_MASK;
        // Send time is the start of the 10 us unit the encoder stamped.
        const uint64_t sent_ns = (rx_mono / PM_TS_UNIT_NS - age_units) * PM_TS_UNIT_NS;
        err_us.push_back(double(rx_mono - sent_ns) / 1000.0);
    }
    std::sort(err_us.begin(), err_us.end());
    auto pct = [&](double q) { return err_us.empty() ? -1.0 : err_us[std::min(err_us.size() - 1, size_t(q * double(err_us.size())))]; };
    std::printf("{\"mode\":\"tserr\",\"tx\":\"%s\",\"rate\":%llu,\"sent\":%llu,\"captured\":%zu,\"pps\":%.0f,"
                "\"err_us_p50\":%.1f,\"err_us_p99\":%.1f,\"err_us_p999\":%.1f,\"err_us_max\":%.1f,\"ts_resolution_us\":10}\n",
                sender.describe().c_str(), (unsigned long long)a.num("rate", 100000), (unsigned long long)sent,
                arrivals.size(), double(sent) * 1e9 / double(elapsed), pct(0.5), pct(0.99), pct(0.999),
                err_us.empty() ? -1.0 : err_us.back());
    return 0;
}

int run(const Args &a)
{
    const uint32_t target = parse_ipv4(a.get("target", "198.18.0.1")).value_or(0);
    if (target == 0) throw std::runtime_error("bad --target");
    const tx::NextHop hop = tx::resolve_next_hop(target, a.get("iface", ""));
    const uint32_t run_id = 0xbe4c0001;
    tx::SenderConfig cfg{.iface = hop.iface,
                         .kind = parse_kind(a.get("kind", "afxdp")),
                         .frame = {.src_mac = hop.src_mac,
                                   .dst_mac = hop.dst_mac,
                                   .src_ip = hop.src_ip,
                                   .proto = parse_proto(a.get("proto", "icmp")),
                                   .run_id = run_id},
                         .batch = static_cast<uint32_t>(a.num("batch", 64)),
                         .allow_fallback = false,
                         .num_queues = static_cast<uint32_t>(a.num("queues", 1))};
    // --tx-budget kernel: the 32 frames per kick of kernels before 6.17,
    // beside the raised budget on the same kernel (docs/TX.md).
    const std::string budget = a.get("tx-budget", "raise");
    if (budget != "raise" && budget != "kernel") throw std::runtime_error("--tx-budget: raise or kernel");
    cfg.raise_tx_budget = budget == "raise";
    auto sender = tx::make_sender(cfg);
    if (a.mode == "tserr") return tserr(a, *sender, target, run_id);

    const int map_fd = a.kv.count("sink-map-id") ? bpf_map_get_fd_by_id(static_cast<uint32_t>(a.num("sink-map-id", 0))) : -1;
    const uint64_t rate = a.mode == "pace" ? a.num("rate", 1000) : 0;
    const double load_before = load1();
    const uint64_t rx0 = sink_count(map_fd);
    // --pacer previous: the defaults before bounded bursts (100 ms idle bank,
    // 1 s catch-up), for a side-by-side run in one binary.
    tx::PacerConfig pace{.rate_pps = rate};
    const std::string pacer_kind = a.get("pacer", "current");
    if (pacer_kind == "previous") {
        pace.burst = static_cast<uint32_t>(std::max<uint64_t>(1, rate / 10));
        pace.catch_up_ns = 1'000'000'000;
    } else if (pacer_kind != "current") {
        throw std::runtime_error("--pacer: current or previous");
    }
    const RunStats rs = run_sender(*sender, target, pace, std::stod(a.get("seconds", "5")), cfg.batch);
    usleep(100'000); // let the last frames reach the sink
    const uint64_t received = sink_count(map_fd) - rx0;
    const double secs = double(rs.elapsed_ns) / 1e9;
    const double cpu_s = double(rs.cpu_ns) / 1e9;
    std::printf("{\"mode\":\"%s\",\"tx\":\"%s\",\"kind\":\"%s\",\"batch\":%u,\"rate\":%llu,\"seconds\":%.3f,\"sent\":%llu,"
                "\"received\":%llu,\"pps\":%.0f,\"rx_pps\":%.0f,\"backpressure\":%llu,\"errors\":%llu,"
                "\"cpu_util\":%.3f,\"cpu_ns_per_probe\":%.0f,\"mpps_per_cpu\":%.3f,\"pacer_lost\":%llu,\"load1\":%.2f,"
                "\"pacer\":\"%s\",\"peak_10ms\":%llu}\n",
                a.mode.c_str(), sender->describe().c_str(), tx::to_string(cfg.kind), cfg.batch, (unsigned long long)rate,
                secs, (unsigned long long)rs.sent, (unsigned long long)received, double(rs.sent) / secs,
                map_fd >= 0 ? double(received) / secs : -1.0, (unsigned long long)sender->stats().backpressure,
                (unsigned long long)sender->stats().errors, cpu_s / secs,
                rs.sent ? double(rs.cpu_ns) / double(rs.sent) : 0.0, cpu_s > 0 ? double(rs.sent) / cpu_s / 1e6 : 0.0,
                (unsigned long long)rs.pacer_lost, std::max(load_before, load1()), pacer_kind.c_str(),
                (unsigned long long)rs.peak_10ms);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Args a;
    if (argc < 2) {
        std::fprintf(stderr, "usage: tx_bench throughput|pace|tserr [--key value]...\n");
        return 2;
    }
    a.mode = argv[1];
    if (a.mode != "throughput" && a.mode != "pace" && a.mode != "tserr") {
        std::fprintf(stderr, "tx_bench: unknown mode '%s'\n", argv[1]);
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k.rfind("--", 0) != 0) {
            std::fprintf(stderr, "tx_bench: expected --key value, got '%s'\n", argv[i]);
            return 2;
        }
        a.kv[k.substr(2)] = argv[i + 1];
    }
    try {
        return run(a);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "tx_bench: %s\n", e.what());
        return 1;
    }
}
