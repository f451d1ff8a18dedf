// AS number, AS name and country on a sweep's hops, offline, from the
// system location database or an --asn-db file (graph/location_db.h): into
// traces.jsonl. The options sweep, graph and mtr share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/location_db.h"
#include "pathmap/trace.h"

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace pathmap::cli {

// --location-db FILE, --asn-db FILE and --no-location, as sweep and graph
// offer them (mtr: the first two).
struct LocationOptions {
    std::string path = graph::LocationDb::kSystemPath;
    std::string asn_db; // --asn-db: an ASN .mmdb or a pfx2as table; wins over the libloc database
    bool off = false;
    // "" = no lookups
    std::string selected() const { return off ? std::string() : !asn_db.empty() ? asn_db : path; }
    bool is_default() const { return asn_db.empty() && path == graph::LocationDb::kSystemPath; }
    // Where countries come from when --asn-db has none (a pfx2as table, an
    // ASN-only .mmdb): the libloc database; "" = nowhere else.
    std::string country_fallback() const { return off || asn_db.empty() ? std::string() : path; }
};
void add_location_options(CLI::App &cmd, LocationOptions &o, const char *what);
// --location-db and --asn-db alone; returns the --asn-db option.
CLI::Option *add_owner_source_options(CLI::App &cmd, LocationOptions &o, const char *what);

// Opens the database the options select, before any work is done: nullptr
// when lookups are off or the default database is missing (one info line);
// a file the user named that does not open throws graph::LocationDbError
// (one line, exit 1).
std::unique_ptr<graph::LocationDb> open_location_db(const LocationOptions &o);

// Every answering hop with a public address gets asn / as_name / country
// when the database has its network. Returns summary.json's "location":
// the database, its format and how many hops got an AS; a missing default
// database is one info line, a missing --location-db FILE a UsageError, a
// missing --asn-db FILE a graph::LocationDbError.
nlohmann::json own_trace_hops(std::vector<Trace> &traces, const LocationOptions &o);

} // namespace pathmap::cli
