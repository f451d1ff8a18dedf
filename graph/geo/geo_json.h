// JSON for geolocation: the annotated-trace input format (one object per
// line, docs/GEOLOCATION.md), detection of pathmap traces.jsonl lines, and
// the geolocated.jsonl output.
#pragma once

#include <iosfwd>
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

// Either format, line by line; errors name the line.
std::vector<GeoTrace> read_geo_input(std::istream &in);
std::vector<GeoTrace> read_geo_input_file(const std::string &path);

nlohmann::json to_json(const GeoResult &r);

} // namespace pathmap::geo
