// ProbeSession: everything a measurement needs on one interface, as one RAII
// object: a Sender (AF_XDP, AF_PACKET or raw), the reply_rx XDP program
// attached to the same interface, and its ring buffer. Replies reach the
// caller through a plain function pointer on the calling thread, during
// send() and drain(): there is no background thread, so the caller's reply
// state needs no locks. Used by `pathmap sweep` and `pathmap mtr`.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/engine/rx/packet_rx.h"
#include "userspace/engine/rx/reply_ring.h"
#include "userspace/engine/rx/reply_rx_program.h"
#include "userspace/engine/tx/next_hop.h"
#include "userspace/engine/tx/pacer.h"
#include "userspace/engine/tx/sender.h"

namespace pathmap::session {

struct SessionConfig {
    // Interface to send on; "" = the one the kernel routes route_dst through.
    std::string iface;
    // Host order: a destination whose route gives the next hop (gateway MAC,
    // source address). Required.
    uint32_t route_dst = 0;
    // A next hop already resolved (SessionSet resolves one per route group);
    // route_dst is then only the destination it was resolved for.
    std::optional<tx::NextHop> next_hop;
    probe::Proto proto = probe::Proto::icmp;
    uint16_t dport = 0;        // 0 = protocol default (33434 UDP, 80 TCP)
    tx::TxKind tx = tx::TxKind::afxdp;
    bool allow_fallback = true; // AF_XDP unavailable -> say why, use AF_PACKET
    uint32_t run_id = 0;        // 0 = random (getrandom)
    uint16_t num_flows = 1;     // flow ids 0..num_flows-1
    bool pass_replies = false;  // let the kernel see our replies too
    uint64_t rate_pps = 10000;  // 0 = unpaced
    uint32_t batch = 64;
    rx::XdpMode xdp_mode = rx::XdpMode::automatic;
    uint32_t tx_queues = 1;     // AF_XDP sockets (one queue each); 0 = all (tx/sender.h)
    bool zerocopy = false;      // AF_XDP zero-copy (tx/sender.h: why it is opt-in)
    rx::RxPath rx_path = rx::RxPath::automatic;
    uint8_t max_ttl = 0;        // highest probe TTL sent (0 = unknown): TCP replies above it are not ours
    uint32_t reply_wait_ms = 0; // a TCP reply whose send time is older than this (+1 s) is not ours; 0 = no check
    // How often the ring buffer is drained while sending or waiting. The XDP
    // program submits with BPF_RB_NO_WAKEUP, so this timer is the only reader.
    uint32_t consume_interval_us = 200;
};

// What a SessionSet lends a session's send loop: the pacer shared by all its
// sessions (one rate for the run), and a poll of the other sessions' rings
// on the same timer as this one's.
struct SendHooks {
    tx::Pacer *pacer = nullptr;                   // nullptr = the session's own
    void (*poll_others)(void *ctx) noexcept = nullptr;
    void *ctx = nullptr;
};

class ProbeSession {
public:
    // Resolves the next hop, opens the sender, loads and attaches the XDP
    // program. Throws std::runtime_error with an actionable message.
    ProbeSession(const SessionConfig &cfg, rx::ReplySink sink, void *sink_ctx);
    ~ProbeSession();
    ProbeSession(const ProbeSession &) = delete;
    ProbeSession &operator=(const ProbeSession &) = delete;

    // Sends every probe at the configured rate, draining replies meanwhile.
    // Returns how many went; fewer only when *stop became true (checked
    // between batches) or the sender kept failing. noexcept, no allocation.
    size_t send(std::span<const probe::ProbeSpec> probes, const std::atomic<bool> *stop = nullptr,
                const SendHooks &hooks = {}) noexcept;
    // Drains replies until CLOCK_MONOTONIC reaches deadline_ns, or *stop.
    void drain_until(uint64_t deadline_ns, const std::atomic<bool> *stop = nullptr) noexcept;
    // Drains once; records delivered, or a negative errno.
    int poll() noexcept;

    uint32_t run_id() const noexcept { return cfg_.run_id; }
    uint32_t local_addr() const noexcept { return hop_.src_ip; } // host order
    const tx::NextHop &next_hop() const noexcept { return hop_; }
    const SessionConfig &config() const noexcept { return cfg_; }
    const tx::TxStats &tx_stats() const noexcept;
    rx::RxCounters rx_counters() const; // throws if the map cannot be read
    uint64_t ring_malformed() const noexcept;
    std::string describe() const; // sender description + where replies come in
    bool replies_via_xdp() const noexcept { return ring_ != nullptr; }
    void set_rate(uint64_t pps) noexcept;
    // Probes' worth of sending time lost to stalls beyond the pacer's 10 ms
    // catch-up window (not burst out; tx/pacer.h).
    uint64_t pacer_lost() const noexcept { return pacer_lost_before_ + pacer_.lost(); }

private:
    SessionConfig cfg_;
    tx::NextHop hop_;
    std::unique_ptr<rx::ReplyRxProgram> rx_;
    std::unique_ptr<rx::ReplyRing> ring_;
    std::unique_ptr<rx::PacketRx> packet_rx_; // instead of rx_ and ring_ when the XDP hook is taken
    std::unique_ptr<tx::Sender> sender_;
    tx::Pacer pacer_;
    uint64_t pacer_lost_before_ = 0; // from pacers replaced by set_rate()
    uint64_t next_consume_ns_ = 0;
};

// A random non-zero run id from getrandom().
uint32_t random_run_id();

} // namespace pathmap::session
