// read_geo_traces: annotated lines, or any graph input format.
#include "graph/geo_input.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <iterator>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "graph/file_text.h"
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
bool starts_annotated(std::string_view text)
{
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        const json j = json::parse(line, nullptr, false);
        return !j.is_discarded() && geo::is_annotated_trace(j);
    }
    return false;
}

bool starts_annotated(std::istream &in)
{
    std::string line;
    while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos) return starts_annotated(std::string_view(line));
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

namespace {

// The traces as GeoTraces, converted on two threads (a tenth of the reading time of Atlas lines).
std::vector<geo::GeoTrace> to_geo_traces(std::vector<Trace> &&ts)
{
    std::vector<geo::GeoTrace> out(ts.size());
    auto convert = [&](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            out[i] = geo::geo_trace_from(ts[i]);
            ts[i] = Trace();
        }
    };
    if (ts.size() < 1024) {
        convert(0, ts.size());
    } else {
        std::jthread half(convert, 0, ts.size() / 2);
        convert(ts.size() / 2, ts.size());
    }
    return out;
}

void hand_on_in_chunks(std::vector<geo::GeoTrace> &&all, size_t chunk,
                       const std::function<void(std::vector<geo::GeoTrace> &&)> &fn)
{
    chunk = std::max<size_t>(1, chunk);
    for (size_t first = 0; first < all.size(); first += chunk) {
        const size_t n = std::min(chunk, all.size() - first);
        if (first == 0 && n == all.size()) {
            fn(std::move(all));
            return;
        }
        std::vector<geo::GeoTrace> part(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
                                        std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first + n)));
        fn(std::move(part));
    }
}

// traces.jsonl `chunk` lines at a time, each chunk's two halves parsed and
// converted on two threads.
void read_pathmap_lines_in_chunks(std::string_view text, const std::string &name, size_t chunk,
                                  const std::function<void(std::vector<geo::GeoTrace> &&)> &fn)
{
    // Up to `lines` lines from `from`: where they end, and how many there were.
    auto take = [&](size_t from, size_t lines) {
        size_t end = from, taken = 0;
        for (; taken < lines && end < text.size(); ++taken) {
            const size_t nl = text.find('\n', end);
            end = nl == std::string_view::npos ? text.size() : nl + 1;
        }
        return std::pair{end, taken};
    };
    size_t start = 0, lineno = 1;
    while (start < text.size()) {
        const auto [mid, lines_a] = take(start, chunk / 2);
        const auto [end, lines_b] = take(mid, chunk - chunk / 2);
        const size_t first_line_b = lineno + lines_a;
        const std::string_view a = text.substr(start, mid - start), b = text.substr(mid, end - mid);
        std::vector<geo::GeoTrace> ga, gb;
        std::exception_ptr error_b;
        {
            std::jthread second([&] {
                try {
                    for (const Trace &t : parse_pathmap_jsonl_part(b, name, first_line_b))
                        gb.push_back(geo::geo_trace_from(t));
                } catch (...) {
                    error_b = std::current_exception();
                }
            });
            for (const Trace &t : parse_pathmap_jsonl_part(a, name, lineno))
                ga.push_back(geo::geo_trace_from(t));
        }
        if (error_b) std::rethrow_exception(error_b);
        std::move(gb.begin(), gb.end(), std::back_inserter(ga));
        lineno = first_line_b + lines_b;
        start = end;
        if (!ga.empty()) fn(std::move(ga));
    }
}

} // namespace

void read_geo_traces_in_chunks(const std::filesystem::path &file, InputFormat f, size_t chunk,
                               const std::function<void(std::vector<geo::GeoTrace> &&)> &fn)
{
    if (f == InputFormat::auto_detect || f == InputFormat::atlas || f == InputFormat::pathmap) {
        const FileText text = FileText::open(file);
        InputFormat detected = f;
        if (f == InputFormat::auto_detect) {
            try {
                detected = starts_annotated(text.text()) ? InputFormat::auto_detect : detect_input_format(text.text());
            } catch (const InputError &) {
                detected = InputFormat::auto_detect; // read_geo_traces says why
            }
        }
        if (detected == InputFormat::pathmap) {
            read_pathmap_lines_in_chunks(text.text(), file.string(), chunk, fn);
            return;
        }
        if (detected == InputFormat::atlas) {
            // About `chunk` results' worth of lines a round (an Atlas result is ~2.8 KB).
            read_atlas_json_in_rounds(text.text(), file.string(), chunk * 2800, [&](std::vector<Trace> &&ts) {
                hand_on_in_chunks(to_geo_traces(std::move(ts)), chunk, fn);
            });
            return;
        }
    }
    hand_on_in_chunks(read_geo_traces(file, f), chunk, fn);
}

} // namespace pathmap::graph
