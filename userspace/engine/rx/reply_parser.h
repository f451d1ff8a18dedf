// The XDP program's reply parser (bpf/reply_parse.h) in userspace: one frame
// in, the counter slot it belongs to and, for a reply, its record out. Pure,
// no I/O: rx/packet_rx.h feeds it frames from a socket, and tests/bpf feeds
// it every frame the XDP tests craft, to check both paths agree.
#pragma once

#include <cstddef>
#include <cstdint>

#include "userspace/engine/rx/reply_rx_program.h"

namespace pathmap::rx {

class ReplyParser {
public:
    explicit ReplyParser(const RxConfig &cfg) noexcept : cfg_(wire_config(cfg)) {}

    // Parses one Ethernet frame that arrived at rx_ns (CLOCK_MONOTONIC) and
    // counts it in exactly one slot, as the XDP program does. True when it
    // is a reply of this run: *out is then filled (rx_ns included).
    bool parse(const uint8_t *frame, size_t len, uint64_t rx_ns, pm_reply_record *out) noexcept;
    const RxCounters &counters() const noexcept { return counters_; }
    void add(int slot, uint64_t n) noexcept { counters_[static_cast<size_t>(slot)] += n; }

private:
    pm_rx_config cfg_;
    RxCounters counters_{};
};

} // namespace pathmap::rx
