// geolocated.jsonl lines written straight into a buffer: the same JSON as
// nlohmann's dump of to_json (geo_json.h), keys in the same sorted order,
// without building a DOM per hop and candidate. At 413,354 traces the DOM
// and its dump were most of pathmap geolocate's time (docs/BENCHMARKS.md).
#pragma once

#include <string>
#include <string_view>

#include "graph/geo/path_geolocator.h"

namespace pathmap::geo
{

// Appends one line (with its '\n'); vantage_id "" is left out. Without
// candidates, no hop has its "candidates" key (geolocate --no-candidates).
void append_result_line(std::string &out, const GeoResult &r, std::string_view vantage_id, bool candidates = true);

} // namespace pathmap::geo
