// Where each vantage point of a many-vantage file stands: RIPE Atlas probes
// by prb_id, from a CSV `prb_id,lat,lon[,country]` or RIPE Atlas's probe
// archive JSON (objects with `id`, GeoJSON `geometry.coordinates` [lon, lat]
// and `country_code`; a top-level array, {"objects": [...]}, or one object a
// line). geolocate --probes anchors each trace's first hops there.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "graph/geo/geo_location.h"
#include "graph/geo/geo_json.h" // GeoInputError

namespace pathmap::geo
{

class ProbeLocations
{
  public:
    // Throws GeoInputError with one line naming the file (and line or probe).
    static ProbeLocations load(const std::filesystem::path &file);
    static ProbeLocations parse(std::string_view text, const std::string &name);

    std::optional<Location> find(const std::string &vantage_id) const;
    size_t size() const { return by_id_.size(); }
    size_t skipped() const { return skipped_; } // probes with no coordinates

  private:
    std::unordered_map<std::string, Location> by_id_;
    size_t skipped_ = 0;
};

} // namespace pathmap::geo
