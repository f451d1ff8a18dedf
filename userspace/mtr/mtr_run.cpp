// MtrRun: round planning, reply matching, timeout and late accounting.
#include "userspace/mtr/mtr_run.h"

#include <algorithm>
#include <arpa/inet.h>
#include <numeric>
#include <stdexcept>
#include <string>

namespace pathmap::mtr {

namespace {
constexpr uint64_t kMaxSlots = 64ull << 20; // one byte each: 64 MiB of probe state at most
// Slack around a round's send window when placing a reply's send time: the
// 24-bit stamp has 10 us units.
constexpr uint64_t kWindowSlackNs = 50'000;

bool is_terminal(uint8_t kind) noexcept
{
    return kind == PM_REPLY_ECHO_REPLY || kind == PM_REPLY_DEST_UNREACH || kind == PM_REPLY_TCP_SYNACK ||
           kind == PM_REPLY_TCP_RST;
}
} // namespace

MtrRun::MtrRun(MtrRunConfig cfg) : cfg_(std::move(cfg)), timeout_ns_(uint64_t{cfg_.timeout_ms} * 1'000'000)
{
    if (cfg_.targets.empty()) throw std::invalid_argument("no targets to probe");
    if (cfg_.min_ttl < 1 || cfg_.max_ttl < cfg_.min_ttl)
        throw std::invalid_argument("--min-ttl must be at least 1 and not above --max-ttl");
    if (cfg_.flows < 1) throw std::invalid_argument("--flows must be at least 1");
    if (cfg_.interval_ms < 1) throw std::invalid_argument("--interval must be at least 1 ms");
    if (cfg_.timeout_ms < 1) throw std::invalid_argument("--timeout must be at least 1 ms");
    ring_ = (cfg_.timeout_ms + cfg_.interval_ms - 1) / cfg_.interval_ms + 2;
    size_t ttls = cfg_.max_ttl - cfg_.min_ttl + 1;
    uint64_t slots = uint64_t{cfg_.targets.size()} * ttls * cfg_.flows * ring_;
    if (slots > kMaxSlots)
        throw std::invalid_argument("too many targets x TTLs x flows x rounds in flight (" + std::to_string(slots) +
                                    " probes of state); use fewer targets or flows, or a --timeout closer to --interval");

    target_order_.resize(cfg_.targets.size());
    std::iota(target_order_.begin(), target_order_.end(), 0u);
    std::sort(target_order_.begin(), target_order_.end(),
              [&](uint32_t a, uint32_t b) { return cfg_.targets[a] < cfg_.targets[b]; });
    for (uint32_t i : target_order_) sorted_targets_.push_back(cfg_.targets[i]);
    if (std::adjacent_find(sorted_targets_.begin(), sorted_targets_.end()) != sorted_targets_.end())
        throw std::invalid_argument("a target is listed twice");

    tables_.reserve(cfg_.targets.size());
    for (size_t i = 0; i < cfg_.targets.size(); ++i) tables_.emplace_back(cfg_.min_ttl, cfg_.max_ttl, cfg_.flows);
    windows_.resize(ring_);
    slots_.assign(slots, empty);
    plan_.reserve(cfg_.targets.size() * ttls * cfg_.flows);
    plan_target_.reserve(plan_.capacity());
}

size_t MtrRun::slot_index(size_t target, uint8_t ttl, uint16_t flow, uint64_t round) const noexcept
{
    size_t ttls = cfg_.max_ttl - cfg_.min_ttl + 1;
    return ((target * ttls + (ttl - cfg_.min_ttl)) * cfg_.flows + flow) * ring_ + round % ring_;
}

long MtrRun::find_target(uint32_t dst) const noexcept
{
    auto it = std::lower_bound(sorted_targets_.begin(), sorted_targets_.end(), dst);
    if (it == sorted_targets_.end() || *it != dst) return -1;
    return static_cast<long>(target_order_[static_cast<size_t>(it - sorted_targets_.begin())]);
}

std::span<const probe::ProbeSpec> MtrRun::plan_round()
{
    plan_.clear();
    plan_target_.clear();
    // TTL-major so consecutive probes go to different routers' neighbourhoods
    // and each router sees a round's probes spread out.
    for (int ttl = cfg_.min_ttl; ttl <= cfg_.max_ttl; ++ttl)
        for (uint32_t t = 0; t < cfg_.targets.size(); ++t) {
            if (ttl > tables_[t].probe_limit()) continue;
            for (uint16_t f = 0; f < cfg_.flows; ++f) {
                plan_.push_back(probe::ProbeSpec{.dst = cfg_.targets[t], .ttl = static_cast<uint8_t>(ttl), .flow_id = f});
                plan_target_.push_back(t);
            }
        }
    return plan_;
}

void MtrRun::round_begin(uint64_t start_ns) noexcept
{
    uint64_t round = rounds_++;
    Window &w = windows_[round % ring_];
    if (!w.swept) sweep(w); // a round still in flight R rounds later: its time is up
    // Open-ended until round_end: replies may come back while it is sent.
    w = Window{.round = round, .start_ns = start_ns, .end_ns = UINT64_MAX / 4, .swept = false};
    open_ = &w;
    for (size_t i = 0; i < plan_.size(); ++i) {
        const auto &p = plan_[i];
        slots_[slot_index(plan_target_[i], p.ttl, p.flow_id, round)] = pending;
    }
    // A target whose path got shorter leaves slots of TTLs not planned this round.
    for (size_t t = 0; t < cfg_.targets.size(); ++t)
        for (int ttl = tables_[t].probe_limit() + 1; ttl <= cfg_.max_ttl; ++ttl)
            for (uint16_t f = 0; f < cfg_.flows; ++f) slots_[slot_index(t, static_cast<uint8_t>(ttl), f, round)] = empty;
}

void MtrRun::round_end(uint64_t end_ns, size_t count) noexcept
{
    if (!open_) return;
    Window &w = *open_;
    open_ = nullptr;
    w.end_ns = end_ns;
    count = std::min(count, plan_.size());
    counters_.sent += count;
    // Probes of the plan that never left are not in flight. (One answered
    // already would be a forgery: it was never sent.)
    for (size_t i = count; i < plan_.size(); ++i) {
        const auto &p = plan_[i];
        uint8_t &s = slots_[slot_index(plan_target_[i], p.ttl, p.flow_id, w.round)];
        if (s == pending) s = empty;
    }
}

void MtrRun::sweep(Window &w) noexcept
{
    w.swept = true;
    for (size_t t = 0; t < cfg_.targets.size(); ++t)
        for (int ttl = cfg_.min_ttl; ttl <= cfg_.max_ttl; ++ttl)
            for (uint16_t f = 0; f < cfg_.flows; ++f) {
                uint8_t &s = slots_[slot_index(t, static_cast<uint8_t>(ttl), f, w.round)];
                if (s != pending) continue;
                s = lost;
                ++counters_.lost;
                tables_[t].on_lost(static_cast<uint8_t>(ttl), f);
            }
}

void MtrRun::expire(uint64_t now_ns) noexcept
{
    for (auto &w : windows_)
        if (!w.swept && now_ns >= w.end_ns + timeout_ns_) sweep(w);
}

void MtrRun::expire_all() noexcept
{
    for (auto &w : windows_)
        if (!w.swept) sweep(w);
}

ReplyOutcome MtrRun::on_reply(const pm_reply_record &rec) noexcept
{
    long target = find_target(ntohl(rec.probe_dst));
    if (target < 0 || rec.probe_ttl < cfg_.min_ttl || rec.probe_ttl > cfg_.max_ttl || rec.flow_id >= cfg_.flows) {
        ++counters_.unmatched;
        return ReplyOutcome::unmatched;
    }
    // Rebuild the full send time from the 24-bit stamp, relative to arrival;
    // the middle of the 10 us unit halves the quantisation error.
    const uint64_t send_ns = probe::send_ns_from_ts24(rec.probe_ts & PM_TS_MASK, rec.rx_ns);
    if (send_ns == 0) {
        ++counters_.unmatched;
        return ReplyOutcome::unmatched;
    }
    Window *w = nullptr;
    for (auto &cand : windows_)
        if (cand.round != UINT64_MAX && send_ns + kWindowSlackNs >= cand.start_ns && send_ns <= cand.end_ns + kWindowSlackNs) {
            w = &cand;
            break;
        }
    if (!w) {
        ++counters_.unmatched;
        return ReplyOutcome::unmatched;
    }
    auto t = static_cast<size_t>(target);
    uint32_t src = ntohl(rec.reply_src);
    uint8_t &s = slots_[slot_index(t, rec.probe_ttl, rec.flow_id, w->round)];
    uint64_t rtt_ns = rec.rx_ns > send_ns ? rec.rx_ns - send_ns : 0;
    switch (s) {
    case pending:
        if (rtt_ns > timeout_ns_) { // its sweep simply has not run yet
            s = late;
            ++counters_.late;
            tables_[t].on_lost(rec.probe_ttl, rec.flow_id);
            try {
                if (tables_[t].on_late(rec.probe_ttl, rec.flow_id, src, is_terminal(rec.kind))) new_addrs_.push_back(src);
            } catch (...) {
            }
            return ReplyOutcome::late;
        }
        s = answered;
        ++counters_.received;
        // on_answered may allocate for an address never seen before (its row
        // and its new_addrs_ entry): a handful per run, bounded by the path,
        // not per packet.
        try {
            if (tables_[t].on_answered(rec.probe_ttl, rec.flow_id, src, static_cast<double>(rtt_ns) / 1000.0,
                                       is_terminal(rec.kind)))
                new_addrs_.push_back(src);
        } catch (...) {
        }
        return ReplyOutcome::answered;
    case lost:
        s = late;
        --counters_.lost;
        ++counters_.late;
        try {
            if (tables_[t].on_late(rec.probe_ttl, rec.flow_id, src, is_terminal(rec.kind))) new_addrs_.push_back(src);
        } catch (...) {
        }
        return ReplyOutcome::late;
    case answered:
    case late:
        ++counters_.duplicates;
        return ReplyOutcome::duplicate;
    default:
        ++counters_.unmatched;
        return ReplyOutcome::unmatched;
    }
}

} // namespace pathmap::mtr
