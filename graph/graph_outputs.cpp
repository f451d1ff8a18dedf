// write_graph_outputs: rules and tables, annotation, then every file.
#include "graph/graph_outputs.h"

#include <fstream>
#include <memory>
#include <stdexcept>

#include "graph/as_layer.h"
#include "graph/geo_regions.h"
#include "graph/graph_export.h"
#include "graph/hop_classifier.h"
#include "graph/topology_annotator.h"
#include "pathmap/atomic_file.h"
#include "pathmap/log.h"

namespace pathmap::graph {

namespace {

} // namespace

GraphOutputSummary write_graph_outputs(TopologyBuilder &builder, const std::filesystem::path &outdir,
                                       const GraphOutputOptions &opts)
{
    RuleSet rules = opts.rules_file.empty() ? default_rules() : load_rules(opts.rules_file, opts.extend_rules);
    PrefixTable pfx2as, ixp;
    if (!opts.pfx2as_file.empty()) pfx2as = PrefixTable::load_pfx2as(opts.pfx2as_file);
    if (!opts.ixp_file.empty()) ixp = PrefixTable::load_ixp(opts.ixp_file);
    std::error_code ec;
    std::filesystem::create_directories(outdir, ec);
    if (ec) throw std::runtime_error("cannot create output directory " + outdir.string() + ": " + ec.message());

    builder.finish();
    std::unique_ptr<LocationDb> location;
    if (!opts.location_db.empty()) {
        try {
            location = std::make_unique<LocationDb>(opts.location_db, opts.country_db);
        } catch (const LocationDbError &e) {
            if (opts.location_db != LocationDb::kSystemPath) throw std::runtime_error(e.what());
            log::info("{}: no AS numbers or countries (scripts/setup.sh installs libloc-database)", e.what());
        }
    }
    HopClassifier classifier(builder, {.rules = &rules,
                                       .pfx2as = opts.pfx2as_file.empty() ? nullptr : &pfx2as,
                                       .ixp = opts.ixp_file.empty() ? nullptr : &ixp,
                                       .location = location.get()});
    Annotation ann = annotate_topology(builder, classifier, rules);
    const AsLayerSummary as = add_as_layer(builder.graph());
    if (as.ases) log::info("AS layer: {} interfaces in {} ASes, {} links cross between two", as.interfaces, as.ases, as.boundary_links);
    if (opts.geolocate) {
        GeoRegionsSummary geo = add_geo_regions(builder);
        if (geo.located_hops)
            log::info("geolocation: {} hops placed in {} regions", geo.located_hops, geo.regions);
        else
            log::warn("geolocation: no hop placed, so no region vertex: of the answering hops {} have no evidence, "
                      "{} no RTT, {} only places out of light's reach (rDNS hints; pathmap geolocate also takes "
                      "--geodb, --ixp, --geofeed, --vantage)",
                      geo.hops_no_evidence, geo.hops_no_rtt, geo.hops_infeasible);
    }

    GraphOutputSummary s;
    s.traces = builder.paths().size();
    s.clusters = ann.clusters.size();
    const TopologyGraph &g = builder.graph();
    // Writes outdir/name with write(out) and lists it.
    // Each file appears whole or not at all (pathmap/atomic_file.h).
    auto write_file = [&](const char *name, auto write) {
        auto p = outdir / name;
        AtomicFile file(p);
        write(file.stream());
        file.commit();
        s.files.push_back(p);
        return p;
    };
    if (opts.profiles)
        write_file("profiles.jsonl", [&](std::ofstream &out) {
            for (size_t i = 0; i < builder.paths().size(); ++i) {
                TraceProfile prof = classifier.classify(i);
                attach_clusters(prof, ann);
                out << profile_json_line(prof, ann) << '\n';
            }
        });
    // One layout for the picture and for Gephi's positions.
    GraphLayout layout;
    if (opts.graphml || opts.gexf || opts.png) {
        const auto png = outdir / "topology.png";
        layout = lay_out_graph(g, ann, png, {.render_png = opts.png});
        if (layout.png_written) {
            s.files.push_back(png);
            log::info("topology.png: {} nodes ({} folded groups of destinations), laid out by {}", layout.picture_nodes,
                      layout.folded_nodes, layout.engine);
        } else if (opts.png) {
            log::info("topology.png not rendered: {}; node positions from a layered layout", layout.note);
        }
    }
    if (opts.graphml) write_file("topology.graphml", [&](std::ofstream &out) { write_graphml(g, out, &layout); });
    if (opts.gexf) write_file("topology.gexf", [&](std::ofstream &out) { write_gexf(g, out, &layout); });
    if (opts.dot) write_file("topology.dot", [&](std::ofstream &out) { write_dot(g, ann, out); });
    s.picture_nodes = layout.picture_nodes;
    s.layout_engine = layout.engine;
    s.vertices = g.vertex_count();
    s.edges = g.edge_count();
    return s;
}

GraphOutputSummary write_graph_outputs(const std::vector<pathmap::Trace> &traces, const std::filesystem::path &outdir,
                                       const GraphOutputOptions &opts)
{
    TopologyBuilder builder({.vantage_label = opts.vantage_label, .host_vertices = opts.host_vertices});
    builder.add(traces);
    return write_graph_outputs(builder, outdir, opts);
}

} // namespace pathmap::graph
