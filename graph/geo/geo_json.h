// JSON for geolocation: one annotated-trace line (docs/GEOLOCATION.md) and
// the geolocated.jsonl output. Files are read by graph/geo_input.h, which
// takes every other format through the graph's readers.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/geo/path_geolocator.h"

namespace pathmap::geo
{

struct GeoInputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Annotated lines have "hops" entries keyed "hop"; pathmap traces use "ttl".
bool is_annotated_trace(const nlohmann::json &j);
GeoTrace annotated_trace_from_json(const nlohmann::json &j); // throws GeoInputError
Location location_from_json(const nlohmann::json &j);        // throws GeoInputError

nlohmann::json to_json(const GeoResult &r);

} // namespace pathmap::geo
