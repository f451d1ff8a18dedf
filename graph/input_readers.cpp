// Parsers of foreign traceroute formats into pathmap::Trace. Each keeps the
// first reply per TTL (the fastest when a tool sent several probes) and
// marks a trace reached when the destination itself answered.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "graph/input_formats.h"
#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"
#include "pathmap/trace_io.h"

namespace pathmap::graph {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string &name, const std::string &what) { throw InputError(name + ": " + what); }

// Per-TTL collection: keeps the first responding reply, and TTLs the tool
// probed without an answer (its stars) as hops without an address.
struct HopTable {
    std::map<int, Hop> by_ttl;
    void add(Hop h)
    {
        auto it = by_ttl.find(h.ttl);
        if (it == by_ttl.end() || (it->second.addr.empty() && !h.addr.empty())) by_ttl[h.ttl] = std::move(h);
    }
    // Formats that list only replies (scamper) probed every TTL in [first, last].
    void probed(int first, int last)
    {
        for (int ttl = std::max(first, 1); ttl <= std::min(last, 255); ++ttl)
            if (!by_ttl.count(ttl)) by_ttl[ttl] = Hop{.ttl = static_cast<uint8_t>(ttl)};
    }
    void finish(Trace &t)
    {
        if (!by_ttl.empty() && t.first_ttl == 0) t.first_ttl = static_cast<uint8_t>(by_ttl.begin()->first);
        for (auto &[ttl, h] : by_ttl) t.hops.push_back(std::move(h));
        for (auto it = t.hops.rbegin(); it != t.hops.rend(); ++it)
            if (!it->addr.empty()) {
                if (it->addr == t.dst) t.reached = true;
                break;
            }
        if (t.stop_reason.empty()) t.stop_reason = t.reached ? "reached" : "max_ttl";
    }
};

// Calls fn(line, lineno) for every line that is not blank.
template <class Fn>
void for_each_line(std::string_view text, Fn fn)
{
    size_t lineno = 0, start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        ++lineno;
        start = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        fn(line, lineno);
    }
}

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

bool is_ipv4(const std::string &s) { return parse_ipv4(s).has_value(); }

int ttl_of(const json &j, const char *key)
{
    if (!j.contains(key)) return -1;
    const json &v = j[key];
    if (v.is_number_integer()) return v.get<int>();
    if (v.is_string()) {
        try {
            return std::stoi(v.get<std::string>());
        } catch (const std::exception &) {
            return -1;
        }
    }
    return -1;
}

std::vector<json> json_documents(std::string_view text, const std::string &name)
{
    // Either one document (object or array) or one document per line.
    std::vector<json> docs;
    try {
        docs.push_back(json::parse(text));
        return docs;
    } catch (const json::parse_error &) {
    }
    for_each_line(text, [&](std::string_view line, size_t lineno) {
        try {
            docs.push_back(json::parse(line));
        } catch (const json::parse_error &e) {
            fail(name, "line " + std::to_string(lineno) + ": not JSON: " + e.what());
        }
    });
    return docs;
}

// The traces of every document: an array's elements, or the document itself.
std::vector<const json *> json_items(const std::vector<json> &docs)
{
    std::vector<const json *> items;
    for (const json &doc : docs) {
        if (doc.is_array())
            for (const json &d : doc) items.push_back(&d);
        else
            items.push_back(&doc);
    }
    return items;
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
    }
    return "?";
}

InputFormat detect_input_format(std::string_view head)
{
    size_t first = head.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) throw InputError("empty input");
    std::string_view h = head.substr(first, 4096);
    auto has = [&](std::string_view s) { return h.find(s) != std::string_view::npos; };
    if (h.rfind("traceroute to ", 0) == 0) return InputFormat::traceroute;
    if (h[0] == '{' || h[0] == '[') {
        if (has("\"hubs\"") || has("\"report\"")) return InputFormat::mtr;
        if (has("\"dst_addr\"") || has("\"prb_id\"") || has("\"msm_id\"")) return InputFormat::atlas;
        if (has("\"cycle-start\"") || has("\"type\":\"trace\"") || has("\"type\": \"trace\"") || has("\"probe_ttl\"") ||
            has("\"type\":\"cycle"))
            return InputFormat::scamper;
        if (has("\"hops\"") && has("\"dst\"")) return InputFormat::pathmap;
    }
    throw InputError("unrecognised input (expected traces.jsonl, scamper JSON, RIPE Atlas JSON, mtr --json or "
                     "traceroute output); pass --format");
}

std::vector<Trace> parse_pathmap_jsonl(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    for_each_line(text, [&](std::string_view line, size_t lineno) {
        parse_pathmap_line(line, lineno, name, out.emplace_back());
    });
    return out;
}

std::vector<Trace> parse_scamper_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    const std::vector<json> docs = json_documents(text, name);
    for (const json *jp : json_items(docs)) {
        const json &j = *jp;
        if (!j.is_object() || j.value("type", std::string()) != "trace") continue; // cycle-start/stop, ping, ...
        try {
            Trace t;
            t.dst = j.at("dst").get<std::string>();
            if (!is_ipv4(t.dst)) continue; // IPv6 traces are not graphed
            std::string stop = j.value("stop_reason", std::string());
            HopTable table;
            for (const json &jh : j.value("hops", json::array())) {
                Hop h;
                int ttl = ttl_of(jh, "probe_ttl");
                if (ttl < 1 || ttl > 255) fail(name, "trace to " + t.dst + ": hop without a valid probe_ttl");
                h.ttl = static_cast<uint8_t>(ttl);
                h.addr = jh.value("addr", std::string());
                if (!h.addr.empty() && !is_ipv4(h.addr)) fail(name, "trace to " + t.dst + ": bad hop address " + h.addr);
                h.rtt_ms = jh.value("rtt", 0.0);
                h.icmp_type = jh.value("icmp_type", -1);
                h.icmp_code = jh.value("icmp_code", -1);
                h.reply_ttl = jh.value("reply_ttl", 0);
                h.quoted_ttl = jh.value("icmp_q_ttl", 0);
                if (jh.contains("icmpext"))
                    for (const json &ext : jh["icmpext"])
                        for (const json &l : ext.value("mpls_labels", json::array()))
                            h.mpls_labels.push_back(l.value("mpls_label", 0u));
                if (jh.contains("name") && jh["name"].is_string()) h.rdns = jh["name"].get<std::string>();
                table.add(std::move(h));
            }
            // scamper lists replies only; it probed every TTL from firsthop up.
            const int first = std::max(1, j.value("firsthop", 1));
            int last = j.value("hop_count", 0);
            if (!table.by_ttl.empty()) last = std::max(last, table.by_ttl.rbegin()->first);
            table.probed(first, last);
            t.first_ttl = static_cast<uint8_t>(std::min(first, 255));
            table.finish(t);
            if (stop == "COMPLETED") t.reached = true;
            t.stop_reason = stop == "COMPLETED" ? "reached"
                            : stop == "UNREACH" ? "unreachable"
                            : stop == "GAPLIMIT" ? "gap_limit"
                            : stop == "LOOP"     ? "loop"
                            : stop == "HOPLIMIT" ? "max_ttl"
                                                 : t.stop_reason;
            out.push_back(std::move(t));
        } catch (const json::exception &e) {
            fail(name, std::string("scamper trace: ") + e.what());
        }
    }
    return out;
}

std::vector<Trace> parse_atlas_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    const std::vector<json> docs = json_documents(text, name);
    for (const json *jp : json_items(docs)) {
        const json &j = *jp;
        if (!j.is_object()) fail(name, "Atlas results must be objects");
        if (j.value("type", std::string("traceroute")) != "traceroute") continue;
        try {
            Trace t;
            t.dst = j.at("dst_addr").get<std::string>();
            if (!is_ipv4(t.dst)) continue;
            t.flow_id = static_cast<uint16_t>(j.value("paris_id", 0));
            HopTable table;
            for (const json &jh : j.at("result")) {
                int ttl = ttl_of(jh, "hop");
                if (ttl < 1 || ttl > 255) fail(name, "traceroute to " + t.dst + ": hop without a valid number");
                if (jh.contains("error")) continue;
                for (const json &r : jh.value("result", json::array())) {
                    Hop h;
                    h.ttl = static_cast<uint8_t>(ttl);
                    if (r.contains("x")) {
                        table.add(std::move(h));
                        continue;
                    }
                    h.addr = r.value("from", std::string());
                    if (!h.addr.empty() && !is_ipv4(h.addr)) fail(name, "traceroute to " + t.dst + ": bad address " + h.addr);
                    if (r.contains("rtt") && r["rtt"].is_number()) h.rtt_ms = r["rtt"].get<double>();
                    h.reply_ttl = r.value("ttl", 0);
                    h.quoted_ttl = r.value("ittl", 0);
                    if (r.contains("icmpext"))
                        for (const json &obj : r["icmpext"].value("obj", json::array()))
                            for (const json &l : obj.value("mpls", json::array()))
                                h.mpls_labels.push_back(l.value("label", 0u));
                    if (r.contains("err")) h.icmp_type = 3;
                    table.add(std::move(h));
                }
            }
            table.finish(t);
            out.push_back(std::move(t));
        } catch (const json::exception &e) {
            fail(name, std::string("Atlas traceroute: ") + e.what());
        }
    }
    return out;
}

std::vector<Trace> parse_mtr_json(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    for (const json &doc : json_documents(text, name)) {
        try {
            const json &report = doc.at("report");
            Trace t;
            t.dst = report.at("mtr").at("dst").get<std::string>();
            if (!is_ipv4(t.dst)) fail(name, "mtr destination '" + t.dst + "' is not an IPv4 address (run mtr with -n)");
            HopTable table;
            for (const json &hub : report.at("hubs")) {
                int ttl = ttl_of(hub, "count");
                if (ttl < 1 || ttl > 255) fail(name, "mtr hub without a valid count");
                Hop h;
                h.ttl = static_cast<uint8_t>(ttl);
                std::string host = hub.value("host", std::string("???"));
                if (host != "???") {
                    if (!is_ipv4(host)) fail(name, "mtr host '" + host + "' is not an IPv4 address (run mtr with -n)");
                    h.addr = host;
                    h.rtt_ms = hub.value("Best", hub.value("Avg", 0.0));
                }
                table.add(std::move(h));
            }
            table.finish(t);
            out.push_back(std::move(t));
        } catch (const json::exception &e) {
            fail(name, std::string("mtr report: ") + e.what());
        }
    }
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
    case InputFormat::auto_detect: break;
    }
    fail(name, "no format");
}

namespace {
// The whole file in one read: copying through istreambuf_iterator took a
// third of the ingest time of a large traces.jsonl.
std::string read_whole_file(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError("cannot open " + file.string());
    std::string text;
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (size > 0) { // a regular file; pipes and the like report no size
        text.resize(static_cast<size_t>(size));
        in.read(text.data(), size);
        text.resize(static_cast<size_t>(in.gcount()));
    }
    in.clear();
    text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()); // anything past the size
    return text;
}
} // namespace

std::vector<Trace> read_traces_file(const std::filesystem::path &file, InputFormat f)
{
    return parse_traces(read_whole_file(file), f, file.string());
}

size_t ingest_traces_file(const std::filesystem::path &file, InputFormat f, TopologyBuilder &builder)
{
    std::string text = read_whole_file(file);
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
    for_each_line(text, [&](std::string_view line, size_t lineno) {
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
