// One call that turns traces into every graph file pathmap writes:
// topology.graphml (Gephi), topology.gexf (styled), topology.dot and
// topology.png (graphviz, when `dot` is installed) and profiles.jsonl.
// The sweep calls this at its end; `pathmap graph` calls it on files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "graph/location_db.h"
#include "graph/topology_builder.h"
#include "pathmap/trace.h"

namespace pathmap::graph {

struct GraphOutputOptions {
    std::filesystem::path rules_file;  // empty: the built-in default rules
    bool extend_rules = true;          // rules_file adds to the defaults (false: replaces them)
    std::filesystem::path pfx2as_file; // CAIDA pfx2as (prefix, length, ASN) lines; optional
    std::filesystem::path ixp_file;    // IXP prefixes, one CIDR a line (optional name after it)
    bool geolocate = false;            // add region vertices and located_in edges
    bool graphml = true;
    bool gexf = true;
    bool dot = true;
    bool png = true;                   // the folded picture, when graphviz is on PATH (graph_layout.h)
    bool profiles = true;
    std::string vantage_label = "vantage";
    bool host_vertices = false;        // --hosts: one vertex per destination host, not per /24
    // AS, AS name and country of public interfaces from this libloc database
    // (empty: none); a missing default database is one info line, not an error.
    std::filesystem::path location_db = LocationDb::kSystemPath;
    std::filesystem::path country_db; // countries when location_db has none (LocationDb)
};

struct GraphOutputSummary {
    size_t traces = 0;
    size_t vertices = 0;
    size_t edges = 0;
    size_t clusters = 0;
    size_t picture_nodes = 0;          // nodes in topology.png after folding
    std::string layout_engine;         // dot, sfdp or layered
    std::vector<std::filesystem::path> files; // what was written
};

// Throws std::runtime_error with a message naming the file on any failure
// (cannot create the directory, bad rules file, bad pfx2as line).
GraphOutputSummary write_graph_outputs(const std::vector<pathmap::Trace> &traces, const std::filesystem::path &outdir,
                                       const GraphOutputOptions &opts);

// Same, from a builder that was fed incrementally (TopologyBuilder::add per
// trace during a sweep). The builder is finalised (roles, clusters) in place.
GraphOutputSummary write_graph_outputs(TopologyBuilder &builder, const std::filesystem::path &outdir,
                                       const GraphOutputOptions &opts);

} // namespace pathmap::graph
