// TraceTable storage.
#include "userspace/engine/match/trace_table.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace pathmap::match {

TraceTable::TraceTable(std::vector<uint32_t> sorted_targets, const TraceTableConfig &cfg)
    : targets_(std::move(sorted_targets)), cfg_(cfg)
{
    if (cfg_.max_ttl == 0 || cfg_.max_ttl > kMaxTtl) throw std::invalid_argument("max TTL must be 1..64");
    if (cfg_.num_flows == 0) throw std::invalid_argument("at least one flow");
    if (!std::is_sorted(targets_.begin(), targets_.end()) ||
        std::adjacent_find(targets_.begin(), targets_.end()) != targets_.end()) {
        throw std::invalid_argument("targets must be sorted and unique");
    }
    const size_t traces = targets_.size() * cfg_.num_flows;
    hops_.assign(traces * cfg_.max_ttl, HopSlot{});
    sent_.assign(traces, 0);
    answered_.assign(traces, 0);
    terminal_.assign(traces, 0);
    cfg_.mpls_pool = std::min<uint32_t>(cfg_.mpls_pool, 65535);
    mpls_pool_.assign(size_t{cfg_.mpls_pool} * PM_MAX_MPLS_LABELS, 0);
}

std::optional<size_t> TraceTable::find_target(uint32_t addr) const noexcept
{
    auto it = std::lower_bound(targets_.begin(), targets_.end(), addr);
    if (it == targets_.end() || *it != addr) return std::nullopt;
    return static_cast<size_t>(it - targets_.begin());
}

std::span<const uint32_t> TraceTable::mpls(const HopSlot &h) const noexcept
{
    if (h.mpls_ref == 0 || h.mpls_count == 0) return {};
    return {mpls_pool_.data() + size_t{h.mpls_ref - 1u} * PM_MAX_MPLS_LABELS,
            std::min<size_t>(h.mpls_count, PM_MAX_MPLS_LABELS)};
}

bool TraceTable::record(size_t trace, uint8_t ttl, const HopSlot &slot, bool terminal, const uint32_t *mpls) noexcept
{
    if (answered_[trace] & bit(ttl)) return false;
    answered_[trace] |= bit(ttl);
    HopSlot &dst = hops_[trace * cfg_.max_ttl + ttl - 1];
    dst = slot;
    dst.mpls_ref = 0;
    if (slot.mpls_count > 0 && mpls) {
        if (mpls_used_ < cfg_.mpls_pool) {
            std::memcpy(mpls_pool_.data() + mpls_used_ * PM_MAX_MPLS_LABELS, mpls,
                        sizeof(uint32_t) * std::min<size_t>(slot.mpls_count, PM_MAX_MPLS_LABELS));
            dst.mpls_ref = static_cast<uint16_t>(++mpls_used_);
        } else {
            ++mpls_dropped_;
            dst.mpls_count = 0;
        }
    }
    if (terminal && (terminal_[trace] == 0 || ttl < terminal_[trace])) terminal_[trace] = ttl;
    return true;
}

} // namespace pathmap::match
