// CSV loaders and longest-prefix lookup for geofeed, IXP and GeoDB tables;
// country-pair latency priors.
#include "graph/geo/evidence_sources.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "graph/geo/gazetteer.h"
#include "pathmap/blocklist.h"

namespace pathmap::geo
{
namespace
{

std::string trim(std::string s)
{
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '"'; };
    while (!s.empty() && ws(s.back()))
        s.pop_back();
    size_t i = 0;
    while (i < s.size() && ws(s[i]))
        ++i;
    return s.substr(i);
}

std::vector<std::string> csv_fields(const std::string &line)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t p = line.find(',', start);
        out.push_back(trim(line.substr(start, p == std::string::npos ? std::string::npos : p - start)));
        if (p == std::string::npos) return out;
        start = p + 1;
    }
}

double parse_number(const std::string &s, const std::string &where)
{
    try {
        size_t used = 0;
        double v = std::stod(s, &used);
        if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
        return v;
    } catch (const std::exception &) {
        throw std::runtime_error(where + ": '" + s + "' is not a number");
    }
}

} // namespace

bool is_bogon(uint32_t a)
{
    // The same registry the sweep and MTR refuse to probe, nothing opened.
    static const Blocklist kSpecialPurpose;
    return kSpecialPurpose.blocked(a);
}

void PrefixLocations::add(const Ipv4Prefix &p, Location loc)
{
    const uint64_t key = (uint64_t{p.len} << 32) | (p.addr & p.mask());
    auto [it, inserted] = by_prefix_.emplace(key, static_cast<uint32_t>(locations_.size()));
    if (inserted)
        locations_.push_back(std::move(loc));
    else
        locations_[it->second] = std::move(loc);
    lengths_present_ |= uint64_t{1} << p.len;
}

std::optional<Location> PrefixLocations::lookup(uint32_t addr) const
{
    for (int len = 32; len >= 0; --len) {
        if (!(lengths_present_ & (uint64_t{1} << len))) continue;
        const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
        auto it = by_prefix_.find((uint64_t(len) << 32) | (addr & mask));
        if (it != by_prefix_.end()) return locations_[it->second];
    }
    return std::nullopt;
}

PrefixLocations PrefixLocations::load_csv(const std::string &path, Format format, const Gazetteer *gz)
{
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    PrefixLocations table;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        const std::string where = path + ":" + std::to_string(lineno);
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        std::vector<std::string> f = csv_fields(t);
        if (f[0] == "prefix" || f[0] == "network") continue; // header row
        if (f[0].find(':') != std::string::npos) continue;   // IPv6
        auto prefix = parse_prefix(f[0]);
        if (!prefix) throw std::runtime_error(where + ": '" + f[0] + "' is not an IPv4 prefix");
        Location loc;
        size_t coord_col = 0;
        switch (format) {
        case Format::geofeed:
            if (f.size() < 4)
                throw std::runtime_error(where + ": geofeed rows need prefix,country,region,city");
            loc.country = f[1];
            loc.city = f[3];
            break;
        case Format::ixp:
            if (f.size() < 4)
                throw std::runtime_error(where + ": IXP rows need prefix,ixp_name,city,country");
            loc.city = f[2];
            loc.country = f[3];
            coord_col = 4;
            break;
        case Format::geodb:
            if (f.size() < 3) throw std::runtime_error(where + ": GeoDB rows need prefix,city,country");
            loc.city = f[1];
            loc.country = f[2];
            coord_col = 3;
            break;
        }
        if (coord_col && f.size() >= coord_col + 2 && !f[coord_col].empty()) {
            loc.lat = parse_number(f[coord_col], where);
            loc.lon = parse_number(f[coord_col + 1], where);
            if (std::abs(loc.lat) > 90 || std::abs(loc.lon) > 180)
                throw std::runtime_error(where + ": coordinates out of range");
        }
        if (loc.city.empty() || !(gz ? gz->resolve(loc) : (loc.lat != 0 || loc.lon != 0))) {
            ++table.skipped_;
            continue;
        }
        table.add(*prefix, std::move(loc));
    }
    return table;
}

LatencyPriors LatencyPriors::load_csv(const std::string &path, Params params)
{
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open priors file " + path);
    LatencyPriors priors;
    priors.params_ = params;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        std::vector<std::string> f = csv_fields(t);
        if (f.size() != 3 || f[0].size() != 2 || f[1].size() != 2)
            throw std::runtime_error(path + ":" + std::to_string(lineno) + ": expected CC_A,CC_B,rtt_ms");
        priors.add_sample(f[0], f[1], parse_number(f[2], path + ":" + std::to_string(lineno)));
    }
    priors.finish();
    return priors;
}

std::string LatencyPriors::key(const std::string &a, const std::string &b) { return a < b ? a + b : b + a; }

void LatencyPriors::add_sample(const std::string &a, const std::string &b, double rtt_ms)
{
    if (!(rtt_ms >= 0) || rtt_ms > 2000) return; // negative increments say nothing about distance
    Pair &p = pairs_[key(a, b)];
    const size_t bin = static_cast<size_t>(rtt_ms / params_.bin_ms);
    if (p.counts.size() <= bin) p.counts.resize(bin + 1, 0.0);
    p.counts[bin] += 1.0;
    p.samples += 1.0;
}

void LatencyPriors::finish()
{
    const int reach = static_cast<int>(std::ceil(3 * params_.smooth_bins));
    for (auto &[k, p] : pairs_) {
        const int n = static_cast<int>(p.counts.size()) + reach;
        std::vector<double> smooth(static_cast<size_t>(n), 0.0);
        for (int i = 0; i < n; ++i)
            for (int j = std::max(0, i - reach); j <= i + reach && j < static_cast<int>(p.counts.size());
                 ++j) {
                const double z = (i - j) / params_.smooth_bins;
                smooth[static_cast<size_t>(i)] += p.counts[static_cast<size_t>(j)] * std::exp(-0.5 * z * z);
            }
        const double peak = *std::max_element(smooth.begin(), smooth.end());
        for (double &v : smooth)
            v = std::log(std::max(v / peak, 1e-6));
        p.counts = std::move(smooth);
    }
}

std::optional<double> LatencyPriors::log_score(const std::string &a, const std::string &b, double delta) const
{
    auto it = pairs_.find(key(a, b));
    if (it == pairs_.end() || it->second.counts.empty()) return std::nullopt;
    const Pair &p = it->second;
    const double w = params_.max_weight * std::min(1.0, p.samples / params_.trust_samples);
    const size_t bin = delta <= 0 ? 0 : static_cast<size_t>(delta / params_.bin_ms);
    const double lg = bin < p.counts.size() ? p.counts[bin] : std::log(1e-6);
    return w * lg;
}

} // namespace pathmap::geo
