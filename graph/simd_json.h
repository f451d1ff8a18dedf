// JSON records read with simdjson, for the formats that come in GiBs (RIPE
// Atlas results, one per line: the PCS paper's 413,354 are 1.1 GB). Parsing
// them through nlohmann's DOM took 4.5 s per 140 MB; simdjson's tape takes
// 0.24 s, and JSON lines are read on several threads.
//
// The documents of a text are found as reader_json.h's are: the whole text
// as one document, else one per non-blank line, with the same error lines
// ("name: not JSON (truncated or damaged?): ..." or "name: line N: not
// JSON: ..."). A record is an array's element, or the document itself.
#pragma once

#include <algorithm>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <simdjson.h>

namespace pathmap::graph
{

using JsonValue = simdjson::dom::element;

// A text's documents: where each part of it starts and ends, so parts can be
// parsed by different threads.
struct JsonTextParts {
    bool lines = false; // one document per line (else the text is one document)
    std::string_view whole;  // the text the parts are of
    std::vector<std::string_view> parts;
};

// Splits text into parts of whole lines when it is JSON lines, else one
// part; none when it is blank. Parts are about part_bytes long (at least
// 8 MiB; 0: text.size() / threads, so each thread gets one). Whether the
// parts are JSON is found when they are parsed.
JsonTextParts split_json_text(std::string_view text, unsigned threads, size_t part_bytes = 0);

// Calls fn(record) for every record of one part, with a parser of its own.
// Throws InputError naming the line that is not JSON.
void for_each_record_in_part(const JsonTextParts &parts, size_t part, const std::string &name,
                             const std::function<void(JsonValue)> &fn);

// Every record of text, read on up to `threads` threads when it is JSON
// lines, `threads` parts of about part_bytes at a time (0: all at once).
// Each part's records go, in order, to its own State (default-constructed;
// fn(State &, JsonValue)); after each round, round(std::vector<State> &)
// gets that round's States in text order, for the caller to merge before
// the next round. The first error in text order is rethrown.
template <class State, class Fn, class RoundFn>
void read_json_records_in_rounds(std::string_view text, const std::string &name, unsigned threads, size_t part_bytes,
                                 Fn fn, RoundFn round)
{
    threads = std::max(1u, threads);
    const JsonTextParts parts = split_json_text(text, threads, part_bytes);
    for (size_t first = 0; first < parts.parts.size(); first += threads) {
        const size_t n = std::min<size_t>(threads, parts.parts.size() - first);
        std::vector<State> states(n);
        std::vector<std::exception_ptr> errors(n);
        auto run = [&](size_t i) {
            try {
                for_each_record_in_part(parts, first + i, name, [&](JsonValue v) { fn(states[i], v); });
            } catch (...) {
                errors[i] = std::current_exception();
            }
        };
        if (n == 1) {
            run(0);
        } else {
            std::vector<std::jthread> workers;
            for (size_t i = 0; i < n; ++i)
                workers.emplace_back(run, i);
        }
        for (const std::exception_ptr &e : errors)
            if (e) std::rethrow_exception(e);
        round(states);
    }
}

// read_json_records_in_rounds all at once: every part's State, in text order.
template <class State, class Fn>
std::vector<State> read_json_records(std::string_view text, const std::string &name, unsigned threads, Fn fn)
{
    std::vector<State> all;
    read_json_records_in_rounds<State>(text, name, threads, 0, fn, [&](std::vector<State> &states) {
        for (State &s : states)
            all.push_back(std::move(s));
    });
    return all;
}

// What reader_json.h's json_int / json_double / json_string are for
// nlohmann: v[key] as an integer or a double, written as a number or a
// string; nullopt when absent, not an object, or not a number.
std::optional<long long> sj_int(JsonValue v, const char *key);
std::optional<double> sj_double(JsonValue v, const char *key);
// v[key] when it is a string, else "".
std::string_view sj_string(JsonValue v, const char *key);
bool sj_has(JsonValue v, const char *key);
// v[key] when it is an array.
std::optional<simdjson::dom::array> sj_array(JsonValue v, const char *key);

} // namespace pathmap::graph
