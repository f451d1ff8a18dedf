// write_graph_outputs: rules and tables, annotation, then every file.
#include "graph/graph_outputs.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "graph/geo_regions.h"
#include "graph/graph_export.h"
#include "graph/hop_classifier.h"
#include "graph/topology_annotator.h"
#include "pathmap/log.h"

namespace pathmap::graph {

namespace {

std::ofstream open_out(const std::filesystem::path &p)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + p.string());
    return out;
}

void close_out(std::ofstream &out, const std::filesystem::path &p)
{
    out.flush();
    if (!out) throw std::runtime_error("error writing " + p.string() + " (disk full?)");
}

bool dot_available()
{
    const char *path = std::getenv("PATH");
    if (!path) return false;
    std::string dirs = path;
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "dot";
        if (access(candidate.c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

// Renders with graphviz; a failure is a warning, the DOT file stays.
bool render_png(const std::filesystem::path &dot, const std::filesystem::path &png)
{
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        execlp("dot", "dot", "-Tpng", dot.c_str(), "-o", png.c_str(), static_cast<char *>(nullptr));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

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

    HopClassifier classifier(builder, {.rules = &rules,
                                       .pfx2as = opts.pfx2as_file.empty() ? nullptr : &pfx2as,
                                       .ixp = opts.ixp_file.empty() ? nullptr : &ixp});
    Annotation ann = annotate_topology(builder, classifier, rules);
    if (opts.geolocate) {
        GeoRegionsSummary geo = add_geo_regions(builder);
        log::info("geolocation: {} hops placed in {} regions", geo.located_hops, geo.regions);
    }

    GraphOutputSummary s;
    s.traces = builder.paths().size();
    s.clusters = ann.clusters.size();
    const TopologyGraph &g = builder.graph();
    // Writes outdir/name with write(out) and lists it.
    auto write_file = [&](const char *name, auto write) {
        auto p = outdir / name;
        auto out = open_out(p);
        write(out);
        close_out(out, p);
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
    if (opts.graphml) write_file("topology.graphml", [&](std::ofstream &out) { write_graphml(g, out); });
    if (opts.gexf) write_file("topology.gexf", [&](std::ofstream &out) { write_gexf(g, out); });
    if (opts.dot) {
        auto p = write_file("topology.dot", [&](std::ofstream &out) { write_dot(g, ann, out); });
        // Layout time grows fast with size; past a few thousand nodes a PNG is unreadable anyway.
        constexpr size_t kMaxPngVertices = 3000;
        if (opts.png && g.vertex_count() <= kMaxPngVertices) {
            if (!dot_available()) {
                log::info("graphviz 'dot' not found; topology.png not rendered");
            } else if (render_png(p, outdir / "topology.png")) {
                s.files.push_back(outdir / "topology.png");
            } else {
                log::warn("dot failed to render {}; topology.dot is still written", p.string());
            }
        } else if (opts.png) {
            log::info("graph has {} vertices; topology.png not rendered (limit {})", g.vertex_count(), kMaxPngVertices);
        }
    }
    s.vertices = g.vertex_count();
    s.edges = g.edge_count();
    return s;
}

GraphOutputSummary write_graph_outputs(const std::vector<pathmap::Trace> &traces, const std::filesystem::path &outdir,
                                       const GraphOutputOptions &opts)
{
    TopologyBuilder builder({.vantage_label = opts.vantage_label});
    builder.add(traces);
    return write_graph_outputs(builder, outdir, opts);
}

} // namespace pathmap::graph
