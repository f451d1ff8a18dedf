// simdjson records: documents found as reader_json.cpp finds them, parts of
// whole lines for threads, and the number-or-string accessors.
#include "graph/simd_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "graph/input_formats.h"
#include "graph/reader_text.h"

namespace pathmap::graph
{

namespace
{

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Parses text (copied into buf with simdjson's padding; the element lives
// until the parser's next parse).
simdjson::error_code parse_padded(simdjson::dom::parser &parser, std::string_view text, std::vector<char> &buf,
                                  JsonValue &out)
{
    buf.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::copy(text.begin(), text.end(), buf.begin());
    std::fill(buf.begin() + static_cast<std::ptrdiff_t>(text.size()), buf.end(), '\0');
    return parser.parse(buf.data(), text.size(), false).get(out);
}

void each_record(JsonValue doc, const std::function<void(JsonValue)> &fn)
{
    simdjson::dom::array a;
    if (doc.get_array().get(a) == simdjson::SUCCESS)
        for (JsonValue e : a)
            fn(e);
    else
        fn(doc);
}

} // namespace

JsonTextParts split_json_text(std::string_view text, unsigned threads, size_t part_bytes)
{
    JsonTextParts out;
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return out; // no documents
    const size_t eol = text.find('\n', first);
    bool lines = false;
    if (eol != std::string_view::npos && !blank(text.substr(eol))) {
        // More than one non-blank line: JSON lines when the first is a document by itself.
        simdjson::dom::parser parser;
        std::vector<char> buf;
        JsonValue v;
        lines = parse_padded(parser, text.substr(first, eol - first), buf, v) == simdjson::SUCCESS;
    }
    out.lines = lines;
    out.whole = text;
    if (!lines) {
        out.parts.push_back(text);
        return out;
    }
    // Parts of about part_bytes, cut after a newline; small texts stay one part.
    constexpr size_t kMinPart = 8u << 20;
    threads = std::max(1u, threads);
    const size_t want = std::max(kMinPart, part_bytes ? part_bytes : text.size() / threads);
    const size_t n = std::max<size_t>(1, text.size() / want);
    size_t begin = 0;
    for (size_t i = 0; i < n && begin < text.size(); ++i) {
        size_t end = text.size();
        if (i + 1 < n) {
            end = text.find('\n', std::max(begin, text.size() / n * (i + 1)));
            end = end == std::string_view::npos ? text.size() : end + 1;
        }
        out.parts.push_back(text.substr(begin, end - begin));
        begin = end;
    }
    return out;
}

void for_each_record_in_part(const JsonTextParts &parts, size_t part, const std::string &name,
                             const std::function<void(JsonValue)> &fn)
{
    const std::string_view p = parts.parts.at(part);
    simdjson::dom::parser parser;
    std::vector<char> buf;
    JsonValue doc;
    if (!parts.lines) {
        if (const auto err = parse_padded(parser, p, buf, doc))
            throw InputError(name + ": not JSON (truncated or damaged?): " + simdjson::error_message(err));
        each_record(doc, fn);
        return;
    }
    for_each_text_line(p, [&](std::string_view line, size_t lineno) {
        if (const auto err = parse_padded(parser, line, buf, doc)) {
            // The file's own line: the lines before this part, counted only now.
            const std::string_view before = parts.whole.substr(0, static_cast<size_t>(p.data() - parts.whole.data()));
            const size_t first = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
            throw InputError(name + ": line " + std::to_string(first + lineno - 1) + ": not JSON: " +
                             simdjson::error_message(err));
        }
        each_record(doc, fn);
    });
}

bool sj_has(JsonValue v, const char *key)
{
    JsonValue x;
    return v.at_key(key).get(x) == simdjson::SUCCESS;
}

std::optional<simdjson::dom::array> sj_array(JsonValue v, const char *key)
{
    simdjson::dom::array a;
    if (v.at_key(key).get_array().get(a) != simdjson::SUCCESS) return std::nullopt;
    return a;
}

std::string_view sj_string(JsonValue v, const char *key)
{
    std::string_view s;
    if (v.at_key(key).get_string().get(s) != simdjson::SUCCESS) return {};
    return s;
}

std::optional<long long> sj_int(JsonValue v, const char *key)
{
    JsonValue x;
    if (v.at_key(key).get(x) != simdjson::SUCCESS) return std::nullopt;
    switch (x.type()) {
    case simdjson::dom::element_type::INT64: return static_cast<long long>(int64_t(x));
    case simdjson::dom::element_type::UINT64: return static_cast<long long>(uint64_t(x));
    case simdjson::dom::element_type::DOUBLE: {
        const double d = double(x);
        if (std::abs(d) < 9.2e18 && d == std::trunc(d)) return static_cast<long long>(d);
        return std::nullopt;
    }
    case simdjson::dom::element_type::STRING: {
        const std::string_view s = std::string_view(x);
        long long n = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), n);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return n;
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

std::optional<double> sj_double(JsonValue v, const char *key)
{
    JsonValue x;
    if (v.at_key(key).get(x) != simdjson::SUCCESS) return std::nullopt;
    switch (x.type()) {
    case simdjson::dom::element_type::INT64: return static_cast<double>(int64_t(x));
    case simdjson::dom::element_type::UINT64: return static_cast<double>(uint64_t(x));
    case simdjson::dom::element_type::DOUBLE: return double(x);
    case simdjson::dom::element_type::STRING: {
        const std::string_view s = std::string_view(x);
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return d;
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

} // namespace pathmap::graph
