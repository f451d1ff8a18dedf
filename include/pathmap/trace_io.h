// traces.jsonl: one JSON object per line, one line per (target, flow).
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pathmap/trace.h"

namespace pathmap {

struct TraceParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

nlohmann::json to_json(const Trace &t);
Trace trace_from_json(const nlohmann::json &j); // throws TraceParseError

void write_trace_line(std::ostream &out, const Trace &t);

// Reads every line; a malformed line throws TraceParseError naming the line.
std::vector<Trace> read_traces_jsonl(std::istream &in);
std::vector<Trace> read_traces_jsonl_file(const std::string &path);

} // namespace pathmap
