// A place on the map at city level and the geometry the model needs:
// great-circle distance and the minimum round-trip time light in fibre
// needs to cover it.
#pragma once

#include <cmath>
#include <string>

namespace pathmap::geo
{

struct Location {
    std::string city;    // GeoNames ASCII name, e.g. "Zurich"
    std::string country; // ISO 3166-1 alpha-2, e.g. "CH"
    double lat = 0.0;
    double lon = 0.0;
};

inline constexpr double kEarthRadiusKm = 6371.0088;
// 0.66 c in km per ms (Katz-Bassett et al., "Towards IP geolocation using delay
// and topology measurements", IMC 2006): 299,792.458 * 0.66 / 1000.
inline constexpr double kFibreKmPerMs = 197.86;

inline double great_circle_km(double lat1, double lon1, double lat2, double lon2)
{
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, a)));
}

inline double great_circle_km(const Location &a, const Location &b)
{
    return great_circle_km(a.lat, a.lon, b.lat, b.lon);
}

// Round trip: there and back at kFibreKmPerMs.
inline double min_rtt_ms(double distance_km) { return 2.0 * distance_km / kFibreKmPerMs; }

// Same place for the model: same country and within this many km (GeoNames
// lists suburbs and their city separately; a GeoDB may name either).
inline constexpr double kSameCityKm = 40.0;

inline bool same_city(const Location &a, const Location &b)
{
    // Most pairs lie further apart in latitude alone (R x dlat is a lower
    // bound of the distance, here with a margin far above rounding): the
    // decode asks this for every pair of candidates, and the trigonometry
    // was a fifth of its time on RIPE Atlas results.
    constexpr double km_per_deg = kEarthRadiusKm * 3.14159265358979323846 / 180.0;
    if (std::abs(a.lat - b.lat) * km_per_deg > kSameCityKm * 1.001) return false;
    return a.country == b.country && great_circle_km(a, b) <= kSameCityKm;
}

} // namespace pathmap::geo
