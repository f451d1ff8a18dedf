// The per-target MTR table: one row per (TTL, responding address), each with
// its own statistics (mtr merges load-balanced addresses into one line; we
// don't), plus per-(TTL, flow) counters that give each Paris flow's path.
// Pure bookkeeping: the caller decides what was answered, lost or late.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "userspace/mtr/rtt_stats.h"

namespace pathmap::mtr {

struct AddrRow {
    uint32_t addr = 0; // host order
    RttStats rtt;      // timely replies only; count() = received
    uint64_t late = 0; // replies that came after --timeout
    std::vector<uint32_t> flow_replies; // replies per flow id, timely or late (which flows lead here)
};

struct FlowHop {
    uint64_t sent = 0; // resolved probes (answered or timed out)
    RttStats rtt;      // timely replies of this flow at this TTL
};

// A display row. addr is empty for a TTL with no reply at all ("???").
struct HopRow {
    uint8_t ttl = 0;
    std::optional<uint32_t> addr;
    uint64_t sent = 0, recv = 0, late = 0;
    const RttStats *rtt = nullptr; // null for ???
    std::vector<uint16_t> flows;   // flows whose replies came from this address
    bool first_at_ttl = true;      // false for a second, third... address at the same TTL

    double loss_pct() const noexcept { return sent ? 100.0 * static_cast<double>(sent - recv) / static_cast<double>(sent) : 0.0; }
};

// One hop of one Paris flow's path: the address most of its replies came from.
struct FlowPathHop {
    uint8_t ttl = 0;
    std::optional<uint32_t> addr;
    uint64_t sent = 0, recv = 0;
    const RttStats *rtt = nullptr;
};

class HopTable {
public:
    HopTable(uint8_t min_ttl, uint8_t max_ttl, uint16_t flows);

    // terminal: the reply ends the path (echo reply, unreachable, TCP answer).
    // on_answered and on_late return true when addr got a new row at this TTL.
    bool on_answered(uint8_t ttl, uint16_t flow, uint32_t addr, double rtt_us, bool terminal);
    void on_lost(uint8_t ttl, uint16_t flow) noexcept;
    // A reply after --timeout: counted, never timed. A late answer from the
    // destination still tells where the path ends.
    bool on_late(uint8_t ttl, uint16_t flow, uint32_t addr, bool terminal = false);

    // Highest TTL worth probing: where the destination answered, else max_ttl.
    uint8_t probe_limit() const noexcept { return dest_ttl_ ? dest_ttl_ : max_ttl_; }
    bool reached() const noexcept { return dest_ttl_ != 0; }
    // Highest TTL shown: the destination's, else one past the last reply (mtr's single trailing ???).
    uint8_t display_limit() const noexcept;

    std::vector<HopRow> rows() const;
    std::vector<FlowPathHop> flow_path(uint16_t flow) const;

    uint8_t min_ttl() const noexcept { return min_ttl_; }
    uint8_t max_ttl() const noexcept { return max_ttl_; }
    uint16_t flows() const noexcept { return flows_; }

private:
    struct TtlSlot {
        std::vector<AddrRow> addrs; // in order of first reply
        std::vector<FlowHop> flows; // indexed by flow id
    };
    const TtlSlot &at(uint8_t ttl) const { return ttls_[ttl - min_ttl_]; }
    TtlSlot &at(uint8_t ttl) { return ttls_[ttl - min_ttl_]; }
    uint64_t attributed_sent(const TtlSlot &, const AddrRow &) const noexcept;

    uint8_t min_ttl_, max_ttl_;
    uint16_t flows_;
    uint8_t dest_ttl_ = 0;
    std::vector<TtlSlot> ttls_;
};

} // namespace pathmap::mtr
