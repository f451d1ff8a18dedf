// The reply_rx XDP program (bpf/reply_rx.bpf.c) as an RAII object: open the
// embedded skeleton, write the run's read-only config, load it through the
// verifier, attach it to an interface through a BPF link, detach it in the
// destructor. The link is a file descriptor: if the process dies without
// running the destructor (kill -9, OOM, an ASan abort) the kernel closes it
// and detaches the program, so no run leaves the interface blocked.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "pathmap/wire.h"

struct reply_rx; // generated skeleton (reply_rx.skel.h), kept out of this header

namespace pathmap::rx
{

// automatic: native (driver) mode, else generic (skb) mode with a log line.
enum class XdpMode { native, generic, automatic };

// Where replies are taken: automatic = the XDP program, or an AF_PACKET
// socket (rx/packet_rx.h) when another program holds the XDP hook; xdp =
// the XDP program or fail; packet = always the socket.
enum class RxPath { automatic, xdp, packet };

struct RxConfig {
    uint32_t run_id = 0;
    uint32_t local_addr_be = 0; // network order; 0 accepts replies to any address
    uint16_t num_flows = 1;
    uint16_t udp_dport = PM_DEFAULT_UDP_DPORT;
    uint16_t tcp_dport = PM_DEFAULT_TCP_DPORT;
    bool pass_replies = false; // let the kernel see our replies too
    // TCP replies are ours only with a probe TTL of 1..max_ttl (0 = any) and a
    // send time at most tcp_max_age_ms before arrival (0 = no check): the
    // host's own connections on the probe port keep their SYN-ACKs.
    uint8_t max_ttl = 0;
    uint32_t tcp_max_age_ms = 0;
};

using RxCounters = std::array<uint64_t, PM_RX_COUNTER_MAX>;

// The program's read-only config as the parser reads it (bpf/reply_parse.h).
pm_rx_config wire_config(const RxConfig &cfg) noexcept;

// attach(): another program holds the interface's XDP hook (a second
// pathmap run, the host's own). The message says which and how to remove it;
// ProbeSession then takes replies through rx/packet_rx.h instead.
struct XdpHookBusy : std::runtime_error {
    XdpHookBusy(const std::string &msg, bool left_behind) : std::runtime_error(msg), left_behind(left_behind) {}
    // The holder is attached through netlink: it outlives its process (a
    // crashed older pathmap, say) and the user should remove it.
    bool left_behind;
};

// Stable snake_case name of a counter slot (for summary.json and logs).
std::string_view counter_name(int slot) noexcept;

class ReplyRxProgram
{
  public:
    // Throws std::runtime_error with an actionable message when the program
    // cannot be opened or loaded (privileges, verifier, memory).
    explicit ReplyRxProgram(const RxConfig &cfg);
    ~ReplyRxProgram();
    ReplyRxProgram(const ReplyRxProgram &) = delete;
    ReplyRxProgram &operator=(const ReplyRxProgram &) = delete;

    // Attaches to ifindex through a BPF link (fails if another XDP program is
    // there, and says which and how to remove it). Detached again in the
    // destructor, or by the kernel when the process dies. Throws
    // std::runtime_error on failure.
    void attach(int ifindex, XdpMode mode = XdpMode::automatic);
    // Mode actually attached in (native or generic), automatic before attach.
    XdpMode attached_mode() const noexcept { return attached_mode_; }

    int ring_fd() const;
    int prog_fd() const;
    uint32_t prog_id() const;
    // Summed over CPUs. Throws std::runtime_error if the map cannot be read.
    RxCounters counters() const;

  private:
    struct SkeletonDeleter {
        void operator()(::reply_rx *s) const noexcept;
    };
    std::unique_ptr<::reply_rx, SkeletonDeleter> skel_;
    int link_fd_ = -1; // BPF link of the attachment; -1 before attach
    int ifindex_ = 0;
    XdpMode attached_mode_ = XdpMode::automatic;
};

// Routes libbpf's printouts through pathmap::log one level lower. Idempotent;
// ReplyRxProgram calls it, other libbpf users may too.
void route_libbpf_logs() noexcept;

} // namespace pathmap::rx
