// Sweep orchestration over a ProbeSession.
#include "userspace/engine/sweep/sweep_run.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/engine/match/reply_matcher.h"
#include "userspace/engine/match/trace_assembly.h"
#include "userspace/engine/sched/doubletree.h"
#include "userspace/engine/sched/hole_filler.h"
#include "userspace/engine/sched/permutation.h"
#include "userspace/engine/sched/prefix_knowledge.h"
#include "userspace/engine/session/session_set.h"
#include "userspace/engine/sweep/mda_phase.h"
#include "userspace/engine/sweep/sweep_session.h"
#include "userspace/engine/sweep/status_line.h"

namespace pathmap::sweep {
namespace {

bool is_set(const std::atomic<bool> *f) noexcept { return f && f->load(std::memory_order_relaxed); }

class SweepRunner {
public:
    SweepRunner(const SweepConfig &cfg, const std::atomic<bool> *stop, const std::atomic<bool> *abort)
        : cfg_(cfg), stop_(stop), abort_(abort),
          table_(cfg.targets, match::TraceTableConfig{.num_flows = cfg.flows, .max_ttl = cfg.max_ttl}),
          matcher_(table_, match::MatchConfig{.proto = cfg.proto, .wait_ns = uint64_t{cfg.wait_ms} * 1'000'000}),
          stop_set_(std::max<size_t>(1024, cfg.targets.size() / 4)),
          tree_(table_, stop_set_, sched::DoubletreeConfig{.gap_limit = cfg.gap_limit, .use_stop_set = cfg.stop_set,
                                                         .discoverers = cfg.discoverers}),
          session_(session_config(cfg, cfg.proto, cfg.flows), cfg.targets, &match::ReplyMatcher::sink, &matcher_),
          status_(cfg.quiet, tx::monotonic_ns())
    {
        start_ns_ = tx::monotonic_ns();
        seed_ = cfg.seed ? cfg.seed : session_.run_id();
        fallback_ = cfg.default_split;
        // Scouts are picked in the preprobe's order, so after seed_.
        knowledge_.emplace(cfg.targets, sched::PrefixKnowledgeConfig{
                                            .scouts = cfg.preprobe && cfg.stop_set && cfg.flows == 1 ? cfg.prefix_scouts
                                                                                                     : uint8_t{0},
                                            .sample_every = cfg.prefix_sample,
                                            .seed = seed_});
        chunk_ = std::max<size_t>(cfg.batch, cfg.rate_pps ? cfg.rate_pps / 10 : 65536);
    }

    SweepResult run()
    {
        uint64_t mark = tx::monotonic_ns();
        auto lap = [&](Phase p) {
            const uint64_t now = tx::monotonic_ns();
            phase_ns_[p] += now - mark;
            mark = now;
        };
        dist_.assign(table_.num_targets(), 0);
        if (cfg_.preprobe) {
            // Scouts first (every target when per-/24 knowledge is off), to
            // the end of their rounds; then what they showed plans the rest.
            std::vector<size_t> scouts;
            scouts.reserve(knowledge_->enabled() ? knowledge_->num_scouts() : table_.num_targets());
            const sched::Permutation order(table_.num_targets(), seed_);
            for (uint64_t i = 0; i < order.size(); ++i)
                if (knowledge_->is_scout(order.at(i))) scouts.push_back(order.at(i));
            preprobe(scouts);
            for (size_t t : scouts) split_full(t);
            lap(kPreprobe);
            if (scouts.size() < table_.num_targets()) {
                rounds();
                lap(kRounds);
                if (!interrupted_ && !tx_failed_) followers(order);
                lap(kPreprobe);
            }
        } else {
            for (size_t tr = 0; tr < table_.num_traces(); ++tr) tree_.set_split(tr, cfg_.default_split);
            lap(kPreprobe);
        }
        rounds();
        if (!predicted_.empty() && !interrupted_ && !tx_failed_) retry_predicted();
        lap(kRounds);
        holes();
        lap(kHoles);
        phase_ = "drain";
        if (interrupted_) {
            // Interrupted: the user was promised the whole wait (a second signal cuts it).
            drain(mark + wait_ns(), false);
        } else {
            // Stragglers: the matcher still accepts anything up to --wait after
            // its send, so this only has to outlast the slowest reply seen so far.
            settle(last_send_ns_ + final_guard_ns());
        }
        lap(kDrain);
        return finish();
    }

private:
    void update_status(bool force = false)
    {
        status_.tick(tx::monotonic_ns(),
                     Progress{.sent = sent_, .received = matcher_.stats().matched, .done = done_fraction(), .phase = phase_},
                     force);
    }

    double done_fraction() const
    {
        // Preprobe 10%, rounds 70% (by traces finished), holes and drain 20%.
        const double traces = static_cast<double>(std::max<size_t>(1, table_.num_traces()));
        if (phase_ == std::string_view("preprobe")) return 0.1 * static_cast<double>(pre_sent_) / traces;
        if (phase_ == std::string_view("rounds")) return 0.1 + 0.7 * (1.0 - static_cast<double>(tree_.active()) / traces);
        if (phase_ == std::string_view("holes")) return 0.85;
        return 0.95;
    }

    void check_stop()
    {
        if (!interrupted_ && is_set(stop_)) {
            interrupted_ = true;
            log::warn("interrupted: stopping probes, draining replies for {} ms (interrupt again to skip)", cfg_.wait_ms);
        }
    }

    // Sends in chunks so the status line and the stop flag are looked at
    // at least ten times a second.
    // A probe is sent only when the sender took it. The rest of a chunk the
    // sender gave up on (back-pressure past its retry budget, a dead device)
    // is unplanned again: not marked sent, so never a silent hop or a gap
    // step; Doubletree asks it again next round, and it is counted. A chunk
    // of which nothing went ends the sending (the run is then incomplete).
    // On a multi-homed prober each route group's probes go together (in
    // their planned order), so each interface's sender gets full batches.
    void send_all(std::vector<probe::ProbeSpec> &probes)
    {
        session_.order_by_group(probes);
        size_t off = 0;
        for (; off < probes.size() && !interrupted_ && !tx_failed_; off += chunk_) {
            const size_t n = std::min(chunk_, probes.size() - off);
            const size_t sent = session_.send(std::span(probes).subspan(off, n), stop_);
            sent_ += sent;
            if (phase_ == std::string_view("preprobe")) pre_sent_ += sent;
            if (sent < n) {
                unplan(std::span(probes).subspan(off + sent, n - sent), is_set(stop_) ? unsent_stopped_ : unsent_refused_);
                if (sent == 0 && !is_set(stop_)) {
                    tx_failed_ = true;
                    log::warn("the sender took none of {} probes (back-pressure or a dead device): stopping, the run is incomplete", n);
                }
            }
            last_send_ns_ = tx::monotonic_ns();
            check_stop();
            update_status();
        }
        if (off < probes.size()) unplan(std::span(probes).subspan(off), tx_failed_ ? unsent_refused_ : unsent_stopped_);
    }

    void unplan(std::span<const probe::ProbeSpec> probes, uint64_t &counter) noexcept
    {
        for (const auto &p : probes)
            if (const auto t = table_.find_target(p.dst)) tree_.unsend(table_.trace_index(*t, p.flow_id), p.ttl);
        counter += probes.size();
    }

    uint64_t wait_ns() const noexcept { return uint64_t{cfg_.wait_ms} * 1'000'000; }
    uint64_t max_rtt_ns() const noexcept { return uint64_t{matcher_.stats().max_rtt_us} * 1000; }

    // Notes when the last reply (matched or not) arrived, for settle().
    void note_replies(uint64_t now) noexcept
    {
        const uint64_t seen = matcher_.stats().matched + matcher_.stats().rejected_total();
        if (seen != replies_seen_) {
            replies_seen_ = seen;
            last_reply_ns_ = now;
        }
    }

    void drain(uint64_t deadline_ns, bool honour_stop)
    {
        for (;;) {
            const uint64_t now = tx::monotonic_ns();
            note_replies(now);
            if (now >= deadline_ns) break;
            session_.drain_until(std::min(deadline_ns, now + 10'000'000), honour_stop ? stop_ : abort_);
            update_status();
            if (honour_stop) {
                check_stop();
                if (interrupted_) break;
            } else if (is_set(abort_)) {
                break;
            }
        }
    }

    // Time to wait after a round's last probe before reading its answers.
    uint64_t round_guard_ns() const
    {
        return std::clamp<uint64_t>(2 * max_rtt_ns() + 20'000'000, 50'000'000, wait_ns());
    }

    // The final drain: a multiple of the slowest reply seen, never past --wait.
    uint64_t final_guard_ns() const
    {
        return std::clamp<uint64_t>(4 * max_rtt_ns() + 100'000'000, 200'000'000, wait_ns());
    }

    // Quiet time that ends settle(): twice the slowest reply seen.
    uint64_t idle_ns() const { return std::clamp<uint64_t>(2 * max_rtt_ns() + 10'000'000, 20'000'000, wait_ns()); }

    // Drains until min_until_ns, then on while replies keep arriving (none
    // for idle_ns() ends it), and never past --wait after the last probe.
    // Replies that come later are not lost to the matcher: they are read by
    // the next phase's drains, and the matcher accepts them up to --wait.
    void settle(uint64_t min_until_ns)
    {
        const uint64_t cap = std::max(min_until_ns, last_send_ns_ + wait_ns());
        drain(std::min(min_until_ns, cap), true);
        while (!interrupted_ && !is_set(abort_)) {
            const uint64_t now = tx::monotonic_ns();
            if (now >= cap || now >= last_reply_ns_ + idle_ns()) break;
            drain(std::min(cap, std::max(now + 1'000'000, last_reply_ns_ + idle_ns())), true);
        }
    }

    // One probe at max_ttl to each of `targets` (in that order): the hop
    // distance of those whose destination answers goes into dist_; the
    // median of them becomes the split for targets without one.
    // `extra` probes (marked sent by the caller) go out with them.
    void preprobe(std::span<const size_t> targets, std::span<const probe::ProbeSpec> extra = {})
    {
        phase_ = "preprobe";
        probes_.clear();
        probes_.reserve(targets.size() + extra.size());
        for (size_t t : targets) {
            table_.mark_sent(table_.trace_index(t, 0), cfg_.max_ttl);
            probes_.push_back({.dst = table_.target(t), .ttl = cfg_.max_ttl, .flow_id = 0});
        }
        probes_.insert(probes_.end(), extra.begin(), extra.end());
        send_all(probes_);
        preprobes_ += probes_.size();
        const uint64_t guard = std::clamp<uint64_t>(3ull * matcher_.stats().max_rtt_us * 1000 + 100'000'000, 200'000'000,
                                                    uint64_t{cfg_.wait_ms} * 1'000'000);
        drain(last_send_ns_ + guard, true);

        std::vector<uint8_t> known;
        for (size_t t : targets) {
            const size_t tr = table_.trace_index(t, 0);
            if (!table_.answered(tr, cfg_.max_ttl)) continue;
            const match::HopSlot &h = table_.hop(tr, cfg_.max_ttl);
            if (h.addr != table_.target(t)) continue;
            dist_[t] = sched::distance_from_reply(h, cfg_.max_ttl);
            if (dist_[t]) known.push_back(dist_[t]);
        }
        if (!known.empty()) {
            std::nth_element(known.begin(), known.begin() + known.size() / 2, known.end());
            fallback_ = known[known.size() / 2];
        }
        log::info("preprobe: {} of {} targets gave a hop distance (median {})", known.size(), targets.size(), fallback_);
    }

    // Full Doubletree for target t: backward from the last router before
    // the destination, forward from the destination's own distance (which
    // confirms it); without a distance from the preprobe, the one its /24's
    // scouts reached, else the median.
    void split_full(size_t t)
    {
        const uint8_t nd = knowledge_->neighbour_distance(t);
        const uint8_t d = dist_[t] ? dist_[t] : nd;
        const uint8_t split = d ? static_cast<uint8_t>(std::max(1, d - 1)) : fallback_;
        for (uint16_t f = 0; f < cfg_.flows; ++f) tree_.set_split(table_.trace_index(t, f), split);
    }

    // After the scouts' rounds: plans every other target from what its
    // /24's scouts showed (sched/prefix_knowledge.h). Knowledge is off with
    // several flows, so each target here is one trace. The preprobes of the
    // followers traced in full and the edge probes go out together.
    void followers(const sched::Permutation &order)
    {
        knowledge_->learn(table_);
        std::vector<size_t> pre, edge;
        std::vector<probe::ProbeSpec> edge_probes;
        for (uint64_t i = 0; i < order.size(); ++i) {
            const size_t t = order.at(i);
            if (knowledge_->is_scout(t)) continue;
            const sched::PrefixPlan plan = knowledge_->plan(t);
            const size_t tr = table_.trace_index(t, 0);
            if (plan.kind == sched::PrefixPlan::Kind::predicted) {
                tree_.set_split(tr, static_cast<uint8_t>(std::max(1, plan.distance - 1)));
                predicted_.push_back(t);
                ++followers_predicted_;
            } else if (plan.kind == sched::PrefixPlan::Kind::edge && plan.edge_ttl && plan.edge_ttl < cfg_.max_ttl) {
                edge.push_back(t);
                for (uint8_t ttl : {plan.edge_ttl, static_cast<uint8_t>(plan.edge_ttl + 1)}) {
                    table_.mark_sent(tr, ttl);
                    edge_probes.push_back({.dst = table_.target(t), .ttl = ttl, .flow_id = 0});
                }
            } else {
                pre.push_back(t); // full, or an edge with nothing seen: the preprobe alone
            }
        }
        preprobe(pre, edge_probes);
        for (size_t t : pre) {
            const size_t tr = table_.trace_index(t, 0);
            if (knowledge_->plan(t).kind != sched::PrefixPlan::Kind::edge) {
                split_full(t);
                ++followers_full_;
            } else if (dist_[t] || (table_.answered(tr, cfg_.max_ttl) && !table_.terminal_ttl(tr))) {
                // The destination (or a router at max_ttl) answered where the
                // scouts saw nothing: this address is not like them.
                split_full(t);
                ++followers_edge_traced_;
            } else {
                // Silent, or a router's unreachable (assembly names it).
                tree_.finish(tr, table_.terminal_ttl(tr) ? match::StopReason::unreachable : match::StopReason::gap_limit);
                ++followers_edge_;
            }
        }
        for (size_t t : edge) {
            const sched::PrefixPlan plan = knowledge_->plan(t);
            const size_t tr = table_.trace_index(t, 0);
            const uint8_t next = static_cast<uint8_t>(plan.edge_ttl + 1);
            const bool same_router = !table_.answered(tr, plan.edge_ttl) || table_.hop(tr, plan.edge_ttl).addr == plan.edge_addr;
            const uint8_t terminal = table_.terminal_ttl(tr);
            const bool reached = terminal && table_.hop(tr, terminal).addr == table_.target(t);
            if (same_router && !reached && (terminal || !table_.answered(tr, next))) {
                tree_.finish(tr, terminal ? match::StopReason::unreachable : match::StopReason::gap_limit);
                ++followers_edge_;
            } else {
                // Another router, or an answer past the scouts' end: go on
                // from there, backward to the stop set and forward.
                tree_.set_split(tr, next);
                ++followers_edge_traced_;
            }
        }
        const auto c = knowledge_->counts();
        log::info("per-/24 knowledge: {} scouts; of {} /24s with more addresses {} reached, {} unreached, {} unknown; "
                  "{} followers from the /24's distance, {} from its edge ({} traced on after an unexpected answer), {} in full",
                  knowledge_->num_scouts(), c.prefixes, c.reached, c.unreached, c.unknown, followers_predicted_,
                  followers_edge_ + followers_edge_traced_, followers_edge_traced_, followers_full_);
    }

    // A follower sent from its /24's distance has no preprobe answer to fall
    // back on: when its forward probes all went unanswered (a lossy link
    // took gap_limit answers in a row), the destination is asked once more
    // at that distance, as scamper's second attempt would.
    void retry_predicted()
    {
        probes_.clear();
        std::vector<size_t> retried;
        for (size_t t : predicted_) {
            const size_t tr = table_.trace_index(t, 0);
            if (table_.terminal_ttl(tr) || tree_.reason(tr) != match::StopReason::gap_limit) continue;
            const uint8_t d = knowledge_->plan(t).distance;
            if (table_.answered(tr, d)) continue; // a router answered there: the path is longer
            probes_.push_back({.dst = table_.target(t), .ttl = d, .flow_id = 0});
            retried.push_back(t);
        }
        if (probes_.empty()) return;
        send_all(probes_);
        retry_probes_ += probes_.size();
        round_probes_ += probes_.size(); // counted with the rounds in probes_by_phase
        settle(last_send_ns_ + round_guard_ns());
        size_t reached = 0;
        for (size_t t : retried) {
            const size_t tr = table_.trace_index(t, 0);
            if (table_.terminal_ttl(tr)) {
                tree_.finish(tr, match::StopReason::reached); // assembly tells reached from unreachable
                ++reached;
            }
        }
        log::info("followers retried at their /24's distance: {}, {} answered", retried.size(), reached);
    }

    void rounds()
    {
        phase_ = "rounds";
        for (unsigned round = 0; tree_.active() > 0 && !interrupted_ && !tx_failed_ && round < 4u * cfg_.max_ttl; ++round) {
            probes_.clear();
            tree_.plan_round(seed_ + 1 + round, probes_);
            send_all(probes_);
            if (!interrupted_ && !probes_.empty()) drain(last_send_ns_ + round_guard_ns(), true);
            if (interrupted_) break;
            tree_.advance_round();
            ++rounds_;
        }
        round_probes_ = sent_ - preprobes_ - hole_probes_;
    }

    // Re-asks rate-limited holes. A pass runs only while holes remain and the
    // previous pass found a new interface or link (with complete traces: any
    // answer), and comes at least hole_pass_gap_ms after the previous one (the
    // time a rate-limited router needs to refill a token); it ends once its
    // answers have settled rather than after a fixed time.
    void holes()
    {
        if (interrupted_ || tx_failed_ || cfg_.hole_passes == 0) return;
        phase_ = "holes";
        // Complete traces promise every TTL, so there every hole of every trace
        // is re-asked (not only one per neighbour pair), the first pass also
        // waits for the refill (right after the rounds a rate-limited router's
        // tokens are spent) and passes go on while they fill holes at all.
        const bool complete = !cfg_.stop_set;
        const auto groups = sched::find_hole_groups(table_, complete ? sched::HoleScope::every_trace
                                                                     : sched::HoleScope::by_neighbours);
        auto found = match::count_discovery(table_);
        const uint64_t gap = uint64_t{cfg_.hole_pass_gap_ms} * 1'000'000;
        uint64_t prev_start = last_send_ns_;
        for (unsigned pass = 0; pass < cfg_.hole_passes && !interrupted_; ++pass) {
            probes_.clear();
            if (sched::plan_hole_pass(table_, groups, pass, probes_) == 0) break;
            if (pass > 0 || complete) {
                // Waiting for the refill may answer holes: plan again after it.
                drain(prev_start + gap, true);
                if (interrupted_) break;
                probes_.clear();
                if (sched::plan_hole_pass(table_, groups, pass, probes_) == 0) break;
            }
            prev_start = tx::monotonic_ns();
            send_all(probes_);
            hole_probes_ += probes_.size();
            ++hole_passes_run_;
            settle(last_send_ns_ + round_guard_ns());
            size_t answered = 0;
            for (const auto &p : probes_)
                if (const auto t = table_.find_target(p.dst)) answered += table_.answered(table_.trace_index(*t, p.flow_id), p.ttl);
            const auto now_found = match::count_discovery(table_);
            log::info("hole pass {}: {} probes, {} answered, {} new interfaces, {} new links", pass, probes_.size(), answered,
                      now_found.interfaces - found.interfaces, now_found.links - found.links);
            // A pass that adds no interface and no link only fills per-trace
            // holes; another one would cost a token refill (1 s) for the same.
            const bool progress = complete ? answered > 0
                                           : now_found.interfaces != found.interfaces || now_found.links != found.links;
            if (!progress) break;
            found = now_found;
        }
        log::info("hole passes: {} neighbour groups, {} passes, {} probes", groups.size(), hole_passes_run_, hole_probes_);
    }

    SweepResult finish()
    {
        if (interrupted_ || tx_failed_) tree_.interrupt();
        const uint64_t end_ns = tx::monotonic_ns();
        update_status(true);
        SweepResult res;
        const auto txs = session_.tx_stats();
        // Probes the kernel refused (counted and consumed by the sender) or
        // that never went out leave holes nobody can tell from silence.
        res.complete = !interrupted_ && !tx_failed_ && txs.errors == 0;
        res.traces.reserve(table_.num_traces());
        for (size_t tr = 0; tr < table_.num_traces(); ++tr) {
            auto reason = tree_.reason(tr);
            // none: never planned (followers when the scouts' phase was cut short).
            if (reason == match::StopReason::none)
                reason = interrupted_ || tx_failed_ ? match::StopReason::interrupted : match::StopReason::gap_limit;
            res.traces.push_back(match::assemble_trace(table_, tr, reason));
        }
        const auto disc = match::count_discovery(table_);
        const double duration = static_cast<double>(end_ns - start_ns_) / 1e9;
        const auto &ms = matcher_.stats();
        nlohmann::json rejected = nlohmann::json::object();
        for (size_t r = 0; r < match::kRejectCount; ++r) rejected[std::string(match::reject_name(static_cast<match::Reject>(r)))] = ms.rejected[r];
        rejected["ring_malformed"] = session_.ring_malformed();
        nlohmann::json xdp = nlohmann::json::object();
        uint64_t ring_full = 0;
        try {
            const auto c = session_.rx_counters();
            for (int i = 0; i < PM_RX_COUNTER_MAX; ++i) xdp[std::string(rx::counter_name(i))] = c[static_cast<size_t>(i)];
            ring_full = c[PM_RX_RINGBUF_FULL];
        } catch (const std::exception &e) {
            log::warn("cannot read XDP counters: {}", e.what());
        }
        res.summary = {
            {"complete", res.complete},
            {"probes_sent", sent_},
            {"probes_by_phase", {{"preprobe", preprobes_}, {"rounds", round_probes_}, {"holes", hole_probes_}}},
            {"rounds", rounds_},
            {"hole_passes", hole_passes_run_},
            {"max_rtt_ms", static_cast<double>(ms.max_rtt_us) / 1e3},
            {"phase_s",
             {{"preprobe", static_cast<double>(phase_ns_[kPreprobe]) / 1e9},
              {"rounds", static_cast<double>(phase_ns_[kRounds]) / 1e9},
              {"holes", static_cast<double>(phase_ns_[kHoles]) / 1e9},
              {"drain", static_cast<double>(phase_ns_[kDrain]) / 1e9}}},
            {"replies_matched", ms.matched},
            {"replies_rejected", rejected},
            {"ringbuf_dropped", ring_full},
            {"xdp", xdp},
            {"duration_s", duration},
            {"pps_avg", duration > 0 ? static_cast<double>(sent_) / duration : 0.0},
            {"targets", table_.num_targets()},
            {"traces", table_.num_traces()},
            {"targets_reached", disc.targets_reached},
            {"interfaces", disc.interfaces},
            {"links", disc.links},
            {"probes_per_interface", disc.interfaces ? static_cast<double>(sent_) / static_cast<double>(disc.interfaces) : 0.0},
            {"probes_per_target", static_cast<double>(sent_) / static_cast<double>(std::max<size_t>(1, table_.num_targets()))},
            {"stop_set_size", stop_set_.size()},
            {"prefix_knowledge", prefix_knowledge_json()},
            {"mpls_dropped", table_.mpls_dropped()},
            {"tx", session_.describe()},
            {"tx_stats", {{"sent", txs.sent}, {"backpressure", txs.backpressure}, {"errors", txs.errors},
                          {"pacer_lost", session_.pacer_lost()},
                          {"unsent", {{"refused", unsent_refused_}, {"stopped", unsent_stopped_}}},
                          {"failed", tx_failed_}}},
            {"rate", cfg_.rate_pps},
            {"proto", cfg_.proto == probe::Proto::icmp ? "icmp" : cfg_.proto == probe::Proto::udp ? "udp" : "tcp"},
            {"max_ttl", cfg_.max_ttl},
            {"wait_ms", cfg_.wait_ms},
            {"flows", cfg_.flows},
            {"run_id", session_.run_id()},
            {"seed", seed_},
            {"iface", session_.session(0).next_hop().iface},
            {"src", format_ipv4(session_.session(0).local_addr())},
            {"route_groups", route_groups_json()},
        };
        return res;
    }

    nlohmann::json prefix_knowledge_json() const
    {
        const auto c = knowledge_->counts();
        return {{"enabled", knowledge_->enabled()},
                {"scouts", knowledge_->enabled() ? knowledge_->num_scouts() : table_.num_targets()},
                {"prefixes", {{"with_followers", c.prefixes}, {"reached", c.reached}, {"unreached", c.unreached},
                              {"unknown", c.unknown}}},
                {"followers", {{"predicted", followers_predicted_}, {"edge", followers_edge_},
                               {"edge_then_traced", followers_edge_traced_}, {"full", followers_full_},
                               {"retried", retry_probes_}}}};
    }

    // Which kernel routes carried the targets: one entry per interface used.
    nlohmann::json route_groups_json() const
    {
        nlohmann::json out = nlohmann::json::array();
        for (size_t i = 0; i < session_.size(); ++i) {
            const auto &hop = session_.session(i).next_hop();
            out.push_back({{"iface", hop.iface},
                           {"src", format_ipv4(hop.src_ip)},
                           {"gateway", hop.gateway ? format_ipv4(hop.gateway) : std::string("on-link")},
                           {"targets", session_.groups()[i].targets}});
        }
        return out;
    }

    const SweepConfig &cfg_;
    const std::atomic<bool> *stop_, *abort_;
    match::TraceTable table_;
    match::ReplyMatcher matcher_;
    sched::StopSet stop_set_;
    sched::Doubletree tree_;
    std::optional<sched::PrefixKnowledge> knowledge_; // set once seed_ is known
    session::SessionSet session_;
    StatusLine status_;
    std::vector<probe::ProbeSpec> probes_;
    std::vector<uint8_t> dist_; // target -> hop distance from its preprobe, 0 = unknown
    uint8_t fallback_ = 16;     // split without any distance: the median of the last preprobe's
    std::vector<size_t> predicted_; // followers started from their /24's distance
    uint64_t retry_probes_ = 0;
    size_t followers_predicted_ = 0, followers_edge_ = 0, followers_edge_traced_ = 0, followers_full_ = 0;
    uint64_t start_ns_ = 0, last_send_ns_ = 0, seed_ = 0;
    size_t chunk_ = 64;
    uint64_t sent_ = 0, pre_sent_ = 0, preprobes_ = 0, round_probes_ = 0, hole_probes_ = 0;
    uint64_t replies_seen_ = 0, last_reply_ns_ = 0;
    enum Phase { kPreprobe, kRounds, kHoles, kDrain, kPhases };
    std::array<uint64_t, kPhases> phase_ns_{};
    unsigned rounds_ = 0, hole_passes_run_ = 0;
    bool interrupted_ = false;
    bool tx_failed_ = false;   // the sender stopped taking probes
    uint64_t unsent_refused_ = 0, unsent_stopped_ = 0; // planned, not taken: by the sender's refusal, by a stop
    const char *phase_ = "start";
};

} // namespace

SweepResult run_sweep(const SweepConfig &cfg, const std::atomic<bool> *stop, const std::atomic<bool> *abort)
{
    if (cfg.targets.empty()) throw std::invalid_argument("sweep without targets");
    SweepResult res;
    {
        SweepRunner runner(cfg, stop, abort);
        res = runner.run();
    } // the sweep's session is closed before the MDA phase opens its own
    if (cfg.mda.enabled) add_mda_phase(cfg, res, stop, abort);
    return res;
}

} // namespace pathmap::sweep
