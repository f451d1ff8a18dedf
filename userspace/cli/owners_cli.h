// AS number, AS name and country on a sweep's hops, offline, from the
// system location database (graph/location_db.h): into traces.jsonl.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/location_db.h"
#include "pathmap/trace.h"

namespace CLI {
class App;
}

namespace pathmap::cli {

// --location-db FILE and --no-location, as sweep and graph offer them.
struct LocationOptions {
    std::string path = graph::LocationDb::kSystemPath;
    bool off = false;
    std::string selected() const { return off ? std::string() : path; } // "" = no lookups
    bool is_default() const { return path == graph::LocationDb::kSystemPath; }
};
void add_location_options(CLI::App &cmd, LocationOptions &o, const char *what);

// Every answering hop with a public address gets asn / as_name / country
// when the database has its network. Returns summary.json's "location":
// the database and how many hops got an AS; a missing default database is
// one info line, a missing --location-db FILE a UsageError.
nlohmann::json own_trace_hops(std::vector<Trace> &traces, const LocationOptions &o);

} // namespace pathmap::cli
