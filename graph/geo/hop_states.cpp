// Candidate generation: merges every source's city for each hop into one
// candidate list with supports, carries evidence-less hops (private, bogon,
// unknown) by their neighbours, and adds interconnection hubs where the
// hop's own evidence cannot explain its RTT from the vantage point.
#include <algorithm>
#include <cmath>

#include "graph/geo/evidence_sources.h"
#include "graph/geo/gazetteer.h"
#include "graph/geo/hostname_hints.h"
#include "graph/geo/path_model.h"

namespace pathmap::geo
{
namespace
{

struct Evidence {
    Location loc;
    Source source;
    bool country_only = false; // one of several cities standing for a country hint
};

bool is_own(Source s)
{
    return s == Source::geodb || s == Source::rdns || s == Source::geofeed || s == Source::ixp ||
           s == Source::registry;
}

double source_weight(Source s, const ModelParams &p)
{
    switch (s) {
    case Source::geodb:
        return p.w_geodb;
    case Source::rdns:
        return p.w_rdns;
    case Source::geofeed:
        return p.w_geofeed;
    case Source::ixp:
        return p.w_ixp;
    case Source::facility:
        return p.w_facility;
    case Source::registry:
        return p.w_country_hint;
    case Source::anchor:
    case Source::neighbour:
        return 0.0; // anchors are weighted by RTT distance, see below
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
    if (hop.rdns && ctx.gazetteer) {
        const size_t before = ev.size();
        for (const HostnameHint &h : parse_hostname(*hop.rdns, *ctx.gazetteer))
            push(h.city->loc, Source::rdns);
        // No city in the name, but an access operator's domain names the
        // country: its interconnection hubs (or its largest city) stand for it.
        if (ev.size() == before)
            if (std::string_view cc = operator_domain_country(*hop.rdns); !cc.empty()) {
                for (const City *c : ctx.gazetteer->interconnection_hubs())
                    if (c->loc.country == cc) ev.push_back({c->loc, Source::rdns, true});
                if (ev.size() == before)
                    if (const City *c = ctx.gazetteer->largest_city(cc))
                        ev.push_back({c->loc, Source::rdns, true});
            }
    }
    // A public GeoDB's answer for a private or bogon address is an artefact,
    // not evidence. A database file the user gives is looked up for reserved
    // space too: public databases carry no entries there (MaxMind removes
    // reserved networks), so an entry is the operator's own deliberate one.
    if (!bogon && hop.evidence.geodb)
        push(hop.evidence.geodb, Source::geodb);
    else if (addr && ctx.geodb)
        push(ctx.geodb->lookup(*addr), Source::geodb);
    // The registry's country, when none of the hop's own places lies in it:
    // the country's hubs (or its largest city) stand for it, weakly, as for
    // an operator domain. A reserved address has no registry country.
    if (!bogon && hop.evidence.registry_country && ctx.gazetteer) {
        const std::string &cc = *hop.evidence.registry_country;
        const bool covered =
            std::any_of(ev.begin(), ev.end(), [&](const Evidence &e) { return e.loc.country == cc; });
        if (!cc.empty() && !covered) {
            const size_t before = ev.size();
            for (const City *c : ctx.gazetteer->interconnection_hubs())
                if (c->loc.country == cc) ev.push_back({c->loc, Source::registry, true});
            if (ev.size() == before)
                if (const City *c = ctx.gazetteer->largest_city(cc)) ev.push_back({c->loc, Source::registry, true});
        }
    }
    return ev;
}

// The hop's registry country, when it has one that counts.
const std::string *registry_country(const GeoHop &hop)
{
    if (!hop.evidence.registry_country || hop.evidence.registry_country->empty()) return nullptr;
    const std::optional<uint32_t> addr = parse_ipv4(hop.addr);
    if (!addr || is_bogon(*addr)) return nullptr;
    return &*hop.evidence.registry_country;
}

struct Builder {
    HopStates &hop;
    // country_only: the evidence names a country, and this city stands for it.
    void add(const Location &loc, Source s, double utility, bool country_only = false)
    {
        for (size_t i = 0; i < hop.candidates.size(); ++i) {
            if (!same_city(hop.candidates[i].loc, loc)) continue;
            hop.candidates[i].country_level = hop.candidates[i].country_level && country_only;
            auto &srcs = hop.candidates[i].sources;
            if (std::find(srcs.begin(), srcs.end(), s) == srcs.end()) {
                srcs.push_back(s);
                hop.utility[i] += utility;
            } else if (s == Source::anchor) {
                hop.utility[i] += utility; // the same city can be both endpoints
            }
            return;
        }
        hop.candidates.push_back({.loc = loc, .sources = {s}, .country_level = country_only});
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
    return pareto_survival(rtt_ms - m * (1.0 + p.free_stretch), p);
}

} // namespace

std::vector<HopStates> build_states(const GeoTrace &trace, const GeoContext &ctx,
                                    const std::optional<Location> &src, const std::optional<Location> &dst)
{
    const ModelParams &p = ctx.params;
    std::vector<HopStates> hops;
    std::vector<std::vector<Evidence>> evidence;
    for (size_t i = 0; i < trace.hops.size(); ++i) {
        if (trace.hops[i].addr.empty()) continue; // silent hop: nothing to place
        // No RTT (an Atlas "late" reply): every constraint of the model is an
        // RTT, and 0 would read as "at the vantage point". Left unplaced.
        if (!trace.hops[i].has_rtt) continue;
        HopStates h;
        h.input_index = i;
        h.rtt_ms = trace.hops[i].rtt_ms;
        evidence.push_back(own_evidence(trace.hops[i], ctx));
        h.own_evidence = !evidence.back().empty();
        hops.push_back(std::move(h));
    }
    if (hops.empty()) return hops;
    const double last_rtt = hops.back().rtt_ms;

    // Interconnection hubs for hops whose own evidence cannot explain their
    // RTT: every own candidate is out of light's reach of an endpoint, or
    // explains the RTT from the vantage only with an implausible detour
    // (Zurich->Indonesia: "Amsterdam" at 145 ms, 13 ms before Indonesia).
    std::vector<std::vector<const City *>> hubs(hops.size());
    // Hops whose only evidence is a GeoDB answer (wrong hundreds of km off
    // for a share of addresses) also get the few hubs that fit their RTT from
    // both endpoints: a transit router is most likely at one, and without the
    // true city among the candidates no transition term can recover it.
    std::vector<double> hub_utility(hops.size(), p.w_facility);
    if (src && ctx.gazetteer) {
        for (size_t i = 0; i < hops.size(); ++i) {
            if (evidence[i].empty()) continue; // carried by neighbours instead
            const double rtt = hops[i].rtt_ms;
            auto fit_both = [&](const Location &loc) {
                double fit = vantage_fit(*src, loc, rtt, p);
                if (dst) fit *= vantage_fit(*dst, loc, std::max(0.0, last_rtt - rtt), p);
                return fit;
            };
            double best = 0.0;
            bool geodb_only = true;
            for (const Evidence &e : evidence[i]) {
                double fit = vantage_fit(*src, e.loc, rtt, p);
                if (dst &&
                    last_rtt - rtt + p.jitter_ms < 2.0 * great_circle_km(e.loc, *dst) / p.fibre_km_per_ms)
                    fit = 0.0;
                best = std::max(best, fit);
                geodb_only = geodb_only && e.source == Source::geodb;
            }
            int want = 0;
            if (best < p.hub_expand_survival) {
                want = p.hub_candidates;
            } else if (geodb_only) {
                want = p.hub_support_candidates;
                hub_utility[i] = p.w_hub_support;
            }
            if (want == 0) continue;
            // Hubs that fit the RTT from both ends, nearest the way from
            // source to destination first (the stretched light-time bound
            // leaves many hubs with a perfect fit on long paths; the detour
            // tells them apart); the best fit first without a destination.
            std::vector<std::pair<double, const City *>> ranked;
            for (const City *c : ctx.gazetteer->interconnection_hubs()) {
                const double fit = fit_both(c->loc);
                if (fit <= 0) continue;
                const double key =
                    dst ? -(great_circle_km(*src, c->loc) + great_circle_km(c->loc, *dst)) : fit;
                ranked.emplace_back(key, c);
            }
            std::sort(ranked.begin(), ranked.end(),
                      [](const auto &x, const auto &y) { return x.first > y.first; });
            if (ranked.size() > static_cast<size_t>(want)) ranked.resize(static_cast<size_t>(want));
            for (const auto &[fit, c] : ranked)
                hubs[i].push_back(c);
        }
    }

    for (size_t i = 0; i < hops.size(); ++i) {
        HopStates &h = hops[i];
        Builder b{h};
        for (const Evidence &e : evidence[i])
            b.add(e.loc, e.source,
                  e.country_only ? p.w_country_hint : source_weight(e.source, p) + p.w_own_support,
                  e.country_only);
        for (const City *c : hubs[i])
            b.add(c->loc, Source::facility, hub_utility[i]);
        // Endpoint anchors: strong near their end of the path, fading with
        // RTT, and not a candidate at all far from it (mid-path hops would
        // otherwise drift to whichever endpoint uses up more of the RTT).
        const double from_src = std::max(0.0, h.rtt_ms), to_dst = std::max(0.0, last_rtt - h.rtt_ms);
        if (src && from_src <= p.anchor_reach_ms)
            b.add(*src, Source::anchor, p.w_anchor * std::exp(-from_src / p.anchor_decay_ms));
        if (dst && to_dst <= p.anchor_reach_ms)
            b.add(*dst, Source::anchor, p.w_anchor * std::exp(-to_dst / p.anchor_decay_ms));
        // Neighbours' candidates: adjacent routers often share a city, and a
        // hop without evidence (private, bogon, unknown) is carried by them.
        for (int dir : {-1, 1}) {
            for (long j = static_cast<long>(i) + dir; j >= 0 && j < static_cast<long>(hops.size());
                 j += dir) {
                const size_t n = static_cast<size_t>(j);
                if (evidence[n].empty()) continue;
                // A hop with no evidence of its own is carried only by a
                // neighbour close in RTT: across a jump (US -> Singapore,
                // +172 ms) it is not in the next hop's city, and an honest
                // "unknown" beats a confident wrong continent.
                if (evidence[i].empty() && std::abs(hops[n].rtt_ms - h.rtt_ms) > p.carry_reach_ms) break;
                for (const Evidence &e : evidence[n])
                    b.add(e.loc, Source::neighbour, 0.0, e.country_only);
                if (evidence[i].empty())
                    for (const City *c : hubs[n])
                        b.add(c->loc, Source::neighbour, 0.0);
                break;
            }
        }
        // Registries lag and multinational networks register at home: a
        // city outside the registry's country is less likely, not ruled out.
        if (const std::string *cc = registry_country(trace.hops[h.input_index]))
            for (size_t k = 0; k < h.candidates.size(); ++k)
                if (h.candidates[k].loc.country != *cc) h.utility[k] -= p.registry_mismatch_penalty;
        // Keep the best supported candidates when there are too many.
        if (h.candidates.size() > static_cast<size_t>(p.max_candidates)) {
            std::vector<size_t> order(h.candidates.size());
            for (size_t k = 0; k < order.size(); ++k)
                order[k] = k;
            auto rank = [&](size_t k) {
                double r = h.utility[k];
                for (Source s : h.candidates[k].sources)
                    r += is_own(s) ? 1.0 : s == Source::anchor ? 0.5 : 0.0;
                return r;
            };
            std::stable_sort(order.begin(), order.end(),
                             [&](size_t x, size_t y) { return rank(x) > rank(y); });
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
    for (size_t i = 0; i < k; ++i)
        z += prob[i] = std::exp((h.utility[i] - top) / p.temperature);
    double z2 = 0.0;
    for (double &x : prob)
        z2 += x = std::max(x / z, p.emission_floor);
    double entropy = 0.0;
    size_t argmax = 0;
    for (size_t i = 0; i < k; ++i) {
        prob[i] /= z2;
        entropy -= prob[i] * std::log(prob[i]);
        if (prob[i] > prob[argmax]) argmax = i;
    }
    // Agreement: share of the evidence (by utility, each support counting at
    // least a little so zero-weight GeoDB answers still vote) that backs the
    // favourite.
    double total = 0.0, backing = 0.0;
    for (size_t i = 0; i < k; ++i) {
        double support = 0.0;
        for (Source s : h.candidates[i].sources)
            if (is_own(s) || s == Source::anchor) support += 0.1;
        support += h.utility[i];
        total += support;
        if (i == argmax) backing += support;
    }
    const double agreement = total > 0 ? backing / total : 0.0;
    const double sharpness = 1.0 - entropy / std::log(static_cast<double>(k));
    h.certainty = std::max(p.min_certainty, 0.5 * agreement + 0.5 * sharpness);
    for (size_t i = 0; i < k; ++i)
        h.emission[i] = h.certainty * std::log(prob[i]);
}

} // namespace pathmap::geo
