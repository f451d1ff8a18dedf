// sendmmsg-based senders. Buffers, iovecs and message headers are allocated
// once at setup; send() only encodes into them and calls sendmmsg.
#include "userspace/engine/tx/mmsg_senders.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "pathmap/log.h"
#include "userspace/engine/tx/fd.h"
#include "userspace/engine/tx/iface_info.h"

namespace pathmap::tx {
namespace {

bool is_backpressure(int err) noexcept
{
    return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == EBUSY || err == ENETDOWN;
}

class MmsgSender final : public Sender {
public:
    MmsgSender(const SenderConfig &cfg, UniqueFd fd, TxKind kind, std::string what)
        : cfg_(cfg), fd_(std::move(fd)), kind_(kind), what_(std::move(what))
    {
        const uint32_t batch = std::clamp<uint32_t>(cfg.batch, 1, 1024);
        cfg_.batch = batch;
        frame_len_ = probe::frame_size(cfg.frame);
        // Raw sockets take the IP packet: skip the Ethernet header.
        skip_ = kind == TxKind::raw ? probe::kEthHeaderLen : 0;
        frames_.resize(size_t{batch} * frame_len_);
        iov_.resize(batch);
        msgs_.resize(batch);
        addrs_.resize(batch);
        const probe::ProbeSpec dummy{.dst = 0, .ttl = 1, .flow_id = 0};
        for (uint32_t i = 0; i < batch; ++i) {
            probe::encode_probe(cfg.frame, dummy, 0, frame(i));
            iov_[i] = {frame(i).data() + skip_, frame_len_ - skip_};
            msgs_[i].msg_hdr.msg_iov = &iov_[i];
            msgs_[i].msg_hdr.msg_iovlen = 1;
            if (kind == TxKind::raw) {
                addrs_[i].sin_family = AF_INET;
                msgs_[i].msg_hdr.msg_name = &addrs_[i];
                msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
            }
        }
    }

    size_t send(std::span<const probe::ProbeSpec> probes) noexcept override
    {
        size_t done = 0;
        while (done < probes.size()) {
            const size_t n = std::min<size_t>(cfg_.batch, probes.size() - done);
            const uint32_t ts = probe::now_ts24(); // as late as possible: right before the syscall
            for (size_t i = 0; i < n; ++i) {
                const probe::ProbeSpec &p = probes[done + i];
                probe::reencode_probe(cfg_.frame, p, ts, frame(i));
                if (kind_ == TxKind::raw) addrs_[i].sin_addr.s_addr = htonl(p.dst);
            }
            size_t off = 0;
            while (off < n) {
                const int r = sendmmsg(fd_.get(), msgs_.data() + off, static_cast<unsigned>(n - off), MSG_DONTWAIT);
                if (r > 0) {
                    off += static_cast<size_t>(r);
                    stats_.sent += static_cast<uint64_t>(r);
                    continue;
                }
                const int err = errno;
                if (r < 0 && err == EINTR) continue;
                if (r < 0 && is_backpressure(err)) {
                    ++stats_.backpressure;
                    return done + off;
                }
                // A probe the kernel refuses (no route, EPERM, ...): count it
                // and move on, it would fail again if retried.
                ++stats_.errors;
                ++off;
            }
            done += n;
        }
        return done;
    }

    void flush() noexcept override {}
    const TxStats &stats() const noexcept override { return stats_; }
    std::string describe() const override { return what_; }
    TxKind kind() const noexcept override { return kind_; }

private:
    std::span<uint8_t> frame(size_t i) noexcept { return {frames_.data() + i * frame_len_, frame_len_}; }

    SenderConfig cfg_;
    UniqueFd fd_;
    TxKind kind_;
    std::string what_;
    size_t frame_len_ = 0, skip_ = 0;
    std::vector<uint8_t> frames_;
    std::vector<iovec> iov_;
    std::vector<mmsghdr> msgs_;
    std::vector<sockaddr_in> addrs_;
    TxStats stats_;
};

std::string socket_error(const char *what, int err)
{
    std::string msg = std::string("cannot open ") + what + ": " + errno_text(err);
    if (err == EPERM || err == EACCES) msg += "; run as root or grant CAP_NET_RAW";
    return msg;
}

} // namespace

std::unique_ptr<Sender> make_packet_sender(const SenderConfig &cfg)
{
    probe::validate(cfg.frame);
    const int ifindex = iface_index(cfg.iface);
    // Protocol 0: this socket only sends, the kernel queues nothing for it.
    UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error(socket_error("an AF_PACKET socket", errno));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = 0;
    sll.sll_ifindex = ifindex;
    if (bind(fd.get(), reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) < 0)
        throw std::runtime_error("cannot bind an AF_PACKET socket to " + cfg.iface + ": " + errno_text(errno));
    // Our frames are complete; the qdisc would only add a lock and a queue
    // (and delay between timestamp and wire).
    const int one = 1;
    const bool bypass = setsockopt(fd.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) == 0;
    return std::make_unique<MmsgSender>(cfg, std::move(fd), TxKind::packet,
                                        "AF_PACKET sendmmsg on " + cfg.iface + (bypass ? " (qdisc bypass)" : ""));
}

std::unique_ptr<Sender> make_raw_sender(const SenderConfig &cfg)
{
    probe::validate(cfg.frame);
    iface_index(cfg.iface); // clear error for a missing interface
    // IPPROTO_RAW implies IP_HDRINCL: our header goes out as built (the
    // kernel only re-fills the header checksum and total length, identically).
    UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
    if (!fd) throw std::runtime_error(socket_error("a raw IPv4 socket", errno));
    if (setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, cfg.iface.c_str(), static_cast<socklen_t>(cfg.iface.size())) < 0)
        throw std::runtime_error("cannot bind a raw socket to " + cfg.iface + ": " + errno_text(errno));
    return std::make_unique<MmsgSender>(cfg, std::move(fd), TxKind::raw, "raw socket sendmmsg on " + cfg.iface);
}

} // namespace pathmap::tx
