// Geolocation benchmark: a synthetic corpus of paths over real city
// coordinates (GeoNames) with noisy GeoDB answers, decoded by the path HMM.
// Reports raw-GeoDB versus decoded accuracy side by side (share of paths
// with mean error below 200 km, as the PCS paper does) and decoding speed.
//
//   geo_bench accuracy [--paths N] [--wrong SHARE] [--seed S] [--stretch-max X] [--write FILE]
//                      [--registry SHARE --registry-wrong SHARE]  (registry country, decoded with and without)
//   [--show-failures N]
//                      [model overrides: --free-stretch X --hub-support N --w-hub-support X ...]
//   geo_bench speed [--traces N] [--threads T]
//   geo_bench end-to-end --write FILE [--threads T]   (FILE from accuracy --write)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/geo_input.h"
#include "graph/geo/code_tables.h"
#include "graph/geo/gazetteer.h"
#include "graph/geo/geo_json.h"
#include "graph/geo/path_geolocator.h"

using namespace pathmap::geo;

namespace
{

struct Corpus {
    std::vector<GeoTrace> traces;
    std::vector<std::vector<Location>> truth; // per trace, per hop
};

struct CorpusParams {
    size_t paths = 10000;
    double wrong_share = 0.3; // GeoDB answers placed hundreds of km off
    double rdns_share = 0.35; // hops whose hostname carries a code or city name
    double bogon_share = 0.05;
    double stretch_max = 1.65; // per-path RTT stretch over the great circle, uniform in [1.15, stretch_max]
    // Registry country on public hops (libloc's answer): present on this
    // share of them (0: none, and the corpus is the one without), naming
    // another country on registry_wrong of those (registries lag, and
    // multinational networks register their blocks at home).
    double registry_share = 0.0;
    double registry_wrong = 0.1;
    uint32_t seed = 1;
};

class CorpusGenerator
{
  public:
    CorpusGenerator(const Gazetteer &gz, CorpusParams p) : gz_(gz), p_(p), rng_(p.seed)
    {
        // Real cities of at least 1M people as endpoints, 100k for wrong answers.
        for (const City &c : gz.cities()) {
            if (c.population >= 1000000) big_.push_back(&c);
            if (c.population >= 100000) medium_.push_back(&c);
        }
        for (const CodeEntry &e : interconnection_hubs())
            if (const City *c = gz.find(e.city, e.country)) hubs_.push_back(c);
        for (const CodeEntry &e : iata_codes())
            if (const City *c = gz.find(e.city, e.country)) code_of_.emplace(c, std::string(e.code));
    }

    Corpus generate()
    {
        Corpus out;
        out.traces.reserve(p_.paths);
        out.truth.reserve(p_.paths);
        for (size_t i = 0; i < p_.paths; ++i)
            one_path(out);
        return out;
    }

  private:
    double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
    template <typename T> const T &pick(const std::vector<T> &v)
    {
        return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
    }

    const City *nearest_hub(const City *c)
    {
        const City *best = hubs_[0];
        for (const City *h : hubs_)
            if (great_circle_km(c->loc, h->loc) < great_circle_km(c->loc, best->loc)) best = h;
        return best;
    }

    const City *wrong_answer(const City *truth)
    {
        for (int tries = 0; tries < 200; ++tries) {
            const City *c = pick(medium_);
            const double d = great_circle_km(c->loc, truth->loc);
            if (d >= 300 && d <= 2000) return c;
        }
        return pick(big_);
    }

    // A registry's wrong country: half the time the US (where many
    // multinational carriers register), else a random other big city's.
    std::string other_country(const City *truth)
    {
        if (truth->loc.country != "US" && uniform() < 0.5) return "US";
        for (int tries = 0; tries < 200; ++tries)
            if (const City *c = pick(big_); c->loc.country != truth->loc.country) return c->loc.country;
        return truth->loc.country == "US" ? "CA" : "US";
    }

    std::string hostname(const City *c, int n)
    {
        auto it = code_of_.find(c);
        std::string place = it != code_of_.end() ? it->second : name_key(c->loc.city);
        static const char *kIf[] = {"ae", "xe", "et", "be"};
        static const char *kRole[] = {"cr", "bb", "edge", "core"};
        return std::string(kIf[n % 4]) + "-" + std::to_string(n % 7) + "." + kRole[(n / 4) % 4] +
               std::to_string(1 + n % 3) + "." + place + std::to_string(1 + n % 9) + ".example.net";
    }

    void one_path(Corpus &out)
    {
        const City *src = pick(big_);
        const City *dst = pick(big_);
        std::vector<const City *> route{src};
        const City *h1 = nearest_hub(src), *h2 = nearest_hub(dst);
        if (h1 != src) route.push_back(h1);
        if (h2 != h1 && h2 != dst) route.push_back(h2);
        if (dst != route.back()) route.push_back(dst);

        const double inflation = 1.15 + (p_.stretch_max - 1.15) * uniform(); // path stretch
        GeoTrace t;
        t.src_anchor = src->loc;
        t.dst_anchor = dst->loc;
        t.dst_reached = true;
        std::vector<Location> truth;
        double cum_km = 0.0;
        int ttl = 1;
        for (size_t r = 0; r < route.size(); ++r) {
            if (r > 0) cum_km += great_circle_km(route[r - 1]->loc, route[r]->loc);
            const int hops_here = 1 + static_cast<int>(uniform() * 3);
            for (int k = 0; k < hops_here; ++k, ++ttl) {
                const double queue = -0.4 * std::log(1.0 - uniform()); // exponential, mean 0.4 ms
                GeoHop h;
                h.hop = ttl;
                h.rtt_ms = 2.0 * cum_km * inflation / kFibreKmPerMs + 0.1 * k + queue;
                // Private/bogon hops sit behind a public hop of the same city.
                const bool bogon = k > 0 && uniform() < p_.bogon_share;
                h.addr = bogon ? "10.0." + std::to_string(ttl) + ".1" : "20." + std::to_string(ttl) + ".0.1";
                if (!bogon) {
                    h.evidence.geodb =
                        uniform() < p_.wrong_share ? wrong_answer(route[r])->loc : route[r]->loc;
                    if (uniform() < p_.rdns_share) h.rdns = hostname(route[r], ttl);
                    if (p_.registry_share > 0 && uniform() < p_.registry_share)
                        h.evidence.registry_country =
                            uniform() < p_.registry_wrong ? other_country(route[r]) : route[r]->loc.country;
                }
                t.hops.push_back(std::move(h));
                truth.push_back(route[r]->loc);
            }
        }
        out.traces.push_back(std::move(t));
        out.truth.push_back(std::move(truth));
    }

    const Gazetteer &gz_;
    CorpusParams p_;
    std::mt19937 rng_;
    std::vector<const City *> big_, medium_, hubs_;
    std::unordered_map<const City *, std::string> code_of_;
};

std::vector<GeoResult> decode_all(const PathGeolocator &loc, const std::vector<GeoTrace> &traces,
                                  unsigned threads)
{
    std::vector<GeoResult> out(traces.size());
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < threads; ++w)
        workers.emplace_back([&, w] {
            for (size_t i = w; i < traces.size(); i += threads)
                out[i] = loc.locate(traces[i]);
        });
    for (auto &w : workers)
        w.join();
    return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json loc_json(const std::optional<Location> &l)
{
    if (!l) return nullptr;
    return {{"city", l->city}, {"country", l->country}, {"lat", l->lat}, {"lon", l->lon}};
}

void write_corpus(const Corpus &c, const std::string &path)
{
    std::ofstream out(path);
    std::ofstream truth(path + ".truth");
    for (size_t i = 0; i < c.traces.size(); ++i) {
        const GeoTrace &t = c.traces[i];
        nlohmann::json hops = nlohmann::json::array();
        for (const GeoHop &h : t.hops)
            hops.push_back({{"hop", h.hop},
                            {"addr", h.addr},
                            {"rtt_ms", h.rtt_ms},
                            {"rdns", h.rdns ? nlohmann::json(*h.rdns) : nlohmann::json(nullptr)},
                            {"rdns_hint", nullptr},
                            {"ixp", nullptr},
                            {"geodb", loc_json(h.evidence.geodb)},
                            {"country", h.evidence.registry_country ? nlohmann::json(*h.evidence.registry_country)
                                                                    : nlohmann::json(nullptr)}});
        out << nlohmann::json{{"src_anchor", loc_json(t.src_anchor)},
                              {"dst_anchor", loc_json(t.dst_anchor)},
                              {"hops", hops}}
                   .dump()
            << '\n';
        nlohmann::json tr = nlohmann::json::array();
        for (const Location &l : c.truth[i])
            tr.push_back(loc_json(l));
        truth << tr.dump() << '\n';
    }
}

ModelParams g_params;

int accuracy(const Gazetteer &gz, CorpusParams p, const std::string &write_path, int show_failures)
{
    const auto t0 = std::chrono::steady_clock::now();
    const Corpus corpus = CorpusGenerator(gz, p).generate();
    if (!write_path.empty()) write_corpus(corpus, write_path);
    const double gen_s = seconds_since(t0);
    const PathGeolocator loc({.gazetteer = &gz, .params = g_params});
    const auto t1 = std::chrono::steady_clock::now();
    const std::vector<GeoResult> results = decode_all(loc, corpus.traces, 2);
    const double dec_s = seconds_since(t1);
    if (p.registry_share > 0) {
        // Side by side: the same corpus decoded without the registry country.
        std::vector<GeoTrace> stripped = corpus.traces;
        for (GeoTrace &t : stripped)
            for (GeoHop &h : t.hops)
                h.evidence.registry_country.reset();
        const std::vector<GeoResult> without = decode_all(loc, stripped, 2);
        size_t ok_with = 0, ok_without = 0;
        for (size_t i = 0; i < results.size(); ++i) {
            double sum_with = 0, sum_without = 0;
            for (size_t k = 0; k < stripped[i].hops.size(); ++k) {
                const Location &truth = corpus.truth[i][k];
                auto err = [&](const LocatedHop &h) { return h.loc ? great_circle_km(*h.loc, truth) : 20000.0; };
                sum_with += err(results[i].hops[k]);
                sum_without += err(without[i].hops[k]);
            }
            const double n_hops = static_cast<double>(stripped[i].hops.size());
            ok_with += sum_with / n_hops < 200;
            ok_without += sum_without / n_hops < 200;
        }
        std::printf("registry country on %.0f%% of public hops, %.0f%% of them wrong: paths < 200 km without it "
                    "%.1f%%, with it %.1f%%\n",
                    100 * p.registry_share, 100 * p.registry_wrong,
                    100.0 * ok_without / static_cast<double>(results.size()),
                    100.0 * ok_with / static_cast<double>(results.size()));
    }

    size_t raw_ok = 0, dec_ok = 0, hops = 0, raw_hops = 0, raw_hop_ok = 0, dec_hop_ok = 0, wrong_fixed = 0,
           wrong = 0;
    size_t flagged = 0, dec_answered_ok = 0;
    // Calibration: decoded hops binned by posterior, share within 200 km.
    constexpr double kBins[] = {0.0, 0.5, 0.8, 0.95, 1.0001};
    size_t bin_n[4] = {}, bin_ok[4] = {};
    double bin_sum[4] = {};
    std::vector<double> pcs_good, pcs_bad;
    for (size_t i = 0; i < results.size(); ++i) {
        const GeoTrace &t = corpus.traces[i];
        double raw_sum = 0, dec_sum = 0, dec_answered_sum = 0;
        size_t raw_n = 0;
        for (size_t k = 0; k < t.hops.size(); ++k) {
            const Location &truth = corpus.truth[i][k];
            // An unplaced hop counts as wrong by half the Earth's circumference.
            const auto &dl = results[i].hops[k].loc;
            const double dec_err = dl ? great_circle_km(*dl, truth) : 20000.0;
            dec_sum += dec_err;
            for (int b = 0; b < 4; ++b)
                if (results[i].hops[k].posterior >= kBins[b] && results[i].hops[k].posterior < kBins[b + 1]) {
                    ++bin_n[b];
                    bin_ok[b] += dec_err < 200;
                    bin_sum[b] += results[i].hops[k].posterior;
                }
            dec_hop_ok += dec_err < 200;
            ++hops;
            if (t.hops[k].evidence.geodb) {
                const double raw_err = great_circle_km(*t.hops[k].evidence.geodb, truth);
                raw_sum += raw_err;
                dec_answered_sum += dec_err;
                ++raw_n;
                raw_hop_ok += raw_err < 200;
                if (raw_err >= 200) {
                    ++wrong;
                    wrong_fixed += dec_err < 200;
                }
            }
        }
        raw_hops += raw_n;
        raw_ok += raw_n && raw_sum / static_cast<double>(raw_n) < 200;
        dec_answered_ok += raw_n && dec_answered_sum / static_cast<double>(raw_n) < 200;
        const bool good = dec_sum / static_cast<double>(t.hops.size()) < 200;
        if (!good && show_failures > 0) {
            --show_failures;
            std::printf("FAIL %s -> %s pcs %.2f\n", t.src_anchor->city.c_str(), t.dst_anchor->city.c_str(),
                        results[i].pcs);
            for (size_t k = 0; k < t.hops.size(); ++k) {
                const LocatedHop &h = results[i].hops[k];
                std::string cands;
                for (const Candidate &c : h.candidates) {
                    cands += c.loc.city.substr(0, 10) + ":";
                    for (Source s : c.sources)
                        cands += std::string(source_name(s)).substr(0, 3) + ",";
                    cands += " ";
                }
                std::printf("  %2d %6.1f truth=%-14.14s dec=%-14.14s %5.0fkm post=%.2f geodb=%-12.12s "
                            "rdns=%-28.28s %s\n",
                            h.hop, t.hops[k].rtt_ms, corpus.truth[i][k].city.c_str(),
                            h.loc ? h.loc->city.c_str() : "-",
                            h.loc ? great_circle_km(*h.loc, corpus.truth[i][k]) : 0.0, h.posterior,
                            t.hops[k].evidence.geodb ? t.hops[k].evidence.geodb->city.c_str() : "-",
                            t.hops[k].rdns.value_or("-").c_str(), cands.c_str());
            }
        }
        dec_ok += good;
        flagged += !results[i].flagged_segments.empty();
        (good ? pcs_good : pcs_bad).push_back(results[i].pcs);
    }
    auto mean = [](const std::vector<double> &v) {
        double s = 0;
        for (double x : v)
            s += x;
        return v.empty() ? 0.0 : s / static_cast<double>(v.size());
    };
    const double n = static_cast<double>(results.size());
    std::printf(
        "corpus: %zu paths, %zu hops, GeoDB wrong share %.2f, rDNS share %.2f, stretch 1.15-%.2f, seed %u "
        "(generated in %.2f s)\n",
        results.size(), hops, p.wrong_share, p.rdns_share, p.stretch_max, p.seed, gen_s);
    std::printf("paths with mean error < 200 km over GeoDB-answered hops: raw GeoDB %.1f%%, decoded %.1f%%\n",
                100.0 * raw_ok / n, 100.0 * dec_answered_ok / n);
    std::printf("paths with mean error < 200 km over all hops (bogons carried): decoded %.1f%%\n",
                100.0 * dec_ok / n);
    std::printf("hops within 200 km:            raw GeoDB %.1f%%, decoded %.1f%%\n",
                100.0 * raw_hop_ok / static_cast<double>(raw_hops),
                100.0 * dec_hop_ok / static_cast<double>(hops));
    std::printf("wrong GeoDB answers corrected: %.1f%% of %zu\n",
                100.0 * wrong_fixed / std::max<size_t>(1, wrong), wrong);
    std::printf("mean PCS: paths < 200 km %.3f, others %.3f; paths with flagged segments %zu\n",
                mean(pcs_good), mean(pcs_bad), flagged);
    std::printf("calibration (posterior bin: hops, mean posterior, share within 200 km):");
    for (int b = 0; b < 4; ++b)
        if (bin_n[b])
            std::printf(" [%.2f,%.2f): %zu, %.3f, %.3f;", kBins[b], std::min(1.0, kBins[b + 1]), bin_n[b],
                        bin_sum[b] / static_cast<double>(bin_n[b]),
                        static_cast<double>(bin_ok[b]) / static_cast<double>(bin_n[b]));
    std::printf("\n");
    std::printf("decode: %.2f s on 2 threads (%.1f us/path)\n", dec_s, 1e6 * dec_s / n);
    return dec_ok >= 0.95 * n ? 0 : 1;
}

// What the CLI does per file: parse JSON lines, decode, serialise.
int end_to_end(const Gazetteer &gz, const std::string &path, unsigned threads)
{
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<GeoTrace> traces = pathmap::graph::read_geo_traces(path);
    const double read_s = seconds_since(t0);
    const PathGeolocator loc({.gazetteer = &gz, .params = g_params});
    t0 = std::chrono::steady_clock::now();
    const auto results = decode_all(loc, traces, threads);
    const double dec_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    size_t bytes = 0;
    for (const GeoResult &r : results)
        bytes += to_json(r).dump().size() + 1;
    const double write_s = seconds_since(t0);
    std::printf(
        "end to end: %zu traces: parse %.2f s, decode %.2f s (%u threads), serialise %.2f s (%zu MB); "
        "total %.2f s\n",
        traces.size(), read_s, dec_s, threads, write_s, bytes >> 20, read_s + dec_s + write_s);
    return 0;
}

int speed(const Gazetteer &gz, size_t traces, unsigned threads)
{
    CorpusParams p{.paths = traces, .seed = 7};
    const Corpus corpus = CorpusGenerator(gz, p).generate();
    size_t hops = 0;
    for (const GeoTrace &t : corpus.traces)
        hops += t.hops.size();
    const PathGeolocator loc({.gazetteer = &gz, .params = g_params});
    // Baseline side by side: the raw GeoDB path (what a user gets without
    // the model), i.e. one answer lookup per hop, no decoding.
    auto t0 = std::chrono::steady_clock::now();
    double checksum = 0;
    for (const GeoTrace &t : corpus.traces)
        for (const GeoHop &h : t.hops)
            if (h.evidence.geodb) checksum += h.evidence.geodb->lat;
    const double base_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const auto one = decode_all(
        loc,
        std::vector<GeoTrace>(corpus.traces.begin(), corpus.traces.begin() + std::min<size_t>(traces, 20000)),
        1);
    const double one_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const auto all = decode_all(loc, corpus.traces, threads);
    const double all_s = seconds_since(t0);
    std::printf("speed: %zu traces, %zu hops\n", traces, hops);
    std::printf("raw GeoDB path (baseline): %.3f s (checksum %.0f)\n", base_s, checksum);
    std::printf("decode 1 thread: %.1f us/trace (%zu traces)\n",
                1e6 * one_s / static_cast<double>(one.size()), one.size());
    std::printf("decode %u threads: %.2f s for %zu traces (%.1f us/trace), target <= 60 s: %s\n", threads,
                all_s, all.size(), 1e6 * all_s / static_cast<double>(all.size()),
                all_s <= 60 ? "met" : "MISSED");
    return all_s <= 60 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: geo_bench accuracy|speed [options]\n");
        return 2;
    }
    const std::string mode = argv[1];
    CorpusParams p;
    size_t traces = 413354;
    unsigned threads = 2;
    std::string write_path;
    int show_failures = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--paths")
            p.paths = std::stoul(v);
        else if (k == "--wrong")
            p.wrong_share = std::stod(v);
        else if (k == "--rdns")
            p.rdns_share = std::stod(v);
        else if (k == "--registry")
            p.registry_share = std::stod(v);
        else if (k == "--registry-wrong")
            p.registry_wrong = std::stod(v);
        else if (k == "--registry-penalty")
            g_params.registry_mismatch_penalty = std::stod(v);
        else if (k == "--seed")
            p.seed = static_cast<uint32_t>(std::stoul(v));
        else if (k == "--stretch-max")
            p.stretch_max = std::stod(v);
        else if (k == "--write")
            write_path = v;
        else if (k == "--show-failures")
            show_failures = std::stoi(v);
        else if (k == "--temperature")
            g_params.temperature = std::stod(v);
        else if (k == "--own-support")
            g_params.w_own_support = std::stod(v);
        else if (k == "--min-certainty")
            g_params.min_certainty = std::stod(v);
        else if (k == "--anchor-decay")
            g_params.anchor_decay_ms = std::stod(v);
        else if (k == "--anchor-reach")
            g_params.anchor_reach_ms = std::stod(v);
        else if (k == "--w-geodb")
            g_params.w_geodb = std::stod(v);
        else if (k == "--hub-support")
            g_params.hub_support_candidates = std::stoi(v);
        else if (k == "--w-hub-support")
            g_params.w_hub_support = std::stod(v);
        else if (k == "--w-facility")
            g_params.w_facility = std::stod(v);
        else if (k == "--hub-expand")
            g_params.hub_expand_survival = std::stod(v);
        else if (k == "--free-stretch")
            g_params.free_stretch = std::stod(v);
        else if (k == "--traces")
            traces = std::stoul(v);
        else if (k == "--threads")
            threads = static_cast<unsigned>(std::stoul(v));
        else {
            std::fprintf(stderr, "geo_bench: unknown option %s\n", k.c_str());
            return 2;
        }
    }
    try {
        const Gazetteer gz = Gazetteer::load_default();
        if (mode == "accuracy") return accuracy(gz, p, write_path, show_failures);
        if (mode == "speed") return speed(gz, traces, threads);
        if (mode == "end-to-end") return end_to_end(gz, write_path, threads);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "geo_bench: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "geo_bench: unknown mode %s\n", mode.c_str());
    return 2;
}
