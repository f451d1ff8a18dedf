// Probe senders: AF_XDP (libxdp xsk), AF_PACKET + sendmmsg and raw socket +
// sendmmsg, behind one interface. Setup throws with an actionable message;
// send() is the hot path: noexcept, allocation-free, counts what it drops.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "userspace/engine/probe/probe_encoder.h"

namespace pathmap::tx {

enum class TxKind { afxdp, packet, raw };

const char *to_string(TxKind) noexcept;

struct SenderConfig {
    std::string iface;
    TxKind kind = TxKind::afxdp;
    probe::FrameTemplate frame;
    uint32_t batch = 64;
    bool allow_fallback = true; // AF_XDP failure -> log why and use AF_PACKET (then raw)
    uint32_t queue = 0;         // AF_XDP: first queue to bind
    // AF_XDP: sockets to open (one queue each); 0 = all the device's combined/tx
    // queues. One by default: on a real NIC every bound queue is one the
    // host's own traffic also uses, so more is the user's choice (--queues).
    uint32_t num_queues = 1;
    // AF_XDP zero-copy (--zerocopy). Off by default: on i40e, ice or mlx5 it
    // re-backs the bound queue's RX ring with our UMEM, taking that queue's
    // receive traffic away from the host while we run; copy mode never does.
    bool zerocopy = false;
    // AF_XDP copy mode: ask for a TX budget of the whole ring per kick
    // (XDP_MAX_TX_SKB_BUDGET, Linux 6.17+). A kernel without the option
    // (Debian 12's 6.1) refuses it and keeps its 32 frames per kick: logged
    // once, never an error. Off keeps 32 on any kernel (tx_bench compares).
    bool raise_tx_budget = true;
};

struct TxStats {
    uint64_t sent = 0, backpressure = 0, errors = 0;
};

class Sender {
public:
    virtual ~Sender() = default;
    // Encodes and sends up to probes.size() probes, timestamps taken at batch
    // submit; returns how many went (retry the rest). It stops early only on
    // back-pressure (counted); a probe the kernel refuses for good (no route,
    // EPERM) is counted in errors and consumed. noexcept, no allocation.
    virtual size_t send(std::span<const probe::ProbeSpec> probes) noexcept = 0;
    virtual void flush() noexcept = 0; // kick TX, reclaim completions
    virtual const TxStats &stats() const noexcept = 0;
    virtual std::string describe() const = 0; // "AF_XDP copy mode on eth0 queue 0"
    virtual TxKind kind() const noexcept = 0;
};

// Throws std::runtime_error with an actionable message; with allow_fallback,
// an AF_XDP failure logs why and which fallback runs.
std::unique_ptr<Sender> make_sender(const SenderConfig &);

} // namespace pathmap::tx
