// City gazetteer: GeoNames cities15000 (CC BY 4.0) as shipped by Debian's
// libtimezonemap-data, looked up by name, alternate name, IATA code or
// operator code. Loaded once, read-only after that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/geo/geo_location.h"

namespace pathmap::geo
{

struct City {
    Location loc;
    uint32_t population = 0;
};

// Lowercase ASCII letters only: "Frankfurt am Main" -> "frankfurtammain".
std::string name_key(std::string_view name);

class Gazetteer
{
  public:
    Gazetteer() = default;
    // Hubs point into the city table: moves keep them valid, copies would not.
    Gazetteer(const Gazetteer &) = delete;
    Gazetteer &operator=(const Gazetteer &) = delete;
    Gazetteer(Gazetteer &&) = default;
    Gazetteer &operator=(Gazetteer &&) = default;

    // Where cities15000.txt is looked for, in order: $PATHMAP_GAZETTEER,
    // /usr/share/libtimezonemap/ui/cities15000.txt.
    static std::vector<std::string> search_path();
    // Loads the first file of search_path(); throws with a one-line hint if none.
    static Gazetteer load_default();
    static Gazetteer load_file(const std::string &path); // throws std::runtime_error
    // For tests and small embedded lists.
    static Gazetteer from_cities(std::vector<City> cities);

    size_t size() const { return cities_.size(); }
    const std::vector<City> &cities() const { return cities_; }

    // Best city by name (ASCII name first, then alternate names), optionally
    // restricted to a country; the most populous wins among equals.
    const City *find(std::string_view name, std::string_view country = {}) const;
    // All cities whose name key equals `key` and have at least min_population.
    std::vector<const City *> find_key(std::string_view key, uint32_t min_population) const;
    // Metro for an IATA city/airport code (embedded table), e.g. "FRA".
    const City *find_iata(std::string_view code) const;
    // Operator PoP codes (Telia "ffm", CLLI "asbnva", ...): possibly several.
    std::vector<const City *> find_operator_code(std::string_view code) const;
    // The metros of interconnection_hubs() (code_tables.h) that resolve here.
    const std::vector<const City *> &interconnection_hubs() const { return hubs_; }
    // The city nearest to a point, if one lies within max_km (a linear
    // scan: for naming a few vantage points, not per hop).
    const City *nearest(double lat, double lon, double max_km) const;
    // The most populous city of a country (ISO code), or null.
    const City *largest_city(std::string_view country) const;
    // Fills lat/lon (and the canonical name) from the gazetteer when the
    // location names a known city; returns false if it cannot place it.
    bool resolve(Location &loc) const;

  private:
    void index();
    std::vector<City> cities_;
    std::unordered_map<std::string, std::vector<uint32_t>> by_ascii_;
    std::unordered_map<std::string, std::vector<uint32_t>> by_alt_;
    std::unordered_map<std::string, uint32_t> iata_;
    std::unordered_map<std::string, std::vector<uint32_t>> operator_;
    std::vector<const City *> hubs_;
    std::unordered_map<std::string, uint32_t> largest_;
};

} // namespace pathmap::geo
