// HopTable: rows per responding address, Snt attributed by flow.
#include "userspace/mtr/hop_table.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pathmap::mtr {

HopTable::HopTable(uint8_t min_ttl, uint8_t max_ttl, uint16_t flows)
    : min_ttl_(min_ttl), max_ttl_(max_ttl), flows_(flows)
{
    if (min_ttl < 1 || max_ttl < min_ttl || flows < 1) throw std::invalid_argument("HopTable: bad TTL range or flow count");
    ttls_.resize(max_ttl - min_ttl + 1);
    for (auto &t : ttls_) t.flows.resize(flows);
}

bool HopTable::on_answered(uint8_t ttl, uint16_t flow, uint32_t addr, double rtt_us, bool terminal)
{
    if (ttl < min_ttl_ || ttl > max_ttl_ || flow >= flows_) return false;
    TtlSlot &slot = at(ttl);
    auto it = std::find_if(slot.addrs.begin(), slot.addrs.end(), [&](const AddrRow &r) { return r.addr == addr; });
    const bool added = it == slot.addrs.end();
    if (added) {
        slot.addrs.push_back(AddrRow{.addr = addr, .flow_replies = std::vector<uint32_t>(flows_, 0)});
        it = slot.addrs.end() - 1;
    }
    it->rtt.add(rtt_us);
    ++it->flow_replies[flow];
    FlowHop &fh = slot.flows[flow];
    ++fh.sent;
    fh.rtt.add(rtt_us);
    if (terminal && (dest_ttl_ == 0 || ttl < dest_ttl_)) dest_ttl_ = ttl;
    return added;
}

void HopTable::on_lost(uint8_t ttl, uint16_t flow) noexcept
{
    if (ttl < min_ttl_ || ttl > max_ttl_ || flow >= flows_) return;
    ++at(ttl).flows[flow].sent;
}

bool HopTable::on_late(uint8_t ttl, uint16_t flow, uint32_t addr, bool terminal)
{
    if (ttl < min_ttl_ || ttl > max_ttl_ || flow >= flows_) return false;
    if (terminal && (dest_ttl_ == 0 || ttl < dest_ttl_)) dest_ttl_ = ttl;
    TtlSlot &slot = at(ttl);
    for (auto &r : slot.addrs)
        if (r.addr == addr) {
            ++r.late;
            ++r.flow_replies[flow];
            return false;
        }
    // A late reply from an address never seen in time still deserves a row.
    slot.addrs.push_back(AddrRow{.addr = addr, .late = 1, .flow_replies = std::vector<uint32_t>(flows_, 0)});
    ++slot.addrs.back().flow_replies[flow];
    return true;
}

uint8_t HopTable::display_limit() const noexcept
{
    if (dest_ttl_) return dest_ttl_;
    uint8_t last = 0;
    for (int t = min_ttl_; t <= max_ttl_; ++t)
        if (!at(static_cast<uint8_t>(t)).addrs.empty()) last = static_cast<uint8_t>(t);
    if (last == 0) return min_ttl_;
    return last < max_ttl_ ? static_cast<uint8_t>(last + 1) : max_ttl_;
}

// With one flow per address this is exact: the probes of the flows that led
// to the address. A flow split over several addresses (per-packet balancing)
// shares its probes in proportion to replies; a flow with no reply at all
// shares its losses in proportion to the TTL's overall replies.
uint64_t HopTable::attributed_sent(const TtlSlot &slot, const AddrRow &row) const noexcept
{
    uint64_t ttl_recv = 0;
    for (const auto &r : slot.addrs)
        for (uint32_t c : r.flow_replies) ttl_recv += c;
    uint64_t row_recv = row.rtt.count();
    uint64_t row_replies = 0;
    for (uint32_t c : row.flow_replies) row_replies += c;
    double share = 0.0;
    for (uint16_t f = 0; f < flows_; ++f) {
        uint64_t flow_replies = 0;
        for (const auto &r : slot.addrs) flow_replies += r.flow_replies[f];
        double sent = static_cast<double>(slot.flows[f].sent);
        if (flow_replies)
            share += sent * row.flow_replies[f] / static_cast<double>(flow_replies);
        else if (ttl_recv)
            share += sent * static_cast<double>(row_replies) / static_cast<double>(ttl_recv);
    }
    auto sent = static_cast<uint64_t>(std::llround(share));
    return std::max(sent, row_recv);
}

std::vector<HopRow> HopTable::rows() const
{
    std::vector<HopRow> out;
    uint8_t limit = display_limit();
    for (int t = min_ttl_; t <= limit; ++t) {
        const TtlSlot &slot = at(static_cast<uint8_t>(t));
        uint64_t ttl_sent = 0;
        for (const auto &f : slot.flows) ttl_sent += f.sent;
        std::vector<const AddrRow *> order;
        for (const auto &r : slot.addrs) order.push_back(&r);
        // Most replies first: the main path leads, a rare branch follows.
        std::stable_sort(order.begin(), order.end(),
                         [](const AddrRow *a, const AddrRow *b) { return a->rtt.count() > b->rtt.count(); });
        if (order.empty()) {
            out.push_back(HopRow{.ttl = static_cast<uint8_t>(t), .sent = ttl_sent});
            continue;
        }
        bool first = true;
        for (const AddrRow *r : order) {
            HopRow row{.ttl = static_cast<uint8_t>(t), .addr = r->addr, .sent = attributed_sent(slot, *r),
                       .recv = r->rtt.count(), .late = r->late, .rtt = &r->rtt, .first_at_ttl = first};
            for (uint16_t f = 0; f < flows_; ++f)
                if (r->flow_replies[f]) row.flows.push_back(f);
            out.push_back(std::move(row));
            first = false;
        }
    }
    return out;
}

std::vector<FlowPathHop> HopTable::flow_path(uint16_t flow) const
{
    std::vector<FlowPathHop> out;
    if (flow >= flows_) return out;
    uint8_t limit = display_limit();
    for (int t = min_ttl_; t <= limit; ++t) {
        const TtlSlot &slot = at(static_cast<uint8_t>(t));
        const FlowHop &fh = slot.flows[flow];
        FlowPathHop hop{.ttl = static_cast<uint8_t>(t), .sent = fh.sent, .recv = fh.rtt.count(), .rtt = &fh.rtt};
        uint32_t best = 0;
        for (const auto &r : slot.addrs)
            if (r.flow_replies[flow] > best) {
                best = r.flow_replies[flow];
                hop.addr = r.addr;
            }
        out.push_back(hop);
    }
    return out;
}

} // namespace pathmap::mtr
