// Candidate generation: merges every source's city for each hop into one
// candidate list with supports, carries evidence-less hops (private, bogon,
// unknown) by their neighbours, and adds interconnection hubs where the
// hop's own evidence cannot explain its RTT from the vantage point.
#include <algorithm>
#include <cmath>

#include "graph/geo/code_tables.h"
#include "graph/geo/evidence_sources.h"
#include "graph/geo/gazetteer.h"
#include "graph/geo/hostname_hints.h"
#include "graph/geo/path_model.h"

namespace pathmap::geo {
namespace {

struct Evidence {
    Location loc;
    Source source;
};

bool is_own(Source s) { return s == Source::geodb || s == Source::rdns || s == Source::geofeed || s == Source::ixp; }

double source_weight(Source s, const ModelParams &p)
{
    switch (s) {
    case Source::geodb: return p.w_geodb;
    case Source::rdns: return p.w_rdns;
    case Source::geofeed: return p.w_geofeed;
    case Source::ixp: return p.w_ixp;
    case Source::facility: return p.w_facility;
    case Source::anchor:
    case Source::neighbour: return 0.0; // anchors are weighted by RTT distance, see below
    }
    return 0.0;
}

std::vector<Evidence> own_evidence(const GeoHop &hop, const GeoContext &ctx)
{
    std::vector<Evidence> ev;
    auto push = [&](std::optional<Location> loc, Source s) {
        if (!loc) return;
        if (loc->lat == 0.0 && loc->lon == 0.0 && !(ctx.gazetteer && ctx.gazetteer->resolve(*loc))) return;
        ev.push_back({std::move(*loc), s});
    };
    const std::optional<uint32_t> addr = parse_ipv4(hop.addr);
    const bool bogon = !addr || is_bogon(*addr);
    // Most specific sources first: the merged candidate keeps the first name.
    push(hop.evidence.ixp, Source::ixp);
    if (addr && ctx.ixp) push(ctx.ixp->lookup(*addr), Source::ixp);
    if (addr && ctx.geofeed) push(ctx.geofeed->lookup(*addr), Source::geofeed);
    push(hop.evidence.rdns_hint, Source::rdns);
    if (hop.rdns && ctx.gazetteer)
        for (const HostnameHint &h : parse_hostname(*hop.rdns, *ctx.gazetteer)) push(h.city->loc, Source::rdns);
    // A GeoDB answer for a private or bogon address is an artefact, not evidence.
    if (!bogon) {
        if (hop.evidence.geodb) push(hop.evidence.geodb, Source::geodb);
        else if (addr && ctx.geodb) push(ctx.geodb->lookup(*addr), Source::geodb);
    }
    return ev;
}

struct Builder {
    HopStates &hop;
    void add(const Location &loc, Source s, double utility)
    {
        for (size_t i = 0; i < hop.candidates.size(); ++i) {
            if (!same_city(hop.candidates[i].loc, loc)) continue;
            auto &srcs = hop.candidates[i].sources;
            if (std::find(srcs.begin(), srcs.end(), s) == srcs.end()) {
                srcs.push_back(s);
                hop.utility[i] += utility;
            } else if (s == Source::anchor) {
                hop.utility[i] += utility; // the same city can be both endpoints
            }
            return;
        }
        hop.candidates.push_back({.loc = loc, .sources = {s}});
        hop.utility.push_back(utility);
    }
};

double pareto_survival(double slack_ms, const ModelParams &p)
{
    return std::pow(1.0 + std::max(0.0, slack_ms) / p.slack_scale_ms, -p.slack_shape);
}

// How well a location explains a hop's RTT as seen from the vantage point.
double vantage_fit(const Location &vantage, const Location &loc, double rtt_ms, const ModelParams &p)
{
    const double m = 2.0 * great_circle_km(vantage, loc) / p.fibre_km_per_ms;
    if (rtt_ms + p.jitter_ms < m) return 0.0;
    return pareto_survival(rtt_ms - m, p);
}

} // namespace

std::vector<HopStates> build_states(const GeoTrace &trace, const GeoContext &ctx, const std::optional<Location> &src,
                                    const std::optional<Location> &dst)
{
    const ModelParams &p = ctx.params;
    std::vector<HopStates> hops;
    std::vector<std::vector<Evidence>> evidence;
    for (size_t i = 0; i < trace.hops.size(); ++i) {
        if (trace.hops[i].addr.empty()) continue; // silent hop: nothing to place
        HopStates h;
        h.input_index = i;
        h.rtt_ms = trace.hops[i].rtt_ms;
        evidence.push_back(own_evidence(trace.hops[i], ctx));
        h.own_evidence = !evidence.back().empty();
        hops.push_back(std::move(h));
    }
    if (hops.empty()) return hops;
    const double last_rtt = hops.back().rtt_ms;

    for (size_t i = 0; i < hops.size(); ++i) {
        HopStates &h = hops[i];
        Builder b{h};
        for (const Evidence &e : evidence[i]) b.add(e.loc, e.source, source_weight(e.source, p));
        // Endpoint anchors: strong near their end of the path, fading with RTT.
        if (src) b.add(*src, Source::anchor, p.w_anchor * std::exp(-std::max(0.0, h.rtt_ms) / p.anchor_decay_ms));
        if (dst)
            b.add(*dst, Source::anchor, p.w_anchor * std::exp(-std::max(0.0, last_rtt - h.rtt_ms) / p.anchor_decay_ms));
        // Neighbours' own evidence: adjacent routers often share a city.
        for (int dir : {-1, 1}) {
            for (long j = static_cast<long>(i) + dir; j >= 0 && j < static_cast<long>(hops.size()); j += dir) {
                if (evidence[static_cast<size_t>(j)].empty()) continue;
                for (const Evidence &e : evidence[static_cast<size_t>(j)]) b.add(e.loc, Source::neighbour, 0.0);
                break;
            }
        }
        // Interconnection hubs when nothing this hop says fits its RTT.
        if (src && ctx.gazetteer) {
            double best = 0.0;
            for (const Evidence &e : evidence[i]) best = std::max(best, vantage_fit(*src, e.loc, h.rtt_ms, p));
            if (best < p.hub_expand_survival) {
                std::vector<std::pair<double, const City *>> hubs;
                for (const CodeEntry &e : interconnection_hubs())
                    if (const City *c = ctx.gazetteer->find(e.city, e.country))
                        if (double fit = vantage_fit(*src, c->loc, h.rtt_ms, p); fit > 0) hubs.emplace_back(fit, c);
                std::sort(hubs.begin(), hubs.end(), [](const auto &x, const auto &y) { return x.first > y.first; });
                if (hubs.size() > static_cast<size_t>(p.hub_candidates)) hubs.resize(static_cast<size_t>(p.hub_candidates));
                for (const auto &[fit, c] : hubs) b.add(c->loc, Source::facility, p.w_facility);
            }
        }
        // Keep the best supported candidates when there are too many.
        if (h.candidates.size() > static_cast<size_t>(p.max_candidates)) {
            std::vector<size_t> order(h.candidates.size());
            for (size_t k = 0; k < order.size(); ++k) order[k] = k;
            auto rank = [&](size_t k) {
                double r = h.utility[k];
                for (Source s : h.candidates[k].sources) r += is_own(s) ? 1.0 : s == Source::anchor ? 0.5 : 0.0;
                return r;
            };
            std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return rank(x) > rank(y); });
            order.resize(static_cast<size_t>(p.max_candidates));
            std::sort(order.begin(), order.end());
            std::vector<Candidate> c;
            std::vector<double> u;
            for (size_t k : order) {
                c.push_back(std::move(h.candidates[k]));
                u.push_back(h.utility[k]);
            }
            h.candidates = std::move(c);
            h.utility = std::move(u);
        }
    }

    // City ids over the whole trace, so "same city" is an integer compare.
    std::vector<Location> cities;
    for (HopStates &h : hops) {
        for (const Candidate &c : h.candidates) {
            int id = -1;
            for (size_t k = 0; k < cities.size() && id < 0; ++k)
                if (same_city(cities[k], c.loc)) id = static_cast<int>(k);
            if (id < 0) {
                id = static_cast<int>(cities.size());
                cities.push_back(c.loc);
            }
            h.city_id.push_back(id);
            h.unit.push_back(unit_vector(c.loc));
        }
        score_emissions(h, p);
    }
    return hops;
}

void score_emissions(HopStates &h, const ModelParams &p)
{
    const size_t k = h.candidates.size();
    h.emission.assign(k, 0.0);
    if (k == 0) return;
    if (k == 1) {
        h.certainty = 1.0;
        return;
    }
    double top = *std::max_element(h.utility.begin(), h.utility.end());
    std::vector<double> prob(k);
    double z = 0.0;
    for (size_t i = 0; i < k; ++i) z += prob[i] = std::exp((h.utility[i] - top) / p.temperature);
    double z2 = 0.0;
    for (double &x : prob) z2 += x = std::max(x / z, p.emission_floor);
    double entropy = 0.0;
    size_t argmax = 0;
    for (size_t i = 0; i < k; ++i) {
        prob[i] /= z2;
        entropy -= prob[i] * std::log(prob[i]);
        if (prob[i] > prob[argmax]) argmax = i;
    }
    // Agreement: share of the hop's own evidence that backs the favourite.
    int own = 0, backing = 0;
    for (size_t i = 0; i < k; ++i)
        for (Source s : h.candidates[i].sources)
            if (is_own(s)) {
                ++own;
                if (i == argmax) ++backing;
            }
    const double agreement = own ? static_cast<double>(backing) / own : 0.0;
    const double sharpness = 1.0 - entropy / std::log(static_cast<double>(k));
    h.certainty = std::max(p.min_certainty, 0.5 * agreement + 0.5 * sharpness);
    for (size_t i = 0; i < k; ++i) h.emission[i] = h.certainty * std::log(prob[i]);
}

} // namespace pathmap::geo
