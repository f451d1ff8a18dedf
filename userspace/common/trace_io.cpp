// JSON (de)serialisation of traces; the reader names the offending line.
#include "pathmap/trace_io.h"

#include <climits>
#include <cstdint>
#include <fstream>
#include <istream>
#include <ostream>

#include <nlohmann/json.hpp>

namespace pathmap {

using nlohmann::json;

json to_json(const Trace &t)
{
    json hops = json::array();
    for (const Hop &h : t.hops) {
        if (h.addr.empty()) {
            // Probed and silent: only the TTL. Answered by a name whose
            // address the file never printed (mtr, tracepath without -n):
            // the name and its RTT, no addr.
            if (h.rdns && !h.rdns->empty()) hops.push_back(json{{"ttl", h.ttl}, {"rtt_ms", h.rtt_ms}, {"rdns", *h.rdns}});
            else hops.push_back(json{{"ttl", h.ttl}});
            continue;
        }
        json jh = {{"ttl", h.ttl},
                   {"addr", h.addr.empty() ? json(nullptr) : json(h.addr)},
                   {"rtt_ms", h.rtt_known ? json(h.rtt_ms) : json(nullptr)},
                   {"icmp_type", h.icmp_type},
                   {"icmp_code", h.icmp_code},
                   {"reply_ttl", h.reply_ttl},
                   {"quoted_ttl", h.quoted_ttl},
                   {"mpls_labels", h.mpls_labels}};
        if (h.rdns) jh["rdns"] = *h.rdns;
        if (h.asn) jh["asn"] = h.asn;
        if (h.as_name) jh["as_name"] = *h.as_name;
        if (h.country) jh["country"] = *h.country;
        hops.push_back(std::move(jh));
    }
    json j{{"dst", t.dst}, {"flow_id", t.flow_id}, {"reached", t.reached}, {"stop_reason", t.stop_reason}};
    if (t.first_ttl) j["first_ttl"] = t.first_ttl;
    j["hops"] = std::move(hops);
    return j;
}

namespace {
// j[key] (or `dflt` when absent) as an integer in [lo, hi]. nlohmann's
// get<int>() of a float, or of a number the type cannot hold, is an unchecked
// cast (undefined behaviour for 1e95), so such a value is an error here;
// a whole float (3.0) still reads as its integer.
int64_t int_field(const json &j, const char *key, int64_t dflt, int64_t lo, int64_t hi)
{
    auto it = j.find(key);
    if (it == j.end()) return dflt;
    const json &v = *it;
    if (v.is_number_unsigned() && v.get<uint64_t>() <= uint64_t(hi)) return int64_t(v.get<uint64_t>());
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= lo && v.get<int64_t>() <= hi)
        return v.get<int64_t>();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (d >= -9.2e18 && d <= 9.2e18 && d == double(int64_t(d)) && int64_t(d) >= lo && int64_t(d) <= hi)
            return int64_t(d);
    }
    if (!v.is_number()) throw TraceParseError(std::string(key) + " is not a number");
    throw TraceParseError(std::string(key) + " out of range");
}
} // namespace

Trace trace_from_json(const json &j)
{
    try {
        Trace t;
        t.dst = j.at("dst").get<std::string>();
        if (!j.is_object()) throw TraceParseError("not a JSON object");
        t.flow_id = static_cast<uint16_t>(int_field(j, "flow_id", 0, 0, 65535));
        t.reached = j.value("reached", false);
        t.stop_reason = j.value("stop_reason", std::string{});
        t.first_ttl = static_cast<uint8_t>(int_field(j, "first_ttl", 0, 0, 255));
        for (const json &jh : j.at("hops")) {
            Hop h;
            if (!jh.is_object() || !jh.contains("ttl")) throw TraceParseError("hop without a ttl");
            h.ttl = static_cast<uint8_t>(int_field(jh, "ttl", 0, 0, 255));
            if (jh.contains("addr") && !jh["addr"].is_null()) h.addr = jh["addr"].get<std::string>();
            if (jh.contains("rtt_ms") && jh["rtt_ms"].is_null()) h.rtt_known = false; // answered, not timed
            else h.rtt_ms = jh.value("rtt_ms", 0.0);
            h.icmp_type = static_cast<int>(int_field(jh, "icmp_type", -1, INT_MIN, INT_MAX));
            h.icmp_code = static_cast<int>(int_field(jh, "icmp_code", -1, INT_MIN, INT_MAX));
            h.reply_ttl = static_cast<int>(int_field(jh, "reply_ttl", 0, INT_MIN, INT_MAX));
            h.quoted_ttl = static_cast<int>(int_field(jh, "quoted_ttl", 0, INT_MIN, INT_MAX));
            if (jh.contains("mpls_labels")) {
                if (!jh["mpls_labels"].is_array()) throw TraceParseError("mpls_labels is not an array");
                for (const json &l : jh["mpls_labels"]) {
                    const json one{{"label", l}};
                    h.mpls_labels.push_back(static_cast<uint32_t>(int_field(one, "label", 0, 0, UINT32_MAX)));
                }
            }
            if (jh.contains("rdns") && jh["rdns"].is_string()) h.rdns = jh["rdns"].get<std::string>();
            h.asn = int_field(jh, "asn", 0, INT64_MIN, INT64_MAX);
            if (jh.contains("as_name") && jh["as_name"].is_string()) h.as_name = jh["as_name"].get<std::string>();
            if (jh.contains("country") && jh["country"].is_string()) h.country = jh["country"].get<std::string>();
            t.hops.push_back(std::move(h));
        }
        return t;
    } catch (const json::exception &e) {
        throw TraceParseError(e.what());
    }
}

void write_trace_line(std::ostream &out, const Trace &t) { out << to_json(t).dump() << '\n'; }

std::vector<Trace> read_traces_jsonl(std::istream &in)
{
    std::vector<Trace> out;
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            out.push_back(trace_from_json(json::parse(line)));
        } catch (const std::exception &e) {
            throw TraceParseError("line " + std::to_string(lineno) + ": " + e.what());
        }
    }
    return out;
}

std::vector<Trace> read_traces_jsonl_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in) throw TraceParseError("cannot open " + path);
    try {
        return read_traces_jsonl(in);
    } catch (const TraceParseError &e) {
        throw TraceParseError(path + ": " + e.what());
    }
}

} // namespace pathmap
