// AF_XDP TX. Frames are pre-filled with the template once; send() rewrites
// only the per-probe fields, reserves and submits whole batches, kicks the
// kernel every batch (copy mode transmits inside sendto) and reclaims the
// completion ring, so a frame waits in the ring as little as possible.
#include "userspace/engine/tx/xsk_sender.h"

#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <xdp/xsk.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pathmap/log.h"
#include "userspace/engine/tx/iface_info.h"
#include "userspace/engine/tx/pacer.h"

// Linux 6.17 lets copy mode transmit more than 32 frames per sendto; the
// Debian 12 uapi headers predate it.
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

namespace pathmap::tx {
namespace {

constexpr uint32_t kFillRingSize = 64; // unused (TX only) but the UMEM needs one
constexpr int kMaxKicksPerBatch = 8;

struct MmapDeleter {
    size_t len;
    void operator()(void *p) const noexcept { munmap(p, len); }
};
struct UmemDeleter {
    void operator()(xsk_umem *u) const noexcept { xsk_umem__delete(u); }
};
struct XskDeleter {
    void operator()(xsk_socket *s) const noexcept { xsk_socket__delete(s); }
};

std::string memlock_hint()
{
    rlimit rl{};
    getrlimit(RLIMIT_MEMLOCK, &rl);
    const std::string cur = rl.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(rl.rlim_cur / 1024) + " KiB";
    return "the UMEM could not be locked in memory (RLIMIT_MEMLOCK is " + cur +
           "); raise it with `ulimit -l` or grant CAP_IPC_LOCK";
}

// The kernel's answer is the feature probe: one line per process, however
// many queues or sessions meet it (describe() names the budget per sender).
void note_budget_refused(int err)
{
    static std::atomic<bool> said{false};
    if (said.exchange(true)) return;
    log::info("AF_XDP: the kernel refused XDP_MAX_TX_SKB_BUDGET ({}): copy mode sends up to 32 frames per kick, "
              "as before Linux 6.17",
              errno_text(err));
}

// One queue's socket and its UMEM. Member order matters: the socket must go
// before the UMEM, the UMEM before its memory.
class XskQueue {
public:
    XskQueue(const SenderConfig &cfg, uint32_t queue, uint32_t frames) : frames_(frames), queue_(queue)
    {
        const size_t len = size_t{frames} * kXskFrameSize;
        void *area = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED) throw std::runtime_error("AF_XDP: cannot map " + std::to_string(len) + " bytes of UMEM");
        area_ = {area, MmapDeleter{len}};

        xsk_umem_config ucfg{};
        ucfg.fill_size = kFillRingSize;
        ucfg.comp_size = frames;
        ucfg.frame_size = kXskFrameSize;
        ucfg.frame_headroom = 0;
        xsk_umem *umem = nullptr;
        int err = xsk_umem__create(&umem, area, len, &fill_, &comp_, &ucfg);
        if (err) {
            const int e = -err;
            if (e == ENOMEM || e == EPERM) throw std::runtime_error("AF_XDP on " + cfg.iface + ": " + memlock_hint());
            throw std::runtime_error("AF_XDP UMEM registration failed: " + errno_text(e));
        }
        umem_.reset(umem);

        xsk_socket_config scfg{};
        scfg.rx_size = 0;
        scfg.tx_size = frames;
        scfg.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD; // TX only: no redirect program needed
        scfg.xdp_flags = 0;
        scfg.bind_flags = XDP_USE_NEED_WAKEUP | (cfg.zerocopy ? XDP_ZEROCOPY : XDP_COPY);
        copy_mode_ = !cfg.zerocopy;
        xsk_socket *xsk = nullptr;
        // The kernel frees a closed socket's hold on its queue from a work
        // queue, after the process is gone: a run started right after another
        // one on the same queue sees EBUSY for a few milliseconds. Retried for
        // up to a second (tx_bench's back-to-back runs met it every time).
        auto create = [&] {
            int r = xsk_socket__create(&xsk, cfg.iface.c_str(), queue, umem, nullptr, &tx_, &scfg);
            for (int tries = 0; r == -EBUSY && tries < 50; ++tries) {
                usleep(20'000);
                r = xsk_socket__create(&xsk, cfg.iface.c_str(), queue, umem, nullptr, &tx_, &scfg);
            }
            return r;
        };
        err = create();
        if (cfg.zerocopy && (err == -EOPNOTSUPP || err == -EINVAL))
            throw std::runtime_error("AF_XDP zero-copy on " + cfg.iface + " queue " + std::to_string(queue) +
                                     " is not supported by its driver (veth never has it); drop --zerocopy: copy mode "
                                     "still sends far faster than a socket");
        if (err) {
            const int e = -err;
            std::string msg = "AF_XDP socket on " + cfg.iface + " queue " + std::to_string(queue) + " failed: " + errno_text(e);
            if (e == EPERM) msg += "; needs root (CAP_NET_RAW and CAP_BPF/CAP_SYS_ADMIN)";
            if (e == ENOMEM) msg += "; " + memlock_hint();
            if (e == EBUSY) msg += "; another AF_XDP socket is bound to this queue";
            if (e == ENODEV || e == ENXIO) msg += "; check the interface exists and is up";
            if (e == EINVAL) {
                const uint32_t nq = iface_tx_queues(cfg.iface);
                msg += queue >= nq ? "; " + cfg.iface + " has " + std::to_string(nq) + " queue(s)"
                                   : "; the driver may not support AF_XDP (try --tx packet)";
            }
            throw std::runtime_error(msg);
        }
        xsk_.reset(xsk);
        fd_ = xsk_socket__fd(xsk);
        if (copy_mode_ && cfg.raise_tx_budget) {
            const unsigned budget = frames;
            if (setsockopt(fd_, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget)) == 0)
                budget_raised_ = true;
            else
                note_budget_refused(errno);
        }

        // Pre-encode every frame with the template; send() only rewrites the
        // per-probe fields.
        auto *base = static_cast<uint8_t *>(area);
        const probe::ProbeSpec dummy{.dst = 0, .ttl = 1, .flow_id = 0};
        free_.reserve(frames);
        for (uint32_t i = 0; i < frames; ++i) {
            probe::encode_probe(cfg.frame, dummy, 0, {base + size_t{i} * kXskFrameSize, kXskFrameSize});
            free_.push_back(uint64_t{i} * kXskFrameSize);
        }
        base_ = base;
    }

    // Encodes and submits up to probes.size() probes as one batch. Returns
    // how many were queued.
    size_t submit(const probe::FrameTemplate &t, std::span<const probe::ProbeSpec> probes, size_t frame_len,
                  TxStats &stats) noexcept
    {
        reclaim();
        const uint32_t n = static_cast<uint32_t>(std::min(probes.size(), free_.size()));
        if (n == 0) {
            kick(stats);
            ++stats.backpressure;
            return 0;
        }
        uint32_t idx = 0;
        if (xsk_ring_prod__reserve(&tx_, n, &idx) != n) {
            kick(stats);
            ++stats.backpressure;
            return 0;
        }
        const uint32_t ts = probe::now_ts24(); // batch submit time
        for (uint32_t i = 0; i < n; ++i) {
            const uint64_t addr = free_.back();
            free_.pop_back();
            probe::reencode_probe(t, probes[i], ts, {base_ + addr, kXskFrameSize});
            xdp_desc *d = xsk_ring_prod__tx_desc(&tx_, idx + i);
            d->addr = addr;
            d->len = static_cast<uint32_t>(frame_len);
            d->options = 0;
        }
        xsk_ring_prod__submit(&tx_, n);
        outstanding_ += n;
        stats.sent += n;
        kick(stats);
        return n;
    }

    void kick(TxStats &stats) noexcept
    {
        // Copy mode transmits inside sendto, up to its budget per call, and
        // answers EAGAIN while frames remain: call again a few times.
        for (int k = 0; k < kMaxKicksPerBatch; ++k) {
            if (!copy_mode_ && !xsk_ring_prod__needs_wakeup(&tx_)) return;
            if (sendto(fd_, nullptr, 0, MSG_DONTWAIT, nullptr, 0) >= 0) return;
            const int err = errno;
            if (err == EINTR) continue;
            if (err == EAGAIN || err == ENOBUFS || err == EBUSY || err == ENETDOWN) {
                ++stats.backpressure;
                reclaim();
                if (err != EAGAIN) return;
                continue;
            }
            ++stats.errors;
            return;
        }
    }

    void reclaim() noexcept
    {
        uint32_t idx = 0;
        const uint32_t done = xsk_ring_cons__peek(&comp_, frames_, &idx);
        if (done == 0) return;
        for (uint32_t i = 0; i < done; ++i) free_.push_back(*xsk_ring_cons__comp_addr(&comp_, idx + i));
        xsk_ring_cons__release(&comp_, done);
        outstanding_ -= std::min(outstanding_, done);
    }

    bool copy_mode() const noexcept { return copy_mode_; }
    bool budget_raised() const noexcept { return budget_raised_; }
    uint32_t queue() const noexcept { return queue_; }
    uint32_t outstanding() const noexcept { return outstanding_; }

private:
    uint32_t frames_;
    uint32_t queue_;
    std::unique_ptr<void, MmapDeleter> area_{nullptr, MmapDeleter{0}};
    std::unique_ptr<xsk_umem, UmemDeleter> umem_;
    std::unique_ptr<xsk_socket, XskDeleter> xsk_;
    xsk_ring_prod fill_{}, tx_{};
    xsk_ring_cons comp_{};
    int fd_ = -1;
    bool copy_mode_ = false, budget_raised_ = false;
    uint8_t *base_ = nullptr;
    std::vector<uint64_t> free_;
    uint32_t outstanding_ = 0;
};

// Probes handed from the caller's thread to one queue's worker: a
// single-producer single-consumer ring, allocated once.
class ProbeRing {
public:
    explicit ProbeRing(size_t capacity_pow2) : slots_(capacity_pow2), mask_(capacity_pow2 - 1) {}

    // Producer: copies as many of `in` as fit; returns how many.
    size_t push(std::span<const probe::ProbeSpec> in) noexcept
    {
        const uint64_t head = head_.load(std::memory_order_relaxed);
        const uint64_t tail = tail_.load(std::memory_order_acquire);
        const size_t n = std::min<size_t>(in.size(), slots_.size() - static_cast<size_t>(head - tail));
        for (size_t i = 0; i < n; ++i) slots_[(head + i) & mask_] = in[i];
        head_.store(head + n, std::memory_order_release);
        return n;
    }
    size_t free_slots() const noexcept
    {
        return slots_.size() - static_cast<size_t>(head_.load(std::memory_order_relaxed) - tail_.load(std::memory_order_acquire));
    }
    // Consumer: the next contiguous run of up to `max` probes (not removed).
    std::span<const probe::ProbeSpec> peek(size_t max) const noexcept
    {
        const uint64_t tail = tail_.load(std::memory_order_relaxed);
        const uint64_t head = head_.load(std::memory_order_acquire);
        const size_t idx = static_cast<size_t>(tail & mask_);
        const size_t n = std::min({static_cast<size_t>(head - tail), max, slots_.size() - idx});
        return {slots_.data() + idx, n};
    }
    void pop(size_t n) noexcept { tail_.store(tail_.load(std::memory_order_relaxed) + n, std::memory_order_release); }
    bool empty() const noexcept { return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire); }

private:
    std::vector<probe::ProbeSpec> slots_;
    size_t mask_;
    alignas(64) std::atomic<uint64_t> head_{0};
    alignas(64) std::atomic<uint64_t> tail_{0};
};

void nap_ns(long ns) noexcept
{
    const timespec ts{0, ns};
    nanosleep(&ts, nullptr);
}

// One queue driven by its own thread: encodes, submits and kicks what the
// caller hands it, so each queue's copy-mode transmit work runs on its own
// CPU. Timestamps are still taken at batch submit, in the worker.
class QueueWorker {
public:
    QueueWorker(std::unique_ptr<XskQueue> q, const probe::FrameTemplate &frame, size_t frame_len, uint32_t batch)
        : q_(std::move(q)), frame_(frame), frame_len_(frame_len), batch_(batch), ring_(kRingSlots)
    {
        thread_ = std::thread([this] { run(); });
    }
    ~QueueWorker()
    {
        stop_.store(true, std::memory_order_relaxed);
        thread_.join();
    }

    ProbeRing &ring() noexcept { return ring_; }
    const XskQueue &queue() const noexcept { return *q_; }
    void add_stats(TxStats &s) const noexcept
    {
        s.sent += sent_.load(std::memory_order_relaxed);
        s.backpressure += backpressure_.load(std::memory_order_relaxed);
        s.errors += errors_.load(std::memory_order_relaxed);
    }

private:
    static constexpr size_t kRingSlots = 4096;
    static constexpr uint64_t kStopDrainNs = 200'000'000; // a dead device must not hang the destructor

    void publish(const TxStats &s) noexcept
    {
        sent_.store(s.sent, std::memory_order_relaxed);
        backpressure_.store(s.backpressure, std::memory_order_relaxed);
        errors_.store(s.errors, std::memory_order_relaxed);
    }

    void run() noexcept
    {
        prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
        TxStats local;
        uint64_t idle_since = 0, stop_at = 0;
        for (;;) {
            const uint64_t now = monotonic_ns();
            if (stop_.load(std::memory_order_relaxed)) {
                if (stop_at == 0) stop_at = now;
                if (ring_.empty() || now - stop_at > kStopDrainNs) break;
            }
            const auto todo = ring_.peek(batch_);
            if (todo.empty()) {
                if (q_->outstanding()) {
                    q_->kick(local);
                    q_->reclaim();
                    publish(local);
                }
                // Poll briefly after work, then back off: a new batch waits
                // at most ~20 us while busy, ~200 us after 10 ms idle.
                if (idle_since == 0) idle_since = now;
                nap_ns(now - idle_since < 10'000'000 ? 20'000 : 200'000);
                continue;
            }
            idle_since = 0;
            const size_t went = q_->submit(frame_, todo, frame_len_, local);
            ring_.pop(went);
            publish(local);
            if (went == 0) nap_ns(20'000); // back-pressure: let the kernel drain
        }
        q_->kick(local);
        q_->reclaim();
        publish(local);
    }

    std::unique_ptr<XskQueue> q_;
    probe::FrameTemplate frame_;
    size_t frame_len_;
    uint32_t batch_;
    ProbeRing ring_;
    std::atomic<bool> stop_{false};
    std::atomic<uint64_t> sent_{0}, backpressure_{0}, errors_{0};
    std::thread thread_;
};

class XskSender final : public Sender {
public:
    explicit XskSender(const SenderConfig &cfg) : cfg_(cfg)
    {
        probe::validate(cfg.frame);
        iface_index(cfg.iface);
        cfg_.batch = std::clamp<uint32_t>(cfg.batch, 1, 1024);
        frame_len_ = probe::frame_size(cfg.frame);
        const uint32_t dev_queues = iface_tx_queues(cfg.iface);
        uint32_t nq = cfg.num_queues ? cfg.num_queues : dev_queues - std::min(cfg.queue, dev_queues - 1);
        nq = std::max<uint32_t>(1, nq);
        // Split the UMEM budget; each ring size must stay a power of two.
        uint32_t per_queue = kXskTotalFrames;
        while (per_queue > 256 && per_queue * nq > kXskTotalFrames) per_queue /= 2;
        for (uint32_t q = 0; q < nq; ++q) queues_.push_back(std::make_unique<XskQueue>(cfg_, cfg.queue + q, per_queue));
        // Several queues: a thread per queue (the caller's thread only hands
        // probes over), so the kernel's per-frame copy-mode work spreads
        // over CPUs. One queue: sent from the caller's thread, no handoff.
        if (queues_.size() > 1) {
            for (auto &q : queues_) workers_.push_back(std::make_unique<QueueWorker>(std::move(q), cfg_.frame, frame_len_, cfg_.batch));
            queues_.clear();
        }
    }

    size_t send(std::span<const probe::ProbeSpec> probes) noexcept override
    {
        if (!workers_.empty()) return hand_over(probes);
        size_t done = 0;
        size_t stalled = 0;
        while (done < probes.size() && stalled < queues_.size()) {
            XskQueue &q = *queues_[next_];
            next_ = (next_ + 1) % queues_.size();
            const size_t n = std::min<size_t>(cfg_.batch, probes.size() - done);
            const size_t went = q.submit(cfg_.frame, probes.subspan(done, n), frame_len_, stats_);
            done += went;
            stalled = went == 0 ? stalled + 1 : 0;
        }
        return done;
    }

    void flush() noexcept override
    {
        if (!workers_.empty()) {
            // Everything handed over is submitted and kicked once the rings
            // are empty (a worker pops only after submitting). Bounded wait.
            const uint64_t until = monotonic_ns() + 200'000'000;
            while (monotonic_ns() < until &&
                   !std::all_of(workers_.begin(), workers_.end(), [](const auto &w) { return w->ring().empty(); }))
                nap_ns(20'000);
            return;
        }
        for (auto &q : queues_) {
            q->kick(stats_);
            q->reclaim();
        }
    }

    const TxStats &stats() const noexcept override
    {
        if (!workers_.empty()) {
            stats_ = hand_over_stats_;
            for (const auto &w : workers_) w->add_stats(stats_);
        }
        return stats_;
    }
    TxKind kind() const noexcept override { return TxKind::afxdp; }

    std::string describe() const override
    {
        const XskQueue &q0 = workers_.empty() ? *queues_.front() : workers_.front()->queue();
        const XskQueue &qn = workers_.empty() ? *queues_.back() : workers_.back()->queue();
        std::string s = std::string("AF_XDP ") + (q0.copy_mode() ? "copy mode" : "zero-copy mode") + " on " + cfg_.iface;
        if (workers_.empty())
            s += " queue " + std::to_string(q0.queue());
        else
            s += " queues " + std::to_string(q0.queue()) + "-" + std::to_string(qn.queue()) + ", a thread each";
        if (q0.copy_mode()) s += q0.budget_raised() ? " (TX budget raised)" : " (TX budget 32/kick)";
        return s;
    }

private:
    // Whole batches to the workers' rings in turn; accepts a prefix of
    // `probes` and stops at the first ring that cannot take its batch.
    size_t hand_over(std::span<const probe::ProbeSpec> probes) noexcept
    {
        size_t done = 0;
        size_t full = 0;
        while (done < probes.size() && full < workers_.size()) {
            ProbeRing &r = workers_[next_]->ring();
            const size_t n = std::min<size_t>(cfg_.batch, probes.size() - done);
            if (r.free_slots() < n) {
                ++full;
                ++hand_over_stats_.backpressure;
            } else {
                done += r.push(probes.subspan(done, n));
                full = 0;
            }
            next_ = (next_ + 1) % workers_.size();
        }
        // Every ring full: give the queue threads the CPU for a moment
        // instead of spinning on send() (a busy caller halved their share).
        if (done == 0 && !probes.empty()) nap_ns(20'000);
        return done;
    }

    SenderConfig cfg_;
    size_t frame_len_ = 0;
    std::vector<std::unique_ptr<XskQueue>> queues_;     // one queue: driven from send()
    std::vector<std::unique_ptr<QueueWorker>> workers_; // several: a thread each
    size_t next_ = 0;
    mutable TxStats stats_;
    TxStats hand_over_stats_;
};

} // namespace

std::unique_ptr<Sender> make_xsk_sender(const SenderConfig &cfg) { return std::make_unique<XskSender>(cfg); }

} // namespace pathmap::tx
