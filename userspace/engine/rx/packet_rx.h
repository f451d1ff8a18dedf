// Replies without the XDP hook: an AF_PACKET socket on the interface, each
// frame run through the XDP program's own parser (bpf/reply_parse.h) in
// userspace. Used when the interface's XDP hook is held by another program
// (a second pathmap run, or the host's own XDP firewall): that program passes
// what is not its own, and this socket sees it after it. Slower than XDP, and
// the kernel sees our replies too (it answers a TCP SYN-ACK with a RST, as for
// any raw-socket prober). Arrival times are the kernel's receive stamps
// (SO_TIMESTAMPNS), moved to CLOCK_MONOTONIC.
#pragma once

#include <cstdint>

#include "userspace/engine/rx/reply_parser.h"
#include "userspace/engine/rx/reply_ring.h"
#include "userspace/engine/rx/reply_rx_program.h"
#include "userspace/engine/tx/fd.h"

namespace pathmap::rx {

class PacketRx {
public:
    // Throws std::runtime_error with one line (privileges, no interface).
    PacketRx(int ifindex, const RxConfig &cfg, ReplySink sink, void *ctx);
    PacketRx(const PacketRx &) = delete;
    PacketRx &operator=(const PacketRx &) = delete;

    // Reads every frame queued now; replies delivered, or a negative errno.
    // noexcept, no allocation.
    int consume() noexcept;
    // The XDP program's counters, kept here; frames the socket's queue
    // dropped (PACKET_STATISTICS) count as ringbuf_full, a reply lost.
    RxCounters counters() const noexcept;
    // One frame through the parser: true when it was a reply and went to
    // the sink.
    bool handle(const uint8_t *frame, size_t len, uint64_t rx_ns) noexcept;

private:
    void read_drops() const noexcept;

    tx::UniqueFd fd_;
    mutable ReplyParser parser_; // read_drops() adds the socket's drops to its counters
    ReplySink sink_;
    void *ctx_;
};

} // namespace pathmap::rx
