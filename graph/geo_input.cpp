// read_geo_traces: annotated lines, or any graph input format.
#include "graph/geo_input.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "graph/geo/geo_json.h"

namespace pathmap::graph {

using nlohmann::json;

std::vector<geo::GeoTrace> read_annotated_lines(std::istream &in)
{
    std::vector<geo::GeoTrace> out;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            const json j = json::parse(line);
            if (geo::is_annotated_trace(j)) {
                out.push_back(geo::annotated_trace_from_json(j));
                continue;
            }
            // A pathmap trace line: the graph's own reader of that format.
            for (const Trace &t : parse_pathmap_jsonl(line, "line"))
                out.push_back(geo::geo_trace_from(t));
        } catch (const json::parse_error &e) {
            throw geo::GeoInputError("line " + std::to_string(lineno) + ": not JSON (" + e.what() + ")");
        } catch (const json::exception &e) { // out_of_range (1e999) and the like
            throw geo::GeoInputError("line " + std::to_string(lineno) + ": " + e.what());
        } catch (const geo::GeoInputError &e) {
            throw geo::GeoInputError("line " + std::to_string(lineno) + ": " + e.what());
        } catch (const std::runtime_error &e) {
            throw geo::GeoInputError("line " + std::to_string(lineno) + ": " + e.what());
        }
    }
    return out;
}

namespace {

// The first non-blank line, as JSON, is an annotated trace.
bool starts_annotated(std::istream &in)
{
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const json j = json::parse(line, nullptr, false);
        return !j.is_discarded() && geo::is_annotated_trace(j);
    }
    return false;
}

} // namespace

std::vector<geo::GeoTrace> read_geo_traces(const std::filesystem::path &file, InputFormat f)
{
    if (f == InputFormat::auto_detect) {
        std::ifstream in(file);
        if (!in) throw InputError("cannot open " + file.string());
        if (starts_annotated(in)) {
            in.clear();
            in.seekg(0);
            try {
                return read_annotated_lines(in);
            } catch (const geo::GeoInputError &e) {
                throw geo::GeoInputError(file.string() + ": " + e.what());
            }
        }
    }
    std::vector<geo::GeoTrace> out;
    for (const Trace &t : read_traces_file(file, f)) out.push_back(geo::geo_trace_from(t));
    return out;
}

} // namespace pathmap::graph
