// The MDA phase of `pathmap sweep --mda` (see mda_phase.h): target choice,
// the send/collect rounds over its own session, and its summary block.
#include "userspace/engine/sweep/mda_phase.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_set>

#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/engine/match/reply_matcher.h"
#include "userspace/engine/match/trace_assembly.h"
#include "userspace/engine/sched/mda_explorer.h"
#include "userspace/engine/session/session_set.h"
#include "userspace/engine/sweep/sweep_session.h"

namespace pathmap::sweep {

MdaTargetChoice pick_mda_targets(std::span<const Trace> traces, size_t max_targets)
{
    struct Candidate {
        MdaTarget target;
        uint64_t key; // last router << 8 | reached
        bool reached;
    };
    // Where an answer came from: a destination's or router's unreachable (or
    // echo reply to the preprobe at max TTL) says its distance by the TTL it
    // quotes, not by the probe's TTL.
    auto distance = [](const Hop &h) {
        return h.quoted_ttl > 0 && h.quoted_ttl <= h.ttl ? static_cast<uint8_t>(h.ttl - h.quoted_ttl + 1) : h.ttl;
    };
    std::vector<Candidate> cands;
    for (const Trace &t : traces) {
        if (t.flow_id != 0) continue;
        const auto dst = parse_ipv4(t.dst);
        if (!dst) continue;
        uint8_t dst_dist = 0, last_ttl = 0, unreach_dist = 0;
        uint32_t last_router = 0, unreach_router = 0;
        for (const Hop &h : t.hops) {
            if (h.addr.empty()) continue;
            if (h.addr == t.dst) {
                if (!dst_dist) dst_dist = distance(h);
                continue;
            }
            if (dst_dist && h.ttl > dst_dist) continue;
            if (h.icmp_type == 3) { // a router's unreachable ends the path at its distance
                if (!unreach_dist) {
                    unreach_dist = distance(h);
                    unreach_router = parse_ipv4(h.addr).value_or(0);
                }
                continue;
            }
            if (h.ttl > last_ttl) {
                last_ttl = h.ttl;
                last_router = parse_ipv4(h.addr).value_or(0);
            }
        }
        if (unreach_dist > last_ttl) {
            last_ttl = unreach_dist;
            last_router = unreach_router;
        }
        const bool reached = dst_dist != 0;
        // Reached: up to the TTL before the destination (a host has no next
        // hops to enumerate); otherwise up to the deepest answer.
        const uint8_t top = reached ? static_cast<uint8_t>(dst_dist - 1) : last_ttl;
        if (top < 2) continue; // nothing behind the gateway to enumerate
        cands.push_back({.target = {.dst = *dst, .last_ttl = top},
                         .key = uint64_t{last_router} << 8 | uint64_t{reached},
                         .reached = reached});
    }
    MdaTargetChoice out;
    out.candidates = cands.size();
    std::sort(cands.begin(), cands.end(), [](const Candidate &a, const Candidate &b) { return a.target.dst < b.target.dst; });
    // Groups in address order of their first member; each keeps its first reached member.
    std::map<uint64_t, size_t> group; // key -> index into picks
    std::vector<Candidate> picks;
    for (const Candidate &c : cands) {
        auto [it, fresh] = group.emplace(c.key, picks.size());
        if (fresh) picks.push_back(c);
        else if (!picks[it->second].reached && c.reached) picks[it->second] = c;
    }
    out.groups = picks.size();
    if (cands.size() <= max_targets) {
        for (const Candidate &c : cands) out.targets.push_back(c.target);
    } else {
        if (picks.size() > max_targets) {
            out.left_out = picks.size() - max_targets;
            picks.resize(max_targets);
        }
        for (const Candidate &c : picks) out.targets.push_back(c.target);
    }
    std::sort(out.targets.begin(), out.targets.end(), [](const MdaTarget &a, const MdaTarget &b) { return a.dst < b.dst; });
    return out;
}

TraceDiscovery count_trace_discovery(std::span<const Trace> traces)
{
    std::unordered_set<std::string> ifaces;
    std::unordered_set<std::string> links;
    for (const Trace &t : traces) {
        const Hop *prev = nullptr;
        for (const Hop &h : t.hops) {
            const bool router = !h.addr.empty() && h.addr != t.dst;
            if (router) ifaces.insert(h.addr);
            if (router && prev && prev->ttl + 1 == h.ttl && prev->addr != h.addr) links.insert(prev->addr + ">" + h.addr);
            prev = router ? &h : nullptr;
        }
    }
    return {.interfaces = ifaces.size(), .links = links.size()};
}

namespace {

bool is_set(const std::atomic<bool> *f) noexcept { return f && f->load(std::memory_order_relaxed); }

const char *proto_name(probe::Proto p) noexcept
{
    return p == probe::Proto::icmp ? "icmp" : p == probe::Proto::udp ? "udp" : "tcp";
}

// One destination's view of the phase's TraceTable, in MDA flow indices.
class TableReplies final : public sched::MdaReplies {
public:
    TableReplies(const match::TraceTable &table, size_t target, uint16_t base) : table_(table), target_(target), base_(base) {}
    bool probed(uint16_t flow, uint8_t ttl) const override
    {
        return ttl >= 1 && ttl <= table_.max_ttl() && table_.was_sent(trace(flow), ttl);
    }
    uint32_t addr(uint16_t flow, uint8_t ttl) const override
    {
        if (ttl < 1 || ttl > table_.max_ttl() || !table_.answered(trace(flow), ttl)) return 0;
        return table_.hop(trace(flow), ttl).addr;
    }
    size_t trace(uint16_t flow) const noexcept { return table_.trace_index(target_, static_cast<uint16_t>(base_ + flow)); }

private:
    const match::TraceTable &table_;
    size_t target_;
    uint16_t base_;
};

class MdaRunner {
public:
    MdaRunner(const SweepConfig &cfg, uint32_t run_id, std::span<const MdaTarget> targets, std::span<const Trace> sweep,
              const std::atomic<bool> *stop, const std::atomic<bool> *abort)
        : cfg_(cfg), m_(cfg.mda), stop_(stop), abort_(abort), reuse_(reuses_sweep(cfg)), base_(reuse_ ? 0 : cfg.flows),
          targets_(targets.begin(), targets.end()),
          table_(dsts(targets), match::TraceTableConfig{.num_flows = static_cast<uint16_t>(base_ + cfg.mda.max_flows),
                                                        .max_ttl = cfg.max_ttl}),
          matcher_(table_, match::MatchConfig{.proto = cfg.mda.proto, .wait_ns = uint64_t{cfg.wait_ms} * 1'000'000}),
          session_(session_config(cfg, cfg.mda.proto, static_cast<uint16_t>(base_ + cfg.mda.max_flows), run_id),
                   table_.targets(), &match::ReplyMatcher::sink, &matcher_)
    {
        if (reuse_) seed(sweep);
        for (const MdaTarget &t : targets_) {
            const uint8_t top = std::min<uint8_t>(t.last_ttl, cfg.max_ttl);
            explorers_.emplace_back(sched::MdaExplorerConfig{.hop = {.confidence = m_.confidence, .max_flows = m_.max_flows},
                                                             .dst = t.dst,
                                                             .first_ttl = 2,
                                                             .last_ttl = top,
                                                             .frozen_flows = uint16_t{reuse_}});
        }
    }

    MdaPhaseResult run()
    {
        const uint64_t start = tx::monotonic_ns();
        const uint64_t deadline = start + uint64_t{m_.time_limit_ms} * 1'000'000;
        std::vector<sched::MdaProbe> planned;
        std::vector<probe::ProbeSpec> probes;
        const char *stopped_by = "rule";
        for (;; ++rounds_) {
            if (rounds_ >= m_.max_rounds) {
                stopped_by = "max_rounds";
                break;
            }
            if (tx::monotonic_ns() >= deadline) {
                stopped_by = "time_limit";
                break;
            }
            probes.clear();
            bool capped = false;
            for (size_t i = 0; i < explorers_.size(); ++i) {
                const size_t t = *table_.find_target(targets_[i].dst);
                const TableReplies view(table_, t, base_);
                planned.clear();
                explorers_[i].plan(view, planned);
                for (const auto &p : planned) {
                    if (sent_ + probes.size() >= m_.max_probes) {
                        capped = true;
                        break;
                    }
                    table_.mark_sent(view.trace(p.flow), p.ttl);
                    probes.push_back({.dst = targets_[i].dst, .ttl = p.ttl, .flow_id = static_cast<uint16_t>(base_ + p.flow)});
                }
            }
            if (probes.empty()) {
                if (capped) stopped_by = "max_probes";
                break;
            }
            send(probes);
            if (interrupted_ || tx_failed_) {
                stopped_by = interrupted_ ? "interrupted" : "tx_failed";
                break;
            }
            drain(last_send_ns_ + std::clamp<uint64_t>(2 * max_rtt_ns() + 20'000'000, 50'000'000, wait_ns()), stop_);
            if (is_set(stop_)) {
                interrupted_ = true;
                stopped_by = "interrupted";
                break;
            }
            if (capped) {
                stopped_by = "max_probes";
                break;
            }
        }
        // Stragglers: as the sweep's final drain, a multiple of the slowest reply.
        if (sent_) drain(last_send_ns_ + std::clamp<uint64_t>(4 * max_rtt_ns() + 100'000'000, 200'000'000, wait_ns()),
                         interrupted_ ? abort_ : stop_);
        return finish(stopped_by, tx::monotonic_ns() - start);
    }

private:
    // Probing as the sweep did (same protocol and port, same run id, one
    // flow), the MDA's flow 0 is the sweep's: same header, same path. Its
    // answers then count as one flow at every TTL the sweep probed.
    static bool reuses_sweep(const SweepConfig &cfg) noexcept { return cfg.mda.proto == cfg.proto && cfg.flows == 1; }

    void seed(std::span<const Trace> sweep)
    {
        for (const Trace &t : sweep) {
            if (t.flow_id != 0) continue;
            const auto dst = parse_ipv4(t.dst);
            const auto ti = dst ? table_.find_target(*dst) : std::nullopt;
            if (!ti) continue;
            const size_t tr = table_.trace_index(*ti, 0);
            for (const Hop &h : t.hops) {
                if (h.ttl < 1 || h.ttl > table_.max_ttl()) continue;
                table_.mark_sent(tr, h.ttl);
                const auto a = h.addr.empty() ? std::nullopt : parse_ipv4(h.addr);
                if (!a) continue;
                const match::HopSlot slot{.addr = *a,
                                          .rtt_us = static_cast<uint32_t>(h.rtt_ms * 1000.0),
                                          .icmp_type = static_cast<uint8_t>(h.icmp_type < 0 ? 0 : h.icmp_type),
                                          .icmp_code = static_cast<uint8_t>(h.icmp_code < 0 ? 0 : h.icmp_code),
                                          .reply_ttl = static_cast<uint8_t>(h.reply_ttl),
                                          .quoted_ttl = static_cast<uint8_t>(h.quoted_ttl)};
                table_.record(tr, h.ttl, slot, *a == *dst || h.icmp_type == 3, nullptr);
                ++seeded_;
            }
        }
    }

    static std::vector<uint32_t> dsts(std::span<const MdaTarget> targets)
    {
        std::vector<uint32_t> out;
        for (const auto &t : targets) out.push_back(t.dst);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    uint64_t wait_ns() const noexcept { return uint64_t{cfg_.wait_ms} * 1'000'000; }
    uint64_t max_rtt_ns() const noexcept { return uint64_t{matcher_.stats().max_rtt_us} * 1000; }

    // What the sender did not take is not probed after all (never a silent hop).
    void send(std::vector<probe::ProbeSpec> &probes)
    {
        session_.order_by_group(probes);
        const size_t n = session_.send(probes, stop_);
        sent_ += n;
        last_send_ns_ = tx::monotonic_ns();
        for (size_t i = n; i < probes.size(); ++i)
            if (const auto t = table_.find_target(probes[i].dst))
                table_.unmark_sent(table_.trace_index(*t, probes[i].flow_id), probes[i].ttl);
        unsent_ += probes.size() - n;
        if (n < probes.size()) {
            if (is_set(stop_)) interrupted_ = true;
            else if (n == 0) tx_failed_ = true;
        }
    }

    void drain(uint64_t deadline_ns, const std::atomic<bool> *flag)
    {
        while (tx::monotonic_ns() < deadline_ns && !is_set(flag))
            session_.drain_until(std::min(deadline_ns, tx::monotonic_ns() + 10'000'000), flag);
    }

    MdaPhaseResult finish(const char *stopped_by, uint64_t ns)
    {
        MdaPhaseResult res;
        res.probes = sent_;
        res.complete = !interrupted_ && !tx_failed_ && session_.tx_stats().errors == 0;
        nlohmann::json diamonds = nlohmann::json::array(), at_bound = nlohmann::json::array();
        uint64_t nodes = 0, done = 0, bound = 0, next_silent = 0, branching = 0, branches = 0;
        std::unordered_set<uint64_t> links;
        for (size_t i = 0; i < explorers_.size(); ++i) {
            const size_t t = *table_.find_target(targets_[i].dst);
            const TableReplies view(table_, t, base_);
            for (const sched::MdaNode &n : explorers_[i].nodes(view)) {
                ++nodes;
                done += n.done;
                bound += n.bound;
                next_silent += n.next_silent;
                for (uint32_t next : n.next) links.insert(uint64_t{n.addr} << 32 | next);
                if (n.bound)
                    at_bound.push_back({{"dst", format_ipv4(targets_[i].dst)}, {"ttl", n.ttl},
                                        {"addr", n.addr ? format_ipv4(n.addr) : std::string()},
                                        {"next", n.next.size()}, {"flows", n.flows}, {"needed", n.needed}});
                if (n.next.size() < 2) continue;
                ++branching;
                branches += n.next.size();
                nlohmann::json next = nlohmann::json::array();
                for (uint32_t a : n.next) next.push_back(format_ipv4(a));
                diamonds.push_back({{"dst", format_ipv4(targets_[i].dst)}, {"ttl", n.ttl},
                                    {"addr", n.addr ? format_ipv4(n.addr) : std::string()}, {"next", next},
                                    {"flows", n.flows}, {"done", n.done}, {"bound", n.bound}});
            }
            for (uint16_t f = reuse_ ? 1 : 0; f < m_.max_flows; ++f) { // the sweep wrote its own flow 0
                const size_t tr = view.trace(f);
                bool any = false;
                for (uint8_t ttl = 1; ttl <= table_.max_ttl() && !any; ++ttl) any = table_.was_sent(tr, ttl);
                if (!any) continue;
                res.traces.push_back(match::assemble_trace(table_, tr, interrupted_ ? match::StopReason::interrupted
                                                                                    : match::StopReason::mda));
            }
        }
        const auto &ms = matcher_.stats();
        nlohmann::json rejected = nlohmann::json::object();
        for (size_t r = 0; r < match::kRejectCount; ++r)
            rejected[std::string(match::reject_name(static_cast<match::Reject>(r)))] = ms.rejected[r];
        nlohmann::json targets = nlohmann::json::array();
        for (const auto &t : targets_) targets.push_back({{"dst", format_ipv4(t.dst)}, {"last_ttl", t.last_ttl}});
        res.summary = {
            {"enabled", true},
            {"confidence", m_.confidence},
            {"proto", proto_name(m_.proto)},
            {"max_flows", m_.max_flows},
            {"first_flow_id", reuse_ ? 1 : base_},
            {"sweep_flow_reused", reuse_},
            {"sweep_answers_reused", seeded_},
            {"targets", targets},
            {"probes", sent_},
            {"unsent", unsent_},
            {"rounds", rounds_},
            {"stopped_by", stopped_by},
            {"hops_enumerated", nodes},
            {"hops_done", done},
            {"hops_at_bound", bound},
            {"at_bound", at_bound},
            {"hops_next_silent", next_silent},
            {"branching_hops", branching},
            {"branches_found", branches},
            {"links", links.size()},
            {"diamonds", diamonds},
            {"replies_matched", ms.matched},
            {"replies_rejected", rejected},
            {"duration_s", static_cast<double>(ns) / 1e9},
            {"tx", session_.describe()},
        };
        log::info("mda: {} destinations, {} probes in {} rounds ({}), {} hops enumerated, {} branching with {} next hops, "
                  "{} at a bound",
                  targets_.size(), sent_, rounds_, stopped_by, nodes, branching, branches, bound);
        return res;
    }

    const SweepConfig &cfg_;
    const MdaSettings &m_;
    const std::atomic<bool> *stop_, *abort_;
    bool reuse_;
    uint16_t base_;
    std::vector<MdaTarget> targets_;
    match::TraceTable table_;
    match::ReplyMatcher matcher_;
    session::SessionSet session_;
    std::vector<sched::MdaExplorer> explorers_;
    uint64_t sent_ = 0, unsent_ = 0, last_send_ns_ = 0, seeded_ = 0;
    uint32_t rounds_ = 0;
    bool interrupted_ = false, tx_failed_ = false;
};

} // namespace

MdaPhaseResult run_mda_phase(const SweepConfig &cfg, uint32_t run_id, std::span<const MdaTarget> targets,
                             std::span<const Trace> sweep, const std::atomic<bool> *stop, const std::atomic<bool> *abort)
{
    MdaPhaseResult empty;
    if (targets.empty()) {
        empty.summary = {{"enabled", true}, {"targets", nlohmann::json::array()}, {"probes", 0}, {"stopped_by", "no_targets"},
                         {"hops_enumerated", 0}, {"hops_at_bound", 0}, {"branching_hops", 0}, {"branches_found", 0}};
        return empty;
    }
    MdaRunner runner(cfg, run_id, targets, sweep, stop, abort);
    return runner.run();
}

void add_mda_phase(const SweepConfig &cfg, SweepResult &res, const std::atomic<bool> *stop, const std::atomic<bool> *abort)
{
    auto &s = res.summary;
    if (!res.complete || is_set(stop)) {
        s["mda"] = {{"enabled", true}, {"probes", 0}, {"stopped_by", "sweep_incomplete"}};
        return;
    }
    const MdaTargetChoice choice = pick_mda_targets(res.traces, cfg.mda.max_targets);
    log::info("mda: {} of {} traced targets ({} distinct last routers, {} left out by --mda-max-targets)",
              choice.targets.size(), choice.candidates, choice.groups, choice.left_out);
    MdaPhaseResult phase = run_mda_phase(cfg, s["run_id"].get<uint32_t>(), choice.targets, res.traces, stop, abort);
    phase.summary["candidates"] = choice.candidates;
    phase.summary["last_hop_groups"] = choice.groups;
    phase.summary["left_out"] = choice.left_out;
    res.traces.insert(res.traces.end(), std::make_move_iterator(phase.traces.begin()),
                      std::make_move_iterator(phase.traces.end()));
    const uint64_t sent = s["probes_sent"].get<uint64_t>() + phase.probes;
    const auto disc = count_trace_discovery(res.traces);
    const double targets = static_cast<double>(std::max<uint64_t>(1, s["targets"].get<uint64_t>()));
    s["probes_sent"] = sent;
    s["probes_by_phase"]["mda"] = phase.probes;
    s["interfaces"] = disc.interfaces;
    s["links"] = disc.links;
    s["probes_per_target"] = static_cast<double>(sent) / targets;
    s["probes_per_interface"] = disc.interfaces ? static_cast<double>(sent) / static_cast<double>(disc.interfaces) : 0.0;
    s["traces"] = res.traces.size();
    if (phase.summary.contains("duration_s"))
        s["duration_s"] = s["duration_s"].get<double>() + phase.summary["duration_s"].get<double>();
    res.complete = res.complete && phase.complete;
    s["complete"] = res.complete;
    s["mda"] = std::move(phase.summary);
}

} // namespace pathmap::sweep
