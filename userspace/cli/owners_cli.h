// AS number, AS name and country on a sweep's hops, offline, from the
// system location database (graph/location_db.h): into traces.jsonl.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pathmap/trace.h"

namespace pathmap::cli {

// Every answering hop with a public address gets asn / as_name / country
// when the database has its network. Returns summary.json's "location":
// the database and how many hops got an AS; a missing default database is
// one info line, a missing --location-db FILE a UsageError.
nlohmann::json own_trace_hops(std::vector<Trace> &traces, const std::string &db_path, bool default_path);

} // namespace pathmap::cli
