// Every number of the path model in one struct, with its source. Defaults are
// the values of "Overconfident Coordinates: Quantifying Confidence in
// Traceroute Geolocation" (PCS) unless marked "pathmap".
#pragma once

namespace pathmap::geo
{

struct ModelParams {
    // Emission: additive utility per source (PCS).
    double w_anchor = 2.0;
    double w_geodb = 0.0; // candidate only
    double w_rdns = 0.4;
    double w_geofeed = 0.3;
    double w_ixp = 0.6;
    double w_facility = 0.3;
    double w_own_support = 0.2;   // added per source the hop itself has (pathmap)
    double temperature = 0.25;    // softmax temperature (pathmap)
    double emission_floor = 0.05; // smoothing floor (PCS)
    double min_certainty = 0.25;  // lowest per-hop certainty weight (pathmap)
    // Anchor evidence fades with RTT distance from the endpoint (pathmap).
    double anchor_decay_ms = 2.0;
    double anchor_reach_ms = 10.0; // beyond this RTT from its endpoint an anchor is no candidate (pathmap)

    // Transition (PCS).
    double fibre_km_per_ms = 197.86;
    double slack_scale_ms = 20.0; // Pareto-II survival scale
    double slack_shape = 2.5;     // Pareto-II survival shape
    // Slack is counted above the light-in-fibre time stretched by this share:
    // fibre runs longer than the great circle, so a route that needs no
    // stretch at all is no more likely than a typical one (pathmap).
    double free_stretch = 0.7;
    double gate_slope = 8.0; // logistic infeasibility gate
    double jitter_ms = 2.0;  // RTT noise forgiven before the gate bites (pathmap)
    double colocation_bonus = 0.4;
    double colocation_decay_ms = 7.0;
    double revisit_penalty = 1.6;
    double revisit_decay_hops = 2.0;

    // Country-pair latency priors (PCS).
    double prior_bin_ms = 5.0;
    double prior_smooth_bins = 2.0;
    double prior_trust_samples = 50.0;
    double prior_max_weight = 0.85;

    // Path-Model Alignment (PCS).
    double alignment_km_per_ms = 200.0;
    double alignment_floor_ms = 5.0;

    // Candidate generation (pathmap).
    int max_candidates = 16;            // per hop, best supported first
    double w_country_hint = 0.1;        // each hub standing for an operator domain's country
    double carry_reach_ms = 40.0;       // evidence-less hops take neighbours' cities only this close in RTT
    double hub_expand_survival = 0.005; // add interconnection hubs below this vantage fit
    int hub_candidates = 8;
    int hub_support_candidates = 0; // hubs added to GeoDB-only hops (off: see docs/BENCHMARKS.md)
    double w_hub_support = 0.1;     // utility of those hubs (a GeoDB answer has w_own_support)

    // Registry country (pathmap): the country the address's network is
    // registered in. Candidates outside it lose this much utility; when no
    // own candidate lies inside it, the country's hubs (or its largest city)
    // join at w_country_hint each.
    double registry_mismatch_penalty = 0.3;
};

} // namespace pathmap::geo
