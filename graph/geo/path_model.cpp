// Transition scores, Viterbi (with the path-dependent revisit penalty) and
// forward-backward posteriors over the per-hop candidate states.
#include "graph/geo/path_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "graph/geo/evidence_sources.h"

namespace pathmap::geo
{

std::array<double, 3> unit_vector(const Location &loc)
{
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double la = loc.lat * rad, lo = loc.lon * rad;
    return {std::cos(la) * std::cos(lo), std::cos(la) * std::sin(lo), std::sin(la)};
}

double distance_km(const std::array<double, 3> &a, const std::array<double, 3> &b)
{
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    const double chord = std::sqrt(dx * dx + dy * dy + dz * dz);
    return 2.0 * kEarthRadiusKm * std::asin(std::min(1.0, chord / 2.0));
}

TransitionTerms transition(double d, bool same, double delta, const std::string &cc_a,
                           const std::string &cc_b, const ModelParams &p, const LatencyPriors *priors)
{
    TransitionTerms t;
    t.distance_km = d;
    t.min_rtt_ms = 2.0 * d / p.fibre_km_per_ms;
    // Logistic gate on how much of the light-in-fibre time the increment
    // covers: ~1 above the bound, ~0 well below it.
    if (t.min_rtt_ms > 1e-9) {
        const double x = p.gate_slope * ((delta + p.jitter_ms) / t.min_rtt_ms - 1.0);
        t.log_score += x > 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
        t.infeasible = delta + p.jitter_ms < t.min_rtt_ms;
    }
    // Pareto-II survival of the slack above the bound: long detours are
    // possible but each extra scale_ms costs.
    const double slack = std::max(0.0, delta - t.min_rtt_ms * (1.0 + p.free_stretch));
    const double log_surv = -p.slack_shape * std::log1p(slack / p.slack_scale_ms);
    t.survival = std::exp(log_surv);
    t.log_score += log_surv;
    if (same) t.log_score += p.colocation_bonus * std::exp(-std::abs(delta) / p.colocation_decay_ms);
    if (priors && !cc_a.empty() && !cc_b.empty())
        if (auto s = priors->log_score(cc_a, cc_b, delta)) t.log_score += *s;
    return t;
}

namespace
{

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_sum_exp(const double *v, size_t n)
{
    double m = kNegInf;
    for (size_t i = 0; i < n; ++i)
        m = std::max(m, v[i]);
    if (m == kNegInf) return m;
    double s = 0.0;
    for (size_t i = 0; i < n; ++i)
        s += std::exp(v[i] - m);
    return m + std::log(s);
}

// Log transition matrix between two consecutive hops, row-major [a][b].
void transition_matrix(const HopStates &from, const HopStates &to, const ModelParams &p,
                       const LatencyPriors *priors, std::vector<double> &out)
{
    const size_t ka = from.candidates.size(), kb = to.candidates.size();
    out.resize(ka * kb);
    const double delta = to.rtt_ms - from.rtt_ms;
    for (size_t a = 0; a < ka; ++a)
        for (size_t b = 0; b < kb; ++b) {
            const bool same = from.city_id[a] == to.city_id[b];
            const double d = same ? 0.0 : distance_km(from.unit[a], to.unit[b]);
            out[a * kb + b] = transition(d, same, delta, from.candidates[a].loc.country,
                                         to.candidates[b].loc.country, p, priors)
                                  .log_score;
        }
}

} // namespace

Decoded decode(const std::vector<HopStates> &hops, const std::optional<Location> &vantage,
               const ModelParams &p, const LatencyPriors *priors)
{
    Decoded out;
    const size_t n = hops.size();
    if (n == 0) return out;

    std::vector<std::vector<double>> trans(n); // trans[i]: from hop i-1 to hop i
    for (size_t i = 1; i < n; ++i)
        transition_matrix(hops[i - 1], hops[i], p, priors, trans[i]);

    // Start: the vantage point is hop 0 at RTT 0.
    std::vector<double> init(hops[0].candidates.size());
    for (size_t b = 0; b < init.size(); ++b) {
        init[b] = hops[0].emission[b];
        if (vantage) {
            const Location &c = hops[0].candidates[b].loc;
            const bool same = same_city(*vantage, c);
            init[b] += transition(same ? 0.0 : great_circle_km(*vantage, c), same, hops[0].rtt_ms,
                                  vantage->country, c.country, p, priors)
                           .log_score;
        }
    }

    // Viterbi. The revisit penalty depends on the path, so it is applied
    // along each candidate's best back-pointer chain (a standard
    // approximation: exact only for the surviving path).
    std::vector<std::vector<double>> score(n);
    std::vector<std::vector<int>> back(n);
    score[0] = init;
    back[0].assign(init.size(), -1);
    for (size_t i = 1; i < n; ++i) {
        const size_t ka = hops[i - 1].candidates.size(), kb = hops[i].candidates.size();
        score[i].assign(kb, kNegInf);
        back[i].assign(kb, -1);
        for (size_t b = 0; b < kb; ++b) {
            const int city_b = hops[i].city_id[b];
            for (size_t a = 0; a < ka; ++a) {
                double s = score[i - 1][a] + trans[i][a * kb + b];
                if (hops[i - 1].city_id[a] != city_b && p.revisit_penalty > 0) {
                    int st = static_cast<int>(a);
                    for (size_t j = i - 1, gap = 1; gap <= 8 && j > 0; --j, ++gap) {
                        st = back[j][static_cast<size_t>(st)];
                        if (hops[j - 1].city_id[static_cast<size_t>(st)] == city_b) {
                            s -= p.revisit_penalty *
                                 std::exp(-static_cast<double>(gap - 1) / p.revisit_decay_hops);
                            break;
                        }
                    }
                }
                if (s > score[i][b]) {
                    score[i][b] = s;
                    back[i][b] = static_cast<int>(a);
                }
            }
            score[i][b] += hops[i].emission[b];
        }
    }
    out.state.assign(n, 0);
    const auto &last = score[n - 1];
    out.state[n - 1] = static_cast<int>(std::max_element(last.begin(), last.end()) - last.begin());
    out.log_likelihood = last[static_cast<size_t>(out.state[n - 1])];
    for (size_t i = n - 1; i > 0; --i)
        out.state[i - 1] = back[i][static_cast<size_t>(out.state[i])];

    // Forward-backward (first order, without the revisit term) for posteriors.
    std::vector<std::vector<double>> alpha(n), beta(n);
    alpha[0] = init;
    std::vector<double> tmp;
    for (size_t i = 1; i < n; ++i) {
        const size_t ka = hops[i - 1].candidates.size(), kb = hops[i].candidates.size();
        alpha[i].assign(kb, 0.0);
        tmp.resize(ka);
        for (size_t b = 0; b < kb; ++b) {
            for (size_t a = 0; a < ka; ++a)
                tmp[a] = alpha[i - 1][a] + trans[i][a * kb + b];
            alpha[i][b] = log_sum_exp(tmp.data(), ka) + hops[i].emission[b];
        }
    }
    beta[n - 1].assign(hops[n - 1].candidates.size(), 0.0);
    for (size_t i = n - 1; i > 0; --i) {
        const size_t ka = hops[i - 1].candidates.size(), kb = hops[i].candidates.size();
        beta[i - 1].assign(ka, 0.0);
        tmp.resize(kb);
        for (size_t a = 0; a < ka; ++a) {
            for (size_t b = 0; b < kb; ++b)
                tmp[b] = trans[i][a * kb + b] + hops[i].emission[b] + beta[i][b];
            beta[i - 1][a] = log_sum_exp(tmp.data(), kb);
        }
    }
    const double log_z = log_sum_exp(alpha[n - 1].data(), alpha[n - 1].size());
    out.posterior.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const size_t s = static_cast<size_t>(out.state[i]);
        out.posterior[i] = std::exp(alpha[i][s] + beta[i][s] - log_z);
    }
    return out;
}

} // namespace pathmap::geo
