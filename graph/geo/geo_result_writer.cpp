// Keys in the order nlohmann's std::map-backed object prints them (sorted):
// the line is the same JSON as to_json(r).dump(), checked by a unit test.
#include "graph/geo/geo_result_writer.h"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace pathmap::geo
{

namespace
{

void str(std::string &o, std::string_view s)
{
    o += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            o += '\\';
            o += c;
        } else if (u < 0x20) {
            fmt::format_to(std::back_inserter(o), "\\u{:04x}", u);
        } else {
            o += c;
        }
    }
    o += '"';
}

// A double as nlohmann prints it: shortest round trip, ".0" on whole
// numbers, null for what JSON cannot hold.
void num(std::string &o, double v)
{
    if (!std::isfinite(v)) {
        o += "null";
        return;
    }
    const size_t at = o.size();
    fmt::format_to(std::back_inserter(o), "{}", v);
    if (o.find_first_of(".e", at) == std::string::npos) o += ".0";
}

void sources(std::string &o, const std::vector<Source> &s)
{
    o += '[';
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) o += ',';
        str(o, source_name(s[i]));
    }
    o += ']';
}

} // namespace

void append_result_line(std::string &o, const GeoResult &r, std::string_view vantage_id, bool candidates)
{
    o += "{\"alignment\":";
    if (r.alignment) num(o, *r.alignment);
    else o += "null";
    o += ",\"distance_km\":";
    num(o, r.distance_km);
    o += ",\"flagged_segments\":[";
    for (size_t i = 0; i < r.flagged_segments.size(); ++i) {
        const FlaggedSegment &f = r.flagged_segments[i];
        if (i) o += ',';
        o += "{\"distance_km\":";
        num(o, f.distance_km);
        fmt::format_to(std::back_inserter(o), ",\"from_hop\":{}", f.from_hop);
        o += ",\"min_rtt_ms\":";
        num(o, f.min_rtt_ms);
        o += ",\"reason\":";
        str(o, f.reason);
        o += ",\"rtt_delta_ms\":";
        num(o, f.rtt_delta_ms);
        fmt::format_to(std::back_inserter(o), ",\"to_hop\":{}}}", f.to_hop);
    }
    o += "],\"hops\":[";
    for (size_t i = 0; i < r.hops.size(); ++i) {
        const LocatedHop &h = r.hops[i];
        if (i) o += ',';
        o += "{\"addr\":";
        if (h.addr.empty()) o += "null";
        else str(o, h.addr);
        if (candidates) o += ",\"candidates\":[";
        for (size_t k = 0; candidates && k < h.candidates.size(); ++k) {
            const Candidate &c = h.candidates[k];
            if (k) o += ',';
            o += "{\"city\":";
            str(o, c.loc.city);
            o += ",\"country\":";
            str(o, c.loc.country);
            o += ",\"lat\":";
            num(o, c.loc.lat);
            o += ",\"lon\":";
            num(o, c.loc.lon);
            o += ",\"sources\":";
            sources(o, c.sources);
            o += '}';
        }
        o += candidates ? "],\"city\":" : ",\"city\":";
        if (h.loc) str(o, h.loc->city);
        else o += "null";
        o += ",\"country\":";
        if (h.loc) str(o, h.loc->country);
        else o += "null";
        fmt::format_to(std::back_inserter(o), ",\"hop\":{}", h.hop);
        o += ",\"lat\":";
        if (h.loc) num(o, h.loc->lat);
        else o += "null";
        o += ",\"lon\":";
        if (h.loc) num(o, h.loc->lon);
        else o += "null";
        o += ",\"posterior\":";
        num(o, h.posterior);
        // Every hop says what placed it, or why nothing did (to_json).
        if (const auto *srcs = h.sources()) {
            o += h.chosen()->country_level ? ",\"precision\":\"country\"" : ",\"precision\":\"city\"";
            o += ",\"sources\":";
            sources(o, *srcs);
        } else {
            o += ",\"unplaced\":";
            str(o, h.unplaced ? h.unplaced : "no_evidence");
        }
        o += '}';
    }
    o += "],\"pcs\":";
    num(o, r.pcs);
    if (!vantage_id.empty()) {
        o += ",\"vantage_id\":";
        str(o, vantage_id);
    }
    o += r.vantage_known ? ",\"vantage_known\":true}\n" : ",\"vantage_known\":false}\n";
}

} // namespace pathmap::geo
