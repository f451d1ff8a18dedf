// PacketRx: AF_PACKET frames through the shared reply parser.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/core.h>

#include "userspace/engine/rx/packet_rx.h"
#include "userspace/engine/tx/iface_info.h"


namespace pathmap::rx {
namespace {

constexpr unsigned kBatch = 64;
constexpr size_t kFrameBytes = 2048; // replies are small; a longer one is parsed truncated, as XDP would not be

uint64_t clock_ns(clockid_t c) noexcept
{
    timespec ts{};
    clock_gettime(c, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

} // namespace

PacketRx::PacketRx(int ifindex, const RxConfig &cfg, ReplySink sink, void *ctx)
    : fd_(socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP))), parser_(cfg),
      sink_(sink), ctx_(ctx)
{
    if (!fd_) throw std::runtime_error("cannot open an AF_PACKET socket for replies: " + tx::errno_text(errno) +
                                       (errno == EPERM ? "; run as root (or with CAP_NET_RAW)" : ""));
    // Only ICMP and TCP reach userspace (byte 23: the IP protocol after a
    // 14-byte Ethernet header; VLAN tags are stripped into metadata).
    sock_filter code[] = {
        {BPF_LD | BPF_B | BPF_ABS, 0, 0, 23},
        {BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1},
        {BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 6},
        {BPF_RET | BPF_K, 0, 0, 0},
        {BPF_RET | BPF_K, 0, 0, 0x40000},
    };
    sock_fprog prog{.len = sizeof(code) / sizeof(code[0]), .filter = code};
    if (setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
        throw std::runtime_error("cannot filter the reply socket: " + tx::errno_text(errno));
    const int on = 1, rcvbuf = 8 << 20;
    setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
    if (setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
        setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = ifindex;
    if (bind(fd_.get(), reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) < 0)
        throw std::runtime_error(fmt::format("cannot bind the reply socket to {}: {}", tx::iface_name(ifindex),
                                             tx::errno_text(errno)));
}

bool PacketRx::handle(const uint8_t *frame, size_t len, uint64_t rx_ns) noexcept
{
    pm_reply_record rec;
    if (!parser_.parse(frame, len, rx_ns, &rec)) return false;
    sink_(ctx_, rec);
    return true;
}

int PacketRx::consume() noexcept
{
    // Static buffers would be shared between sessions; these live on the
    // stack of the consuming thread (64 x 2 KiB).
    alignas(8) uint8_t frames[kBatch][kFrameBytes];
    alignas(8) uint8_t ctrl[kBatch][CMSG_SPACE(sizeof(timespec))];
    iovec iov[kBatch];
    mmsghdr msgs[kBatch];
    int delivered = 0;
    for (;;) {
        for (unsigned i = 0; i < kBatch; ++i) {
            iov[i] = {frames[i], kFrameBytes};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_control = ctrl[i];
            msgs[i].msg_hdr.msg_controllen = sizeof(ctrl[i]);
        }
        const int n = recvmmsg(fd_.get(), msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            return -errno;
        }
        // Kernel stamps are CLOCK_REALTIME; the matcher works in CLOCK_MONOTONIC.
        const uint64_t mono = clock_ns(CLOCK_MONOTONIC), real = clock_ns(CLOCK_REALTIME);
        for (int i = 0; i < n; ++i) {
            uint64_t rx_ns = mono;
            for (cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    timespec ts;
                    std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
                    const uint64_t stamp = uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
                    if (stamp <= real && real - stamp < mono) rx_ns = mono - (real - stamp);
                }
            }
            if (handle(frames[i], std::min<size_t>(msgs[i].msg_len, kFrameBytes), rx_ns)) ++delivered;
        }
        if (n < static_cast<int>(kBatch)) break;
    }
    return delivered;
}

void PacketRx::read_drops() const noexcept
{
    tpacket_stats st{};
    socklen_t len = sizeof(st);
    if (getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) parser_.add(PM_RX_RINGBUF_FULL, st.tp_drops);
}

RxCounters PacketRx::counters() const noexcept
{
    read_drops(); // the kernel resets its count on each read
    return parser_.counters();
}

} // namespace pathmap::rx
