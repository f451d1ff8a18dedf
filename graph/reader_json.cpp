// JSON helpers shared by the foreign-format readers (reader_json.h).
#include "graph/reader_json.h"

#include <charconv>

#include "graph/input_formats.h"
#include "graph/reader_text.h"

namespace pathmap::graph
{

using nlohmann::json;

namespace
{

// Each document in turn: the whole text as one, else one per non-blank line.
template <class Fn>
void for_each_json_document(std::string_view text, const std::string &name, Fn &&fn)
{
    std::string whole_error;
    {
        json whole;
        // json::exception, not just parse_error: a number too large for a double
        // ("1e999") is out_of_range, and must be reported as bad input too.
        try {
            whole = json::parse(text);
        } catch (const json::exception &e) {
            whole_error = e.what();
        }
        if (whole_error.empty()) {
            fn(std::move(whole));
            return;
        }
    }
    bool any = false;
    for_each_text_line(text, [&](std::string_view line, size_t lineno) {
        json doc;
        try {
            doc = json::parse(line);
        } catch (const json::exception &e) {
            // A pretty-printed document fails on its first line: report the
            // whole-document error, which says where it really broke.
            if (!any) throw InputError(name + ": not JSON (truncated or damaged?): " + whole_error);
            throw InputError(name + ": line " + std::to_string(lineno) + ": not JSON: " + e.what());
        }
        any = true;
        fn(std::move(doc));
    });
}

} // namespace

std::vector<json> json_documents(std::string_view text, const std::string &name)
{
    std::vector<json> docs;
    for_each_json_document(text, name, [&](json &&doc) { docs.push_back(std::move(doc)); });
    return docs;
}

void for_each_json_record(std::string_view text, const std::string &name, const std::function<void(const json &)> &fn)
{
    for_each_json_document(text, name, [&](json &&doc) {
        if (doc.is_array())
            for (const json &d : doc)
                fn(d);
        else
            fn(doc);
    });
}

std::optional<double> json_double(const json &j, const char *key)
{
    if (!j.is_object() || !j.contains(key)) return std::nullopt;
    const json &v = j[key];
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const std::string &s = v.get_ref<const std::string &>();
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return d;
    }
    return std::nullopt;
}

std::optional<long long> json_int(const json &j, const char *key)
{
    if (!j.is_object() || !j.contains(key)) return std::nullopt;
    const json &v = j[key];
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (d == static_cast<double>(static_cast<long long>(d))) return static_cast<long long>(d);
        return std::nullopt;
    }
    if (v.is_string()) {
        const std::string &s = v.get_ref<const std::string &>();
        long long n = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), n);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return n;
    }
    return std::nullopt;
}

std::string json_string(const json &j, const char *key)
{
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
    return j[key].get<std::string>();
}

} // namespace pathmap::graph
