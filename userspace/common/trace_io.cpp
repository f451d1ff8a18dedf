// JSON (de)serialisation of traces; the reader names the offending line.
#include "pathmap/trace_io.h"

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
        if (h.addr.empty()) { // probed, silent: only the TTL
            hops.push_back(json{{"ttl", h.ttl}});
            continue;
        }
        json jh = {{"ttl", h.ttl},
                   {"addr", h.addr.empty() ? json(nullptr) : json(h.addr)},
                   {"rtt_ms", h.rtt_ms},
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

Trace trace_from_json(const json &j)
{
    try {
        Trace t;
        t.dst = j.at("dst").get<std::string>();
        t.flow_id = j.value("flow_id", uint16_t{0});
        t.reached = j.value("reached", false);
        t.stop_reason = j.value("stop_reason", std::string{});
        if (j.contains("first_ttl")) {
            int first = j["first_ttl"].get<int>();
            if (first < 0 || first > 255) throw TraceParseError("first_ttl out of range");
            t.first_ttl = static_cast<uint8_t>(first);
        }
        for (const json &jh : j.at("hops")) {
            Hop h;
            int ttl = jh.at("ttl").get<int>();
            if (ttl < 0 || ttl > 255) throw TraceParseError("ttl out of range");
            h.ttl = static_cast<uint8_t>(ttl);
            if (jh.contains("addr") && !jh["addr"].is_null()) h.addr = jh["addr"].get<std::string>();
            h.rtt_ms = jh.value("rtt_ms", 0.0);
            h.icmp_type = jh.value("icmp_type", -1);
            h.icmp_code = jh.value("icmp_code", -1);
            h.reply_ttl = jh.value("reply_ttl", 0);
            h.quoted_ttl = jh.value("quoted_ttl", 0);
            if (jh.contains("mpls_labels")) h.mpls_labels = jh["mpls_labels"].get<std::vector<uint32_t>>();
            if (jh.contains("rdns") && jh["rdns"].is_string()) h.rdns = jh["rdns"].get<std::string>();
            h.asn = jh.value("asn", int64_t{0});
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
