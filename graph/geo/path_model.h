// Internals of the path HMM: per-hop candidate states with their emission
// scores, the transition score, Viterbi with the revisit penalty, and
// forward-backward posteriors. Not part of the public API.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "graph/geo/model_params.h"
#include "graph/geo/path_geolocator.h"

namespace pathmap::geo
{

struct HopStates {
    size_t input_index = 0; // into GeoTrace::hops
    double rtt_ms = 0.0;
    bool own_evidence = false;
    std::vector<Candidate> candidates;
    std::vector<double> utility;
    std::vector<int> city_id;                // equal ids = same city (same_city())
    std::vector<std::array<double, 3>> unit; // unit vectors, for fast distances
    std::vector<double> emission;            // log, after softmax, floor and certainty weight
    double certainty = 1.0;
};

// Builds the states of every responding hop. Anchors may be empty.
std::vector<HopStates> build_states(const GeoTrace &trace, const GeoContext &ctx,
                                    const std::optional<Location> &src, const std::optional<Location> &dst);

// Fills HopStates::emission and certainty from utility and sources.
void score_emissions(HopStates &hop, const ModelParams &p);

std::array<double, 3> unit_vector(const Location &loc);
double distance_km(const std::array<double, 3> &a, const std::array<double, 3> &b);

struct TransitionTerms {
    double log_score = 0.0;
    double min_rtt_ms = 0.0;
    double distance_km = 0.0;
    bool infeasible = false; // RTT increment below light-in-fibre time (with jitter allowance)
    double survival = 1.0;   // Pareto-II survival of the slack
};
TransitionTerms transition(double distance_km, bool same_city, double rtt_delta_ms, const std::string &cc_a,
                           const std::string &cc_b, const ModelParams &p, const LatencyPriors *priors);

struct Decoded {
    std::vector<int> state;        // chosen candidate per HopStates
    std::vector<double> posterior; // forward-backward probability of that candidate
    double log_likelihood = 0.0;   // of the Viterbi path, revisit penalties included
};
Decoded decode(const std::vector<HopStates> &hops, const std::optional<Location> &vantage,
               const ModelParams &p, const LatencyPriors *priors);

} // namespace pathmap::geo
