// Format detection, dispatch and file reading for every input format, and
// pathmap's own traces.jsonl. The foreign readers live in their own files:
// atlas_reader.cpp, mtr_reader.cpp, scamper_reader.cpp, traceroute_text.cpp,
// tracepath_reader.cpp, warts_reader.cpp.
#include <cctype>
#include <fstream>

#include <nlohmann/json.hpp>

#include "graph/file_text.h"
#include "graph/input_formats.h"
#include "graph/reader_text.h"
#include "graph/topology_builder.h"
#include "graph/warts_format.h"
#include "pathmap/trace_io.h"

namespace pathmap::graph {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string &name, const std::string &what) { throw InputError(name + ": " + what); }

// One pathmap line into a Trace: the scanner, else a full JSON parse.
void parse_pathmap_line(std::string_view line, size_t lineno, const std::string &name, Trace &t)
{
    if (parse_trace_line_fast(line, t)) return;
    try {
        t = trace_from_json(json::parse(line));
    } catch (const std::exception &e) {
        fail(name, "line " + std::to_string(lineno) + ": " + e.what());
    }
}

// Traceroute-family text: a header ("traceroute to", "traceroute6 to",
// paris-traceroute's "traceroute [("), a warning line before one, a hop line
// ("  1  192.0.2.1  0.5 ms", output without its header) or tracepath's " 1?:".
bool looks_like_traceroute_text(std::string_view h)
{
    std::string_view first = h.substr(0, h.find('\n'));
    if (first.rfind("traceroute", 0) == 0) return true;
    size_t i = 0;
    while (i < first.size() && std::isdigit(static_cast<unsigned char>(first[i]))) ++i;
    if (i == 0 || i > 3) return false;
    std::string_view rest = first.substr(i);
    if (rest.rfind("?:", 0) == 0 || rest.rfind(":", 0) == 0) return true; // tracepath
    return !rest.empty() && (rest[0] == ' ' || rest[0] == '\t');
}

} // namespace

std::optional<InputFormat> parse_input_format(std::string_view n)
{
    if (n == "auto") return InputFormat::auto_detect;
    if (n == "pathmap") return InputFormat::pathmap;
    if (n == "scamper") return InputFormat::scamper;
    if (n == "atlas") return InputFormat::atlas;
    if (n == "mtr") return InputFormat::mtr;
    if (n == "traceroute") return InputFormat::traceroute;
    if (n == "warts") return InputFormat::warts;
    return std::nullopt;
}

const char *input_format_name(InputFormat f)
{
    switch (f) {
    case InputFormat::auto_detect: return "auto";
    case InputFormat::pathmap: return "pathmap";
    case InputFormat::scamper: return "scamper";
    case InputFormat::atlas: return "atlas";
    case InputFormat::mtr: return "mtr";
    case InputFormat::traceroute: return "traceroute";
    case InputFormat::warts: return "warts";
    }
    return "?";
}

const char *input_format_names() { return "auto, pathmap, scamper, warts, atlas, mtr, traceroute"; }

InputFormat detect_input_format(std::string_view head)
{
    if (looks_like_warts(head)) return InputFormat::warts; // binary: its magic, at byte 0
    size_t first = head.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) throw InputError("empty input");
    std::string_view h = head.substr(first, 4096);
    auto has = [&](std::string_view s) { return h.find(s) != std::string_view::npos; };
    if (looks_like_traceroute_text(h)) return InputFormat::traceroute;
    if (h[0] == '{' || h[0] == '[') {
        if (has("\"hubs\"") || has("\"report\"")) return InputFormat::mtr;
        if (has("\"hops\"") && has("\"ipaddr\"")) return InputFormat::mtr; // mtr's older --json layout
        if (has("\"dst_addr\"") || has("\"prb_id\"") || has("\"msm_id\"")) return InputFormat::atlas;
        if (has("\"cycle-start\"") || has("\"type\":\"trace\"") || has("\"type\":\"tracelb\"") || has("\"type\": \"trace\"") || has("\"probe_ttl\"") ||
            has("\"type\":\"cycle"))
            return InputFormat::scamper;
        if (has("\"hops\"") && has("\"dst\"")) return InputFormat::pathmap;
    }
    throw InputError("unrecognised input (expected traces.jsonl, scamper JSON or .warts, RIPE Atlas JSON, mtr --json "
                     "or traceroute output); pass --format");
}

std::vector<Trace> parse_pathmap_jsonl(std::string_view text, const std::string &name)
{
    return parse_pathmap_jsonl_part(text, name, 1);
}

std::vector<Trace> parse_pathmap_jsonl_part(std::string_view text, const std::string &name, size_t first_lineno)
{
    std::vector<Trace> out;
    for_each_text_line(text, [&](std::string_view line, size_t lineno) {
        parse_pathmap_line(line, first_lineno + lineno - 1, name, out.emplace_back());
    });
    return out;
}

std::vector<Trace> parse_traces(std::string_view text, InputFormat f, const std::string &name)
{
    if (f == InputFormat::auto_detect) {
        try {
            f = detect_input_format(text);
        } catch (const InputError &e) {
            fail(name, e.what());
        }
    }
    switch (f) {
    case InputFormat::pathmap: return parse_pathmap_jsonl(text, name);
    case InputFormat::scamper: return parse_scamper_json(text, name);
    case InputFormat::atlas: return parse_atlas_json(text, name);
    case InputFormat::mtr: return parse_mtr_json(text, name);
    case InputFormat::traceroute: return parse_traceroute_text(text, name);
    case InputFormat::warts: return parse_warts(text, name);
    case InputFormat::auto_detect: break;
    }
    fail(name, "no format");
}

std::vector<Trace> read_traces_file(const std::filesystem::path &file, InputFormat f)
{
    const FileText text = FileText::open(file);
    return parse_traces(text.text(), f, file.string());
}

size_t ingest_traces_file(const std::filesystem::path &file, InputFormat f, TopologyBuilder &builder)
{
    const FileText file_text = FileText::open(file);
    const std::string_view text = file_text.text();
    std::string name = file.string();
    if (f == InputFormat::auto_detect) {
        try {
            f = detect_input_format(text);
        } catch (const InputError &e) {
            fail(name, e.what());
        }
    }
    auto add = [&](const Trace &t, size_t lineno) {
        try {
            builder.add(t);
        } catch (const std::invalid_argument &e) {
            fail(name, (lineno ? "line " + std::to_string(lineno) + ": " : std::string()) + e.what());
        }
    };
    if (f == InputFormat::atlas) { // a round of results at a time: 413,354 held as Traces took GiBs
        size_t count = 0;
        read_atlas_json_in_rounds(text, name, size_t{64} << 20, [&](std::vector<Trace> &&ts) {
            for (const Trace &t : ts) add(t, 0);
            count += ts.size();
        });
        return count;
    }
    if (f != InputFormat::pathmap) {
        auto traces = parse_traces(text, f, name);
        for (const Trace &t : traces) add(t, 0);
        return traces.size();
    }
    // Lines go straight into the builder as integers; anything unusual takes
    // the Trace path, which reports errors the same way.
    size_t count = 0;
    TraceLineReplies fast;
    Trace t;
    for_each_text_line(text, [&](std::string_view line, size_t lineno) {
        ++count;
        if (parse_trace_line_replies(line, fast)) {
            builder.add_path(fast.dst, fast.flow_id, fast.reached, fast.replies.data(), fast.replies.size(),
                             fast.names.data(), fast.names.size());
            return;
        }
        parse_pathmap_line(line, lineno, name, t);
        add(t, lineno);
    });
    return count;
}

} // namespace pathmap::graph
