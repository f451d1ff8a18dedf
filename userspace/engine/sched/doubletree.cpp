// Doubletree/FlashRoute round logic.
#include "userspace/engine/sched/doubletree.h"

#include "userspace/engine/sched/permutation.h"

namespace pathmap::sched {

using match::StopReason;

uint8_t distance_from_reply(const match::HopSlot &r, uint8_t probe_ttl) noexcept
{
    if (r.quoted_ttl > 0 && r.quoted_ttl <= probe_ttl) return static_cast<uint8_t>(probe_ttl - r.quoted_ttl + 1);
    if (r.reply_ttl == 0) return 0;
    const unsigned init = r.reply_ttl <= 64 ? 64 : r.reply_ttl <= 128 ? 128 : 255;
    const unsigned d = init - r.reply_ttl + 1;
    return d <= probe_ttl ? static_cast<uint8_t>(d) : 0;
}

Doubletree::Doubletree(match::TraceTable &table, StopSet &stop_set, const DoubletreeConfig &cfg)
    : table_(table), stop_set_(stop_set), cfg_(cfg), state_(table.num_traces())
{
    if (cfg_.gap_limit == 0) cfg_.gap_limit = 1;
}

void Doubletree::set_split(size_t trace, uint8_t split) noexcept
{
    const uint8_t max = table_.max_ttl();
    if (split > max) split = max;
    State &s = state_[trace];
    if (s.back || s.fwd) --active_;
    s = State{};
    s.back = split;
    s.fwd = split < max ? static_cast<uint8_t>(split + 1) : 0;
    if (s.fwd == 0) s.stop = StopReason::max_ttl;
    // Incremental: a full recount here made setting up n traces O(n^2).
    if (s.back || s.fwd) ++active_;
}

void Doubletree::finish(size_t trace, StopReason why) noexcept
{
    State &s = state_[trace];
    if (s.back || s.fwd) --active_;
    s = State{};
    s.stop = why;
}

void Doubletree::recount() noexcept
{
    active_ = 0;
    for (const State &s : state_) active_ += (s.back || s.fwd) ? 1 : 0;
}

size_t Doubletree::plan_round(uint64_t seed, std::vector<probe::ProbeSpec> &out)
{
    const size_t before = out.size();
    const Permutation order(state_.size(), seed);
    for (uint64_t i = 0; i < order.size(); ++i) {
        const size_t tr = order.at(i);
        State &s = state_[tr];
        s.sent_back = s.sent_fwd = 0;
        if (!s.back && !s.fwd) continue;
        const uint8_t terminal = table_.terminal_ttl(tr);
        // Nothing beyond a known end of the path is worth asking.
        if (terminal && s.back >= terminal) s.back = static_cast<uint8_t>(terminal - 1);
        if (terminal && s.fwd && s.fwd >= terminal) {
            s.fwd = 0;
            s.stop = StopReason::reached; // assembly tells reached from unreachable
        }
        const uint32_t dst = table_.trace_target(tr);
        const uint16_t flow = table_.trace_flow(tr);
        if (s.back) {
            if (table_.answered(tr, s.back)) {
                // Already known (an earlier pass): no probe, decide next round.
                s.sent_back = s.back;
            } else {
                out.push_back({.dst = dst, .ttl = s.back, .flow_id = flow});
                table_.mark_sent(tr, s.back);
                s.sent_back = s.back;
            }
        }
        if (s.fwd) {
            if (!table_.answered(tr, s.fwd)) {
                out.push_back({.dst = dst, .ttl = s.fwd, .flow_id = flow});
                table_.mark_sent(tr, s.fwd);
            }
            s.sent_fwd = s.fwd;
        }
    }
    return out.size() - before;
}

bool Doubletree::loops(size_t trace, uint8_t ttl, uint32_t addr) const noexcept
{
    // The same router two or more TTLs apart: a forwarding loop. (Adjacent
    // repeats happen with zero-TTL forwarding quirks and are not loops.)
    for (uint8_t t = 1; t + 1 < ttl; ++t)
        if (table_.answered(trace, t) && table_.hop(trace, t).addr == addr) return true;
    return false;
}

void Doubletree::finish_forward(State &s, StopReason why) noexcept
{
    s.fwd = 0;
    s.stop = why;
}

void Doubletree::advance_round()
{
    found_.clear();
    const Permutation order(state_.size(), ++advance_seed_);
    for (uint64_t i = 0; i < order.size(); ++i) {
        const size_t tr = order.at(i);
        State &s = state_[tr];
        const uint32_t dst = table_.trace_target(tr);
        if (s.sent_back) {
            const uint32_t addr = table_.answered(tr, s.sent_back) ? table_.hop(tr, s.sent_back).addr : 0;
            // Checked and inserted trace by trace (in a random order): the
            // first `discoverers` traces to meet an interface go on below it
            // (several, so one rate-limited answer below does not lose a
            // hop), the others stop.
            bool stop = false;
            if (cfg_.use_stop_set && addr && addr != dst && !stop_set_.insert(addr)) {
                uint8_t &went_on = continued_[addr]; // besides the first discoverer
                stop = went_on + 1 >= cfg_.discoverers;
                if (!stop) ++went_on;
            }
            if (stop) {
                s.back = 0;
            } else {
                s.back = static_cast<uint8_t>(s.sent_back - 1);
            }
            s.sent_back = 0;
        }
        if (s.sent_fwd) {
            const uint8_t ttl = s.sent_fwd;
            s.sent_fwd = 0;
            const uint8_t terminal = table_.terminal_ttl(tr);
            if (terminal && terminal <= ttl) {
                finish_forward(s, StopReason::reached);
                continue;
            }
            if (table_.answered(tr, ttl)) {
                const uint32_t addr = table_.hop(tr, ttl).addr;
                if (addr != dst) found_.push_back(addr);
                if (loops(tr, ttl, addr)) {
                    finish_forward(s, StopReason::loop);
                    continue;
                }
                s.gap = 0;
            } else if (++s.gap >= cfg_.gap_limit) {
                finish_forward(s, StopReason::gap_limit);
                continue;
            }
            if (ttl >= table_.max_ttl()) {
                finish_forward(s, StopReason::max_ttl);
            } else {
                s.fwd = static_cast<uint8_t>(ttl + 1);
            }
        }
    }
    for (uint32_t a : found_) stop_set_.insert(a);
    recount();
}

void Doubletree::unsend(size_t trace, uint8_t ttl) noexcept
{
    State &s = state_[trace];
    table_.unmark_sent(trace, ttl);
    // back/fwd still name the TTL just planned; clearing sent_* makes the
    // next plan_round() ask it again instead of advance_round() deciding.
    if (s.sent_back == ttl) s.sent_back = 0;
    if (s.sent_fwd == ttl) s.sent_fwd = 0;
}

void Doubletree::interrupt() noexcept
{
    for (State &s : state_) {
        if (s.back || s.fwd) {
            if (s.fwd || s.stop == StopReason::none) s.stop = StopReason::interrupted;
            s.back = s.fwd = 0;
        }
    }
    active_ = 0;
}

} // namespace pathmap::sched
