// One destination's MDA rounds (see mda_explorer.h).
#include "userspace/engine/sched/mda_explorer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pathmap::sched {

// The nodes of one TTL h, each with the flows known to go through it.
struct MdaExplorer::Level {
    struct Node {
        uint32_t addr = 0;
        std::vector<uint16_t> flows; // reached it at h (transparent: also every flow probed at h + 1)
    };
    bool known = false;       // something to plan from
    bool transparent = false; // every flow goes through its one node
    uint32_t answered = 0;    // flows answered at h (the shares of several nodes)
    uint32_t silent = 0;      // flows probed at h that stayed silent
    std::vector<Node> nodes;
};

MdaExplorer::MdaExplorer(const MdaExplorerConfig &cfg) : cfg_(cfg)
{
    if (cfg_.first_ttl < 2) throw std::invalid_argument("MDA: first_ttl must be at least 2 (TTL 1 is the gateway)");
    if (cfg_.last_ttl < cfg_.first_ttl) throw std::invalid_argument("MDA: last_ttl below first_ttl");
    if (cfg_.hop.max_flows == 0) throw std::invalid_argument("MDA: max_flows must be positive");
    n2_ = std::min<uint32_t>(mda_stop_count(2, 1.0 - cfg_.hop.confidence), cfg_.hop.max_flows);
}

bool MdaExplorer::next_silent(const MdaReplies &r, uint8_t ttl) const
{
    if (ttl > cfg_.last_ttl) return false;
    const Level L = analyze(r, ttl);
    return L.known && L.transparent && !L.nodes.empty() && L.nodes.front().addr == 0;
}

uint32_t MdaExplorer::silent_floor(const MdaReplies &r, uint8_t ttl) const
{
    // A TTL where every frozen flow (the sweep's) was probed and stayed silent
    // is most likely a router that never answers: one more silent flow says
    // so, n_2 of them would only repeat it. An answer later still counts.
    bool probed = false;
    for (uint16_t f = 0; f < cfg_.frozen_flows && f < cfg_.hop.max_flows; ++f) {
        if (!r.probed(f, ttl)) continue;
        if (r.addr(f, ttl)) return n2_;
        probed = true;
    }
    return probed ? std::min<uint32_t>(2, n2_) : n2_;
}

bool MdaExplorer::gave_up(uint8_t ttl, uint32_t addr) const
{
    const uint64_t key = uint64_t{ttl} << 32 | addr;
    return std::find(given_up_.begin(), given_up_.end(), key) != given_up_.end();
}

MdaExplorer::Level MdaExplorer::analyze(const MdaReplies &r, uint8_t h) const
{
    Level L;
    const uint16_t nflows = cfg_.hop.max_flows;
    const uint8_t next = static_cast<uint8_t>(h + 1);
    auto all_probed_next = [&](uint32_t addr) {
        Level::Node n{.addr = addr, .flows = {}};
        for (uint16_t f = 0; f < nflows; ++f)
            if (r.probed(f, next) || (addr && r.probed(f, h) && r.addr(f, h) == addr)) n.flows.push_back(f);
        return n;
    };
    if (h + 1 == cfg_.first_ttl) { // the gateway: one router, crossed by every probe
        L.known = L.transparent = true;
        L.nodes.push_back(all_probed_next(0));
        return L;
    }
    uint32_t probed = 0;
    std::vector<std::pair<uint32_t, uint16_t>> answers; // (addr, flow)
    for (uint16_t f = 0; f < nflows; ++f) {
        if (!r.probed(f, h)) continue;
        ++probed;
        if (const uint32_t a = r.addr(f, h)) answers.emplace_back(a, f);
    }
    if (answers.empty()) {
        // Wholly silent after n_2 flows (2 where a frozen flow was silent too):
        // an anonymous router, crossed by every flow.
        if (probed >= silent_floor(r, h)) {
            L.known = L.transparent = true;
            L.nodes.push_back(all_probed_next(0));
        }
        return L;
    }
    L.known = true;
    L.answered = static_cast<uint32_t>(answers.size());
    L.silent = probed - L.answered;
    std::sort(answers.begin(), answers.end());
    const bool single = answers.front().first == answers.back().first;
    if (single && answers.size() >= n2_) {
        L.transparent = true;
        if (answers.front().first != cfg_.dst) L.nodes.push_back(all_probed_next(answers.front().first));
        return L;
    }
    for (const auto &[a, f] : answers) {
        if (L.nodes.empty() || L.nodes.back().addr != a) L.nodes.push_back({.addr = a, .flows = {}});
        L.nodes.back().flows.push_back(f);
    }
    std::erase_if(L.nodes, [&](const Level::Node &n) { return n.addr == cfg_.dst; });
    return L;
}

// Behind a transparent node v, flows sent only one TTL further count as
// through v, but a trace shows the link v -> b only where one flow answered
// at both TTLs. For a next hop b no such flow shows, one flow that reached b
// is asked at v's TTL too: the link is then observed, not inferred (or the
// answer shows v was not alone).
template <typename Emit>
void MdaExplorer::confirm_links(const MdaReplies &r, uint8_t h, uint32_t v, Emit &emit) const
{
    const uint16_t nflows = cfg_.hop.max_flows;
    const uint8_t next = static_cast<uint8_t>(h + 1);
    std::vector<uint32_t> linked, unlinked;
    std::vector<uint16_t> witness;
    for (uint16_t f = 0; f < nflows; ++f) {
        const uint32_t b = r.probed(f, next) ? r.addr(f, next) : 0;
        if (!b || b == cfg_.dst) continue;
        if (r.probed(f, h)) {
            if (r.addr(f, h) == v) linked.push_back(b);
            else if (r.addr(f, h) == 0) continue; // silent at h: shows nothing either way
        } else if (std::find(unlinked.begin(), unlinked.end(), b) == unlinked.end()) {
            unlinked.push_back(b);
            witness.push_back(f);
        }
    }
    for (size_t i = 0; i < unlinked.size(); ++i)
        if (std::find(linked.begin(), linked.end(), unlinked[i]) == linked.end()) emit(witness[i], h);
}

size_t MdaExplorer::plan(const MdaReplies &r, std::vector<MdaProbe> &out)
{
    const size_t before = out.size();
    const uint16_t nflows = cfg_.hop.max_flows;
    std::vector<uint8_t> emitted((size_t{cfg_.last_ttl} + 2) * nflows, 0);
    auto is_emitted = [&](uint16_t f, uint8_t ttl) { return emitted[size_t{ttl} * nflows + f] != 0; };
    auto emit = [&](uint16_t f, uint8_t ttl) {
        if (f < cfg_.frozen_flows || ttl < cfg_.first_ttl || ttl > cfg_.last_ttl || r.probed(f, ttl) || is_emitted(f, ttl))
            return false;
        emitted[size_t{ttl} * nflows + f] = 1;
        out.push_back({.flow = f, .ttl = ttl});
        return true;
    };
    if (first_round_) {
        first_round_ = false;
        for (uint8_t ttl = cfg_.first_ttl; ttl <= cfg_.last_ttl; ++ttl) {
            uint32_t have = 0;
            for (uint16_t f = 0; f < std::min(cfg_.frozen_flows, nflows); ++f) have += r.probed(f, ttl);
            const uint32_t want = silent_floor(r, ttl);
            for (uint16_t f = cfg_.frozen_flows; f < nflows && have < want; ++f) have += emit(f, ttl);
        }
        return out.size() - before;
    }
    // New flows sent at a TTL this round: their nodes there are not known yet.
    std::vector<uint32_t> fresh(size_t{cfg_.last_ttl} + 2, 0);
    for (uint8_t h = static_cast<uint8_t>(cfg_.first_ttl - 1); h < cfg_.last_ttl; ++h) {
        const Level L = analyze(r, h);
        if (!L.known) continue;
        const uint8_t next = static_cast<uint8_t>(h + 1);
        if (next_silent(r, next)) continue; // a router that never answers: its predecessors have nothing to show
        uint32_t want_new = 0;
        std::vector<uint32_t> short_of;
        for (const auto &node : L.nodes) {
            if (L.transparent && node.addr && h >= cfg_.first_ttl) confirm_links(r, h, node.addr, emit);
            if (gave_up(h, node.addr)) continue;
            MdaHop hop(cfg_.hop);
            uint32_t silent = 0;
            std::vector<uint16_t> unasked;
            for (uint16_t f : node.flows) {
                if (!r.probed(f, next)) {
                    unasked.push_back(f);
                    continue;
                }
                const uint32_t a = r.addr(f, next);
                if (a) hop.observe(f, a);
                else ++silent;
            }
            uint32_t need = hop.more_flows();
            if (need == 0) continue;
            if (silent >= std::max(cfg_.min_silent, need)) {
                given_up_.push_back(uint64_t{h} << 32 | node.addr); // rate-limited or lossy: more flows would not help
                continue;
            }
            for (uint16_t f : unasked) {
                if (need == 0) break;
                need -= emit(f, next);
            }
            if (need == 0) continue;
            // As many new flows as are missing, even where only a share of them
            // will land on this node: the rest of the hop's nodes use them too,
            // and the next round asks again for what is still missing. Asking
            // need / share at once overshoots by the spread of the landing.
            want_new = std::max(want_new, need);
            short_of.push_back(node.addr);
        }
        if (want_new == 0) continue;
        // Flows already sent at h this round have unknown nodes yet: wait for them.
        if (!L.transparent && fresh[h] > 0) continue;
        if (!L.transparent && L.silent >= std::max(n2_, L.answered)) {
            // Most new flows at h go unanswered (a rate-limited router): they
            // would not land on the nodes that need them.
            for (uint32_t a : short_of) given_up_.push_back(uint64_t{h} << 32 | a);
            continue;
        }
        uint32_t got = 0;
        // Which flows: first those whose trace stays gapless (probed just below
        // the new TTL, or one beyond it), then those never probed below it
        // (their trace starts there), then any: a flow probed at 3 and 5 only
        // would draw an edge across the unprobed 4 (a ttl_gap edge).
        const uint8_t at = L.transparent ? next : h;
        auto probed_below = [&](uint16_t f) {
            for (uint8_t t = cfg_.first_ttl; t < at; ++t)
                if (r.probed(f, t) || is_emitted(f, t)) return true;
            return false;
        };
        for (int pass = 0; pass < 3 && got < want_new; ++pass) {
            for (uint16_t f = 0; f < nflows && got < want_new; ++f) {
                const bool gapless = r.probed(f, static_cast<uint8_t>(at - 1)) || r.probed(f, static_cast<uint8_t>(at + 1));
                if (pass == 0 && !gapless) continue;
                if (pass == 1 && probed_below(f)) continue;
                if (L.transparent) {
                    if (emit(f, next)) {
                        ++got;
                        ++fresh[next];
                    }
                } else if (!r.probed(f, next) && !is_emitted(f, next) && emit(f, h)) {
                    // At h only: once it shows which node it reached, the next
                    // round asks it one TTL further if that node still needs it.
                    ++got;
                    ++fresh[h];
                }
            }
        }
        if (got == 0) // flow ids used up at this TTL: a bound
            for (uint32_t a : short_of) given_up_.push_back(uint64_t{h} << 32 | a);
    }
    return out.size() - before;
}

std::vector<MdaNode> MdaExplorer::nodes(const MdaReplies &r) const
{
    std::vector<MdaNode> out;
    const double eps = 1.0 - cfg_.hop.confidence;
    for (uint8_t h = static_cast<uint8_t>(cfg_.first_ttl - 1); h < cfg_.last_ttl; ++h) {
        const Level L = analyze(r, h);
        const uint8_t next = static_cast<uint8_t>(h + 1);
        for (const auto &node : L.nodes) {
            MdaHop hop(cfg_.hop);
            MdaNode n{.ttl = h, .addr = node.addr};
            for (uint16_t f : node.flows)
                if (r.probed(f, next))
                    if (const uint32_t a = r.addr(f, next)) {
                        hop.observe(f, a);
                        n.next.push_back(a);
                    }
            std::sort(n.next.begin(), n.next.end());
            n.next.erase(std::unique(n.next.begin(), n.next.end()), n.next.end());
            n.flows = hop.flows_answered();
            n.needed = hop.flows_needed();
            n.done = hop.done();
            const unsigned k = std::max(2u, hop.branches() + 1);
            n.next_silent = next_silent(r, next);
            n.bound = !n.next_silent && (gave_up(h, node.addr) || mda_stop_count(k, eps) > cfg_.hop.max_flows);
            out.push_back(std::move(n));
        }
    }
    return out;
}

} // namespace pathmap::sched
