// Per-address evidence tables read from files: RFC 8805 geofeeds, IXP prefix
// lists, a GeoDB (CSV, or MaxMind .mmdb through libmaxminddb when installed),
// and empirical country-pair latency priors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/geo/geo_location.h"
#include "pathmap/ipv4.h"

namespace pathmap::geo
{

class Gazetteer;

// Longest-prefix match from IPv4 prefixes to locations.
class PrefixLocations
{
  public:
    enum class Format {
        geofeed, // RFC 8805: prefix,alpha2code,region,city,postal_code
        ixp,     // prefix,ixp_name,city,country[,lat,lon]
        geodb,   // prefix,city,country[,lat,lon]
    };
    // Throws std::runtime_error naming file and line on malformed input.
    // IPv6 prefixes are skipped; rows whose city the gazetteer cannot place
    // (and that carry no coordinates) are counted in skipped().
    static PrefixLocations load_csv(const std::string &path, Format format, const Gazetteer *gazetteer);

    void add(const Ipv4Prefix &prefix, Location loc);
    std::optional<Location> lookup(uint32_t addr_host_order) const;
    size_t size() const { return locations_.size(); }
    size_t skipped() const { return skipped_; }

  private:
    std::vector<Location> locations_;
    std::unordered_map<uint64_t, uint32_t> by_prefix_; // (len << 32 | network) -> index
    uint64_t lengths_present_ = 0;                     // bit n set if some prefix has length n
    size_t skipped_ = 0;
};

// GeoDB answers: a CSV table or a MaxMind DB.
class GeoDb
{
  public:
    static std::unique_ptr<GeoDb> open(const std::string &path, const Gazetteer *gazetteer); // throws
    virtual ~GeoDb() = default;
    virtual std::optional<Location> lookup(uint32_t addr_host_order) const = 0;
};

// Country-pair RTT-increment distributions from a user corpus. File: CSV
// lines "CC_A,CC_B,rtt_ms", one observed increment per line.
class LatencyPriors
{
  public:
    struct Params {
        double bin_ms = 5.0;
        double smooth_bins = 2.0;
        double trust_samples = 50.0;
        double max_weight = 0.85;
    };
    static LatencyPriors load_csv(const std::string &path, Params params); // throws
    void add_sample(const std::string &cc_a, const std::string &cc_b, double rtt_ms);
    void finish(); // smooths and normalises; call after the last add_sample

    // weight * log(density / peak density) for this increment, or nothing
    // when the pair has no samples.
    std::optional<double> log_score(const std::string &cc_a, const std::string &cc_b,
                                    double rtt_delta_ms) const;
    size_t pairs() const { return pairs_.size(); }

  private:
    struct Pair {
        std::vector<double> counts; // per bin, then smoothed log(density / peak)
        double samples = 0;
    };
    static std::string key(const std::string &a, const std::string &b);
    Params params_;
    std::unordered_map<std::string, Pair> pairs_;
};

// Addresses in the IANA special-purpose registry (pathmap/blocklist.h: RFC
// 1918, RFC 6598, loopback, link-local, benchmarking, multicast...): no public
// database locates them.
bool is_bogon(uint32_t addr_host_order);

} // namespace pathmap::geo
