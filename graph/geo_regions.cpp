// Region vertices from the geolocation library (graph/geo).
#include "graph/geo_regions.h"

#include <cmath>
#include <map>

#include "graph/geo/gazetteer.h"
#include "graph/geo/path_geolocator.h"
#include "pathmap/ipv4.h"

namespace pathmap::graph {

GeoRegionsSummary add_geo_regions(TopologyBuilder &b)
{
    const geo::Gazetteer gz = geo::Gazetteer::load_default();
    geo::PathGeolocator locator(geo::GeoContext{.gazetteer = &gz});
    TopologyGraph &g = b.graph();
    std::map<std::string, VertexId> regions;
    GeoRegionsSummary s;
    for (const PathRecord &rec : b.paths()) {
        Trace t;
        t.dst = format_ipv4(rec.dst);
        t.reached = rec.reached;
        std::vector<VertexId> vertex_of;
        for (uint32_t i = 0; i < rec.hop_count; ++i) {
            const PathHop &h = b.hops()[rec.first_hop + i];
            if (!h.responded()) continue;
            const VertexInfo &vi = g.vertex(h.vertex);
            Hop hop;
            hop.ttl = h.ttl;
            hop.addr = format_ipv4(b.hop_address(rec, h));
            hop.rtt_known = !std::isnan(h.rtt_ms);
            hop.rtt_ms = hop.rtt_known ? h.rtt_ms : 0.0;
            if (!vi.rdns.empty()) hop.rdns = vi.rdns;
            if (!vi.country.empty()) hop.country = vi.country; // registry evidence (annotate_topology)
            t.hops.push_back(std::move(hop));
            vertex_of.push_back(h.vertex);
        }
        if (t.hops.empty()) continue;
        geo::GeoResult r = locator.locate(t);
        geo::PlacementCounts c;
        c.add(r);
        s.hops_placed += c.placed;
        s.hops_no_evidence += c.no_evidence;
        s.hops_no_rtt += c.no_rtt;
        s.hops_infeasible += c.infeasible;
        for (size_t i = 0; i < r.hops.size() && i < vertex_of.size(); ++i) {
            const auto &loc = r.hops[i].loc;
            if (!loc) continue;
            std::string key = loc->city + ", " + loc->country;
            auto it = regions.find(key);
            if (it == regions.end()) {
                VertexInfo rv;
                rv.kind = VertexKind::region;
                rv.label = key;
                rv.region = loc->country;
                rv.evidence = "path geolocation (docs/GEOLOCATION.md)";
                it = regions.emplace(key, g.add_vertex(std::move(rv))).first;
            }
            EdgeInfo &e = g.edge(vertex_of[i], it->second, EdgeKind::located_in);
            if (e.times_seen++ == 0) ++s.located_hops;
            ++g.vertex(it->second).times_seen;
            VertexInfo &hv = g.vertex(vertex_of[i]);
            if (hv.region.empty()) hv.region = loc->country;
        }
    }
    s.regions = regions.size();
    return s;
}

} // namespace pathmap::graph
