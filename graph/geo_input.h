// What `pathmap geolocate` reads: every format `pathmap graph` reads (through
// the same readers, graph/input_formats.h), plus geolocation's own annotated
// trace lines (docs/GEOLOCATION.md), which carry anchors and evidence.
#pragma once

#include <filesystem>
#include <functional>
#include <istream>
#include <vector>

#include "graph/geo/path_geolocator.h"
#include "graph/input_formats.h"

namespace pathmap::graph {

// Annotated JSON lines, where pathmap trace lines may be mixed in. Errors
// (geo::GeoInputError) name the line.
std::vector<geo::GeoTrace> read_annotated_lines(std::istream &in);

// The file as annotated lines when its first line is one (and `f` is auto),
// else through the graph readers. Throws InputError / geo::GeoInputError
// naming the file.
std::vector<geo::GeoTrace> read_geo_traces(const std::filesystem::path &file, InputFormat f = InputFormat::auto_detect);

// read_geo_traces a chunk at a time, in file order: fn gets about `chunk`
// traces at a time. RIPE Atlas JSON lines are read as they are decoded (the
// PCS paper's 413,354 results held at once took 6 GiB); other inputs are
// read whole first and handed on in chunks. Errors as read_geo_traces.
void read_geo_traces_in_chunks(const std::filesystem::path &file, InputFormat f, size_t chunk,
                               const std::function<void(std::vector<geo::GeoTrace> &&)> &fn);

} // namespace pathmap::graph
