// PathGeolocator: candidates -> HMM decode -> PCS, alignment, flags.
#include "graph/geo/path_geolocator.h"

#include <string_view>

#include <cmath>

#include "graph/geo/gazetteer.h"
#include "graph/geo/path_model.h"

namespace pathmap::geo
{

const char *source_name(Source s)
{
    switch (s) {
    case Source::anchor:
        return "anchor";
    case Source::geodb:
        return "geodb";
    case Source::rdns:
        return "rdns";
    case Source::geofeed:
        return "geofeed";
    case Source::ixp:
        return "ixp";
    case Source::facility:
        return "facility";
    case Source::neighbour:
        return "neighbour";
    case Source::registry:
        return "registry";
    }
    return "unknown";
}

GeoTrace geo_trace_from(const pathmap::Trace &t)
{
    GeoTrace g;
    g.dst_reached = t.reached;
    g.vantage_id = t.vantage_id;
    for (const pathmap::Hop &h : t.hops)
        g.hops.push_back({.hop = h.ttl,
                          .addr = h.addr,
                          .rtt_ms = h.rtt_ms,
                          .rdns = h.rdns,
                          .evidence = {.registry_country = h.country},
                          .has_rtt = h.rtt_known});
    return g;
}

PathGeolocator::PathGeolocator(GeoContext ctx) : ctx_(std::move(ctx)) {}

namespace
{

// Path-Model Alignment: mean speed-of-light violation of a path's segments
// (residual of the RTT increment against distance at alignment_km_per_ms,
// normalised by the increment with a floor).
struct Segment {
    double delta_ms;
    const Location *a;
    const Location *b;
};

double violation(const std::vector<Segment> &segs, const ModelParams &p)
{
    if (segs.empty()) return 0.0;
    double v = 0.0;
    for (const Segment &s : segs) {
        const double needed = 2.0 * great_circle_km(*s.a, *s.b) / p.alignment_km_per_ms;
        const double residual = s.delta_ms - needed;
        v += std::max(0.0, -residual) / std::max(p.alignment_floor_ms, std::abs(s.delta_ms));
    }
    return v / static_cast<double>(segs.size());
}

} // namespace

const Candidate *LocatedHop::chosen() const
{
    if (!loc) return nullptr;
    for (const Candidate &c : candidates)
        if (same_city(c.loc, *loc)) return &c;
    return nullptr;
}

const std::vector<Source> *LocatedHop::sources() const
{
    const Candidate *c = chosen();
    return c ? &c->sources : nullptr;
}

void PlacementCounts::add(const GeoResult &r)
{
    for (const LocatedHop &h : r.hops) {
        if (!h.unplaced) {
            ++placed;
            const Candidate *c = h.chosen();
            country_level += c && c->country_level;
        }
        else if (std::string_view(h.unplaced) == "silent")
            ++silent;
        else if (std::string_view(h.unplaced) == "no_rtt")
            ++no_rtt;
        else if (std::string_view(h.unplaced) == "infeasible")
            ++infeasible;
        else ++no_evidence;
    }
}

void PlacementCounts::merge(const PlacementCounts &o)
{
    placed += o.placed;
    silent += o.silent;
    no_rtt += o.no_rtt;
    no_evidence += o.no_evidence;
    infeasible += o.infeasible;
    country_level += o.country_level;
}

GeoResult PathGeolocator::locate(const GeoTrace &trace) const
{
    const ModelParams &p = ctx_.params;
    const std::optional<Location> src = trace.src_anchor ? trace.src_anchor : ctx_.vantage;
    std::optional<Location> dst = trace.dst_anchor ? trace.dst_anchor : ctx_.dst_anchor;
    std::optional<Location> src_resolved = src, dst_resolved = dst;
    if (src_resolved && src_resolved->lat == 0 && src_resolved->lon == 0 &&
        !(ctx_.gazetteer && ctx_.gazetteer->resolve(*src_resolved)))
        src_resolved.reset();
    if (dst_resolved && dst_resolved->lat == 0 && dst_resolved->lon == 0 &&
        !(ctx_.gazetteer && ctx_.gazetteer->resolve(*dst_resolved)))
        dst_resolved.reset();
    if (!trace.dst_reached) dst_resolved.reset();

    std::vector<HopStates> states = build_states(trace, ctx_, src_resolved, dst_resolved);
    std::erase_if(states, [](const HopStates &h) { return h.candidates.empty(); });
    const Decoded dec = decode(states, src_resolved, p, ctx_.priors);

    GeoResult r;
    r.vantage_known = src_resolved.has_value();
    r.hops.resize(trace.hops.size());
    for (size_t i = 0; i < trace.hops.size(); ++i) {
        r.hops[i].hop = trace.hops[i].hop;
        r.hops[i].addr = trace.hops[i].addr;
        r.hops[i].unplaced = trace.hops[i].addr.empty()     ? "silent"
                             : !trace.hops[i].has_rtt        ? "no_rtt"
                                                             : "no_evidence"; // until decoded below
    }
    if (states.empty()) return r;
    r.pcs = dec.log_likelihood / static_cast<double>(states.size());

    std::vector<Segment> decoded_segs, reference_segs;
    const Location *prev_ref = nullptr;
    double prev_ref_rtt = 0.0;
    for (size_t k = 0; k < states.size(); ++k) {
        const HopStates &h = states[k];
        const size_t s = static_cast<size_t>(dec.state[k]);
        LocatedHop &out = r.hops[h.input_index];
        out.loc = h.candidates[s].loc;
        out.unplaced = nullptr;
        out.posterior = dec.posterior[k];
        out.candidates = h.candidates;
        if (k > 0) {
            const HopStates &g = states[k - 1];
            const Location &a = g.candidates[static_cast<size_t>(dec.state[k - 1])].loc;
            const double delta = h.rtt_ms - g.rtt_ms;
            const double d = great_circle_km(a, *out.loc);
            r.distance_km += d;
            decoded_segs.push_back({delta, &a, &*out.loc});
            const TransitionTerms t = transition(d, same_city(a, *out.loc), delta, {}, {}, p, nullptr);
            if (t.infeasible || t.survival < 0.01)
                r.flagged_segments.push_back({.from_hop = trace.hops[g.input_index].hop,
                                              .to_hop = trace.hops[h.input_index].hop,
                                              .distance_km = d,
                                              .min_rtt_ms = t.min_rtt_ms,
                                              .rtt_delta_ms = delta,
                                              .reason = t.infeasible ? "infeasible" : "excess_slack"});
        }
        // Reference path: the raw GeoDB answer of each hop that has one.
        for (const Candidate &c : h.candidates)
            for (Source src_kind : c.sources)
                if (src_kind == Source::geodb) {
                    if (prev_ref) reference_segs.push_back({h.rtt_ms - prev_ref_rtt, prev_ref, &c.loc});
                    prev_ref = &c.loc;
                    prev_ref_rtt = h.rtt_ms;
                }
    }
    if (!reference_segs.empty()) r.alignment = violation(reference_segs, p) - violation(decoded_segs, p);
    // A place the light could not reach from the known vantage point in the
    // hop's RTT (a wrong --vantage, or evidence that contradicts the path):
    // said so, rather than shown on the map.
    if (src_resolved)
        for (const HopStates &h : states) {
            LocatedHop &out = r.hops[h.input_index];
            if (out.loc && 2.0 * great_circle_km(*src_resolved, *out.loc) / p.fibre_km_per_ms > h.rtt_ms + p.jitter_ms) {
                out.loc.reset();
                out.unplaced = "infeasible";
            }
        }
    return r;
}

} // namespace pathmap::geo
