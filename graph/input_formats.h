// Readers of traceroute data users already have, all into pathmap::Trace:
// pathmap traces.jsonl, scamper JSON (sc_warts2json) and binary .warts,
// RIPE Atlas traceroute results, mtr --json, and traceroute-family text
// (Linux/BSD/macOS traceroute, paris-traceroute, tracepath). `auto` looks at
// the first bytes of the file.
// docs/GRAPH.md lists every variant read, with an example.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pathmap/trace.h"

namespace pathmap::graph {

enum class InputFormat { auto_detect, pathmap, scamper, atlas, mtr, traceroute, warts };

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::optional<InputFormat> parse_input_format(std::string_view name);
const char *input_format_name(InputFormat f);
// "auto, pathmap, scamper, warts, atlas, mtr, traceroute": every name
// parse_input_format takes, for --help and error lines.
const char *input_format_names();
// Throws InputError when the text matches no known format.
InputFormat detect_input_format(std::string_view head);

// Each throws InputError naming the file (and line where it has one).
std::vector<Trace> parse_pathmap_jsonl(std::string_view text, const std::string &name);
// The same for a part of a file whose first line is line first_lineno.
std::vector<Trace> parse_pathmap_jsonl_part(std::string_view text, const std::string &name, size_t first_lineno);
std::vector<Trace> parse_scamper_json(std::string_view text, const std::string &name);
// scamper's binary warts (trace and tracelb records; warts_reader.cpp): the
// same Traces as parse_scamper_json on sc_warts2json's output of the file.
std::vector<Trace> parse_warts(std::string_view bytes, const std::string &name);
std::vector<Trace> parse_atlas_json(std::string_view text, const std::string &name);
// parse_atlas_json a round at a time, for files too large to hold as Traces
// (pathmap geolocate on the PCS paper's 413,354 results): fn gets the traces
// of about round_bytes of JSON lines at a time, in file order (0: all at
// once). The one summary line of skipped results comes at the end.
void read_atlas_json_in_rounds(std::string_view text, const std::string &name, size_t round_bytes,
                               const std::function<void(std::vector<Trace> &&)> &fn);
std::vector<Trace> parse_mtr_json(std::string_view text, const std::string &name);
// Traceroute text of any variant; tracepath output goes to parse_tracepath_text.
std::vector<Trace> parse_traceroute_text(std::string_view text, const std::string &name);
std::vector<Trace> parse_tracepath_text(std::string_view text, const std::string &name);

std::vector<Trace> parse_traces(std::string_view text, InputFormat f, const std::string &name);
std::vector<Trace> read_traces_file(const std::filesystem::path &file, InputFormat f = InputFormat::auto_detect);

class TopologyBuilder;
// Reads a file straight into a builder; pathmap lines are parsed one at a
// time into a reused Trace (no vector of traces). Returns the trace count.
size_t ingest_traces_file(const std::filesystem::path &file, InputFormat f, TopologyBuilder &builder);

// Fast path for pathmap's own lines: parses the fields pathmap writes without
// building a JSON tree. Returns false (leaving `out` unspecified) when the
// line is anything unusual, so the caller can fall back to the full parser.
bool parse_trace_line_fast(std::string_view line, Trace &out);

// Faster still for graph ingest: the same lines straight into what
// TopologyBuilder::add_path takes (addresses as integers, no strings; names
// point into `line`). False also when an address is not a dotted quad, so the
// slow path reports it.
struct TraceLineReplies;
bool parse_trace_line_replies(std::string_view line, TraceLineReplies &out);

} // namespace pathmap::graph
