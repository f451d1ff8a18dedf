// --geolocate: places every hop with graph/geo's path geolocation and adds a
// `region` vertex per city with `located_in` edges from the hops placed there.
#pragma once

#include "graph/topology_builder.h"

namespace pathmap::graph {

struct GeoRegionsSummary {
    size_t regions = 0;
    size_t located_hops = 0;  // distinct interfaces placed
    size_t hops_placed = 0;   // per trace hop, as pathmap geolocate counts them
    size_t hops_no_evidence = 0, hops_no_rtt = 0, hops_infeasible = 0; // why answering hops stayed unplaced
};

// Throws std::runtime_error (with the gazetteer's hint) when no city list is found.
GeoRegionsSummary add_geo_regions(TopologyBuilder &builder);

} // namespace pathmap::graph
