// AF_XDP TX. Frames are pre-filled with the template once; send() rewrites
// only the per-probe fields, reserves and submits whole batches, kicks the
// kernel every batch (copy mode transmits inside sendto) and reclaims the
// completion ring, so a frame waits in the ring as little as possible.
#include "userspace/engine/tx/xsk_sender.h"

#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <xdp/xsk.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "pathmap/log.h"
#include "userspace/engine/tx/iface_info.h"

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
        scfg.bind_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY;
        xsk_socket *xsk = nullptr;
        err = xsk_socket__create(&xsk, cfg.iface.c_str(), queue, umem, nullptr, &tx_, &scfg);
        if (err == -EOPNOTSUPP || err == -EINVAL) {
            // No zero-copy in this driver (veth): the kernel copies each frame
            // into an skb, still far cheaper than a socket send.
            scfg.bind_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
            err = xsk_socket__create(&xsk, cfg.iface.c_str(), queue, umem, nullptr, &tx_, &scfg);
            copy_mode_ = true;
        }
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
        if (copy_mode_) {
            const unsigned budget = frames;
            if (setsockopt(fd_, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget)) == 0) budget_raised_ = true;
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
    }

    size_t send(std::span<const probe::ProbeSpec> probes) noexcept override
    {
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
        for (auto &q : queues_) {
            q->kick(stats_);
            q->reclaim();
        }
    }

    const TxStats &stats() const noexcept override { return stats_; }
    TxKind kind() const noexcept override { return TxKind::afxdp; }

    std::string describe() const override
    {
        const XskQueue &q0 = *queues_.front();
        std::string s = std::string("AF_XDP ") + (q0.copy_mode() ? "copy mode" : "zero-copy mode") + " on " + cfg_.iface;
        if (queues_.size() == 1)
            s += " queue " + std::to_string(q0.queue());
        else
            s += " queues " + std::to_string(q0.queue()) + "-" + std::to_string(queues_.back()->queue());
        if (q0.copy_mode()) s += q0.budget_raised() ? " (TX budget raised)" : " (TX budget 32/kick)";
        return s;
    }

private:
    SenderConfig cfg_;
    size_t frame_len_ = 0;
    std::vector<std::unique_ptr<XskQueue>> queues_;
    size_t next_ = 0;
    TxStats stats_;
};

} // namespace

std::unique_ptr<Sender> make_xsk_sender(const SenderConfig &cfg) { return std::make_unique<XskSender>(cfg); }

} // namespace pathmap::tx
