// RX benchmark: replies parsed by reply_rx, recorded in its ring buffer and
// consumed + matched by a userspace thread, with every packet accounted for.
//
// A producer thread feeds a batch of distinct crafted replies (Time Exceeded
// quoting ICMP/UDP/TCP probes, some with MPLS extensions, Echo Replies,
// SYN-ACKs) through bpf_prog_test_run_opts (repeat R per frame), optionally
// paced to --rate. A consumer thread drains the ring on a 50 us timer with
// ring_buffer__consume (the engine's consumption model) and matches each
// record against a preallocated table. Baselines in the same run, same
// frames and feeder: (a) live-frames test runs whose XDP_PASS frames enter
// the stack of a veth and are read by an AF_PACKET socket with recvmmsg (the
// raw/packet-socket receive path of classic tracers), (b) an XDP program that
// only counts and drops. Everything happens inside a network namespace this
// process unshares for itself; no frame leaves it.
//
//   rx_bench [--seconds S] [--rate PPS] [--repeat R] [--frames N]
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/bpf/reply_builder.h"
#include "userspace/engine/rx/reply_ring.h"
#include "userspace/engine/rx/reply_rx_program.h"

using namespace pathmap;
using namespace pathmap::bpftest;
using Clock = std::chrono::steady_clock;

namespace
{

constexpr uint32_t kRun = 0x0b5e55ed;
constexpr uint16_t kFlows = 8;

struct Options {
    double seconds = 5;
    double rate = 0;        // 0: unpaced
    uint32_t repeat = 1024; // per distinct frame: amortises the ~10-100 us test-run syscall
    uint32_t frames = 4096;
};

Options parse_args(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> double {
            if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
            return std::strtod(argv[++i], nullptr);
        };
        if (a == "--seconds")
            o.seconds = next();
        else if (a == "--rate")
            o.rate = next();
        else if (a == "--repeat")
            o.repeat = static_cast<uint32_t>(next());
        else if (a == "--frames")
            o.frames = static_cast<uint32_t>(next());
        else
            throw std::invalid_argument("unknown option " + a);
    }
    if (o.seconds <= 0 || o.repeat == 0 || o.frames == 0) throw std::invalid_argument("bad option value");
    return o;
}

std::vector<Bytes> make_frames(uint32_t n)
{
    std::vector<Bytes> frames;
    const uint32_t local = addr("198.18.0.1");
    for (uint32_t i = 0; i < n; ++i) {
        uint8_t protos[] = {PM_PROTO_ICMP, PM_PROTO_UDP, PM_PROTO_TCP};
        Probe p{.proto = protos[i % 3],
                .src_be = local,
                .dst_be = htonl(0xc6130000u | (i * 7919u & 0xffff)),
                .ttl = static_cast<uint8_t>(1 + i % 30),
                .ts24 = (i * 40503u + 1) & PM_TS_MASK,
                .flow_id = static_cast<uint16_t>(i % kFlows),
                .run_id = kRun};
        if (i % 16 == 15 && p.proto == PM_PROTO_ICMP) {
            frames.push_back(echo_reply(p, 55, static_cast<uint16_t>(i)));
        } else if (i % 16 == 14 && p.proto == PM_PROTO_TCP) {
            frames.push_back(tcp_reply(p, false, 55, static_cast<uint16_t>(i)));
        } else {
            IcmpError e{.router_be = htonl(0xc6120000u | (i & 0xffff)),
                        .local_be = local,
                        .reply_ttl = static_cast<uint8_t>(255 - p.ttl),
                        .reply_id = static_cast<uint16_t>(i),
                        .quote = probe_datagram(p)};
            if (i % 4 == 0) {
                e.quote_bytes = e.quote.size();
                e.extension = mpls_extension({mpls_lse(16000 + i, 0, true, 1)});
            }
            frames.push_back(icmp_error(e));
        }
    }
    return frames;
}

// Stand-in for the engine's matcher: validates each record and indexes it
// by (target, ttl) in a preallocated table, computing the RTT.
struct Matcher {
    std::vector<uint32_t> slots = std::vector<uint32_t>(1u << 20);
    uint64_t matched = 0, invalid = 0, rtt_units = 0;
    static void on_record(void *ctx, const pm_reply_record &r) noexcept
    {
        auto *m = static_cast<Matcher *>(ctx);
        if (r.flow_id >= kFlows || r.kind == 0 || r.probe_ttl == 0) {
            m->invalid++;
            return;
        }
        uint32_t now24 = static_cast<uint32_t>((r.rx_ns / PM_TS_UNIT_NS) & PM_TS_MASK);
        m->rtt_units += (now24 - r.probe_ts) & PM_TS_MASK;
        uint32_t key = (r.probe_dst * 2654435761u) ^ (uint32_t(r.probe_ttl) << 24) ^ r.flow_id;
        m->slots[key & (m->slots.size() - 1)]++;
        m->matched++;
    }
};

// bpf_prog_test_run_opts with repeat > 1 adds the program to the XDP
// dispatcher and removes it again, an RCU-tasks synchronisation of ~2 ms per
// call. A program already attached to a device stays in the dispatcher, so
// the calls become cheap: attach both programs to a veth pair inside a
// network namespace private to this process (nothing is ever sent on it).
// Also returns the ifindex of pmrxc0, the device the AF_PACKET baseline
// injects into (live-frames XDP_PASS) and reads from.
int keep_in_dispatcher(int reply_rx_fd, int baseline_fd, int pass_fd)
{
    if (unshare(CLONE_NEWNET) != 0)
        throw std::runtime_error(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
    if (std::system(
            "ip link add pmrxb0 type veth peer name pmrxb1 && ip link add pmrxc0 type veth peer name pmrxc1"
            " && ip link set pmrxc0 up && ip link set pmrxc1 up") != 0)
        throw std::runtime_error("creating veth pairs in the private namespace failed");
    int a = static_cast<int>(if_nametoindex("pmrxb0")), b = static_cast<int>(if_nametoindex("pmrxb1"));
    int c0 = static_cast<int>(if_nametoindex("pmrxc0")), c1 = static_cast<int>(if_nametoindex("pmrxc1"));
    if (bpf_xdp_attach(a, reply_rx_fd, XDP_FLAGS_DRV_MODE, nullptr) != 0 ||
        bpf_xdp_attach(b, baseline_fd, XDP_FLAGS_DRV_MODE, nullptr) != 0 ||
        bpf_xdp_attach(c1, pass_fd, XDP_FLAGS_DRV_MODE, nullptr) != 0)
        throw std::runtime_error("attaching the programs to the private veth failed");
    return c0;
}

// XDP program returning XDP_PASS: in live-frames test runs its frames enter
// the network stack of the ingress device, where an AF_PACKET socket sees them.
int load_pass_program()
{
    bpf_insn insns[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
        {.code = BPF_JMP | BPF_EXIT},
    };
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "rxb_pass", "GPL", insns, 2, nullptr);
    if (fd < 0) throw std::runtime_error(std::string("loading the pass program: ") + std::strerror(errno));
    return fd;
}

// The classic receive path (raw/packet socket + userspace): recvmmsg batches
// of 64 from an AF_PACKET socket on `ifindex`, polled on the same 50 us timer.
// It only checks each frame is IPv4 ICMP/TCP (no reply parsing), so it is an
// upper bound for that path.
struct PacketSocketReader {
    int fd = -1;
    uint64_t frames = 0, ipv4 = 0;
    explicit PacketSocketReader(int ifindex)
    {
        fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
        if (fd < 0) throw std::runtime_error(std::string("AF_PACKET socket: ") + std::strerror(errno));
        int buf = 256 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_protocol = htons(ETH_P_ALL);
        sll.sll_ifindex = ifindex;
        if (bind(fd, reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) != 0)
            throw std::runtime_error(std::string("AF_PACKET bind: ") + std::strerror(errno));
    }
    ~PacketSocketReader() { close(fd); }
    int drain() noexcept
    {
        constexpr int kBatch = 64;
        static thread_local uint8_t bufs[kBatch][2048];
        mmsghdr msgs[kBatch]{};
        iovec iov[kBatch];
        for (int i = 0; i < kBatch; ++i) {
            iov[i] = {bufs[i], sizeof(bufs[i])};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
        for (int i = 0; i < n; ++i) {
            const uint8_t *f = bufs[i];
            frames++;
            if (msgs[i].msg_len >= 34 && f[12] == 0x08 && f[13] == 0 && (f[23] == 1 || f[23] == 6)) ipv4++;
        }
        return n < 0 ? 0 : n;
    }
    uint64_t kernel_drops() const
    {
        tpacket_stats st{};
        socklen_t len = sizeof(st);
        getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len);
        return st.tp_drops;
    }
};

void pin_to_cpu(int cpu)
{
    if (std::thread::hardware_concurrency() < 2) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct Produced {
    uint64_t packets = 0;
    double seconds = 0;
    uint64_t kernel_ns = 0; // summed test-run duration reported by the kernel
};

// Feeds frames round-robin through prog_fd for `seconds`, paced to `rate`.
// live_ifindex != 0: live-frames mode, XDP_PASS frames enter that device's stack.
Produced produce(int prog_fd, const std::vector<Bytes> &frames, const Options &o, int live_ifindex = 0)
{
    pin_to_cpu(0);
    Produced out;
    auto start = Clock::now();
    auto end = start + std::chrono::duration<double>(o.seconds);
    size_t i = 0;
    for (;;) {
        auto now = Clock::now();
        if (now >= end) break;
        if (o.rate > 0) {
            double due = std::chrono::duration<double>(now - start).count() * o.rate;
            if (double(out.packets) >= due) continue; // spin: pacing granularity is one test run
        }
        const Bytes &f = frames[i++ % frames.size()];
        bpf_test_run_opts opts{};
        opts.sz = sizeof(opts);
        opts.data_in = f.data();
        opts.data_size_in = static_cast<uint32_t>(f.size());
        opts.repeat = o.repeat;
        xdp_md ctx{};
        if (live_ifindex) {
            ctx.ingress_ifindex = static_cast<uint32_t>(live_ifindex);
            ctx.data_end = opts.data_size_in; // the kernel insists ctx covers exactly data_in
            opts.ctx_in = &ctx;
            opts.ctx_size_in = sizeof(ctx);
            opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
        }
        if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
            throw std::runtime_error(std::string("bpf_prog_test_run_opts: ") + std::strerror(errno));
        out.packets += o.repeat;
        out.kernel_ns += uint64_t(opts.duration) * o.repeat;
    }
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
}

// XDP program that only bumps a per-CPU counter and drops: the floor cost of
// running any XDP program on these frames.
struct CountOnlyProgram {
    int map_fd = -1, prog_fd = -1;
    CountOnlyProgram()
    {
        map_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "rxb_count", 4, 8, 1, nullptr);
        if (map_fd < 0) throw std::runtime_error("bpf_map_create failed");
        bpf_insn insns[] = {
            {.code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0},
            {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10},
            {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4},
            {.code = BPF_LD | BPF_DW | BPF_IMM,
             .dst_reg = BPF_REG_1,
             .src_reg = BPF_PSEUDO_MAP_FD,
             .imm = map_fd},
            {},
            {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem},
            {.code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 3, .imm = 0},
            {.code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_0},
            {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1, .imm = 1},
            {.code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1},
            {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_DROP},
            {.code = BPF_JMP | BPF_EXIT},
        };
        prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "rxb_count", "GPL", insns,
                                sizeof(insns) / sizeof(insns[0]), nullptr);
        if (prog_fd < 0)
            throw std::runtime_error(std::string("loading the count-only program: ") + std::strerror(errno));
    }
    ~CountOnlyProgram()
    {
        close(prog_fd);
        close(map_fd);
    }
    uint64_t count() const
    {
        int ncpu = libbpf_num_possible_cpus();
        std::vector<uint64_t> v(static_cast<size_t>(ncpu));
        uint32_t key = 0;
        bpf_map_lookup_elem(map_fd, &key, v.data());
        uint64_t s = 0;
        for (auto x : v)
            s += x;
        return s;
    }
};

} // namespace

int main(int argc, char **argv)
try {
    Options o = parse_args(argc, argv);
    auto frames = make_frames(o.frames);

    CountOnlyProgram base;
    rx::ReplyRxProgram prog({.run_id = kRun, .local_addr_be = addr("198.18.0.1"), .num_flows = kFlows});
    int pass_fd = load_pass_program();
    int live_if = keep_in_dispatcher(prog.prog_fd(), base.prog_fd, pass_fd);

    // Baseline 2: the same frames delivered to the stack and read by AF_PACKET.
    PacketSocketReader reader(live_if);
    std::atomic<bool> reader_stop{false};
    std::thread reader_thread([&] {
        pin_to_cpu(1);
        while (!reader_stop.load(std::memory_order_relaxed))
            if (reader.drain() == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
    Produced pk;
    try {
        pk = produce(pass_fd, frames, o, live_if);
    } catch (...) {
        reader_stop = true;
        reader_thread.join();
        throw;
    }
    auto pk_drain_start = Clock::now();
    reader_stop = true;
    reader_thread.join();
    while (reader.drain() > 0) {
    }
    double pk_seconds = pk.seconds + std::chrono::duration<double>(Clock::now() - pk_drain_start).count();
    uint64_t pk_drops = reader.kernel_drops();
    close(pass_fd);

    // Baseline: same frames, same feeder, a program that only counts.
    Produced b = produce(base.prog_fd, frames, o);
    uint64_t base_counted = base.count();

    // reply_rx: parse, record, consume on a timer, match.
    Matcher matcher;
    rx::ReplyRing ring(prog.ring_fd(), &Matcher::on_record, &matcher);
    std::atomic<bool> stop{false};
    uint64_t polls = 0;
    std::thread consumer([&] {
        pin_to_cpu(1);
        while (!stop.load(std::memory_order_relaxed)) {
            if (ring.consume() == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
            polls++;
        }
    });
    Produced p = produce(prog.prog_fd(), frames, o);
    auto drain_start = Clock::now();
    stop = true;
    consumer.join();
    while (ring.consume() > 0) {
    }
    double drain_s = std::chrono::duration<double>(Clock::now() - drain_start).count();

    auto c = prog.counters();
    uint64_t recorded = 0, counted = 0;
    for (int s = PM_RX_TIME_EXCEEDED; s <= PM_RX_TCP_RST; ++s)
        recorded += c[s];
    recorded += c[PM_RX_BAD_EXTENSION];
    for (auto v : c)
        counted += v;
    uint64_t lost_full = c[PM_RX_RINGBUF_FULL];
    int64_t unaccounted =
        int64_t(p.packets) - int64_t(counted) + int64_t(recorded - matcher.matched - matcher.invalid);
    double total_s = p.seconds + drain_s;
    double consumed_rate = double(matcher.matched) / total_s;

    std::printf("{\"frames\": %u, \"repeat\": %u, \"offered_rate\": %.0f,\n", o.frames, o.repeat, o.rate);
    std::printf(
        " \"baseline_count_only\": {\"packets\": %llu, \"counted\": %llu, \"seconds\": %.3f, \"pps\": %.0f, "
        "\"kernel_ns_per_pkt\": %.1f},\n",
        (unsigned long long)b.packets, (unsigned long long)base_counted, b.seconds,
        double(b.packets) / b.seconds, double(b.kernel_ns) / double(b.packets));
    std::printf(
        " \"reply_rx\": {\"packets\": %llu, \"recorded\": %llu, \"matched\": %llu, \"invalid\": %llu, "
        "\"ringbuf_full\": %llu, \"unaccounted\": %lld, \"seconds\": %.3f, \"drain_seconds\": %.3f, "
        "\"replies_per_s\": %.0f, \"kernel_ns_per_pkt\": %.1f, \"consumer_polls\": %llu, "
        "\"malformed_records\": %llu},\n",
        (unsigned long long)p.packets, (unsigned long long)recorded, (unsigned long long)matcher.matched,
        (unsigned long long)matcher.invalid, (unsigned long long)lost_full, (long long)unaccounted, p.seconds,
        drain_s, consumed_rate, double(p.kernel_ns) / double(p.packets), (unsigned long long)polls,
        (unsigned long long)ring.malformed());
    std::printf(" \"baseline_af_packet\": {\"packets\": %llu, \"received\": %llu, \"ipv4_replies\": %llu, "
                "\"socket_drops\": %llu, \"seconds\": %.3f, \"replies_per_s\": %.0f},\n",
                (unsigned long long)pk.packets, (unsigned long long)reader.frames,
                (unsigned long long)reader.ipv4, (unsigned long long)pk_drops, pk_seconds,
                double(reader.ipv4) / pk_seconds);
    std::printf(" \"ratio_vs_af_packet\": %.3f,\n", consumed_rate / (double(reader.ipv4) / pk_seconds));
    std::printf(" \"ratio_vs_count_only\": %.3f}\n", consumed_rate / (double(b.packets) / b.seconds));
    if (unaccounted != 0 || matcher.invalid != 0 || base_counted != b.packets) {
        std::fprintf(stderr, "rx_bench: accounting mismatch (see unaccounted/invalid)\n");
        return 2;
    }
    return 0;
} catch (const std::exception &e) {
    std::fprintf(stderr, "rx_bench: %s\n", e.what());
    return 1;
}
