// Parsing annotated traces and writing geolocated.jsonl.
#include <cctype>
#include "graph/geo/geo_json.h"

#include <cmath>

#include <nlohmann/json.hpp>


namespace pathmap::geo
{

using nlohmann::json;

namespace
{

std::optional<Location> optional_location(const json &j, const char *key)
{
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    return location_from_json(j[key]);
}

json location_json(const Location &l)
{
    return {{"city", l.city}, {"country", l.country}, {"lat", l.lat}, {"lon", l.lon}};
}

} // namespace

Location location_from_json(const json &j)
{
    if (!j.is_object())
        throw GeoInputError("a location must be an object {\"city\", \"country\", \"lat\", \"lon\"}");
    Location l;
    try {
        l.city = j.value("city", std::string{});
        l.country = j.value("country", std::string{});
        const bool has_lat = j.contains("lat") && !j["lat"].is_null();
        const bool has_lon = j.contains("lon") && !j["lon"].is_null();
        if (has_lat != has_lon) throw GeoInputError("a location needs both lat and lon, or neither");
        if (has_lat) {
            l.lat = j["lat"].get<double>();
            l.lon = j["lon"].get<double>();
            if (!std::isfinite(l.lat) || !std::isfinite(l.lon) || std::abs(l.lat) > 90 ||
                std::abs(l.lon) > 180)
                throw GeoInputError("location coordinates out of range");
        }
    } catch (const json::exception &e) {
        throw GeoInputError(std::string("bad location: ") + e.what());
    }
    if (l.city.empty() && l.lat == 0 && l.lon == 0)
        throw GeoInputError("a location needs a city or coordinates");
    return l;
}

bool is_annotated_trace(const json &j)
{
    if (!j.is_object()) return false;
    if (j.contains("src_anchor") || j.contains("dst_anchor")) return true;
    if (!j.contains("hops") || !j["hops"].is_array() || j.contains("dst")) return false;
    return j["hops"].empty() || (j["hops"][0].is_object() && j["hops"][0].contains("hop"));
}

GeoTrace annotated_trace_from_json(const json &j)
{
    try {
        GeoTrace t;
        t.src_anchor = optional_location(j, "src_anchor");
        t.dst_anchor = optional_location(j, "dst_anchor");
        if (!j.contains("hops") || !j["hops"].is_array())
            throw GeoInputError("annotated trace has no \"hops\" array");
        for (const json &jh : j["hops"]) {
            GeoHop h;
            h.hop = jh.at("hop").get<int>();
            if (h.hop < 0 || h.hop > 255) throw GeoInputError("hop number out of range");
            if (jh.contains("addr") && !jh["addr"].is_null()) h.addr = jh["addr"].get<std::string>();
            if (jh.contains("rtt_ms") && jh["rtt_ms"].is_null()) h.has_rtt = false; // answered, not timed
            else h.rtt_ms = jh.value("rtt_ms", 0.0);
            if (!std::isfinite(h.rtt_ms) || h.rtt_ms < 0)
                throw GeoInputError("rtt_ms must be a non-negative number");
            if (jh.contains("rdns") && jh["rdns"].is_string()) h.rdns = jh["rdns"].get<std::string>();
            h.evidence.rdns_hint = optional_location(jh, "rdns_hint");
            h.evidence.ixp = optional_location(jh, "ixp");
            h.evidence.geodb = optional_location(jh, "geodb");
            // The registry country, as traces.jsonl writes it ("country").
            if (jh.contains("country") && !jh["country"].is_null()) {
                std::string cc = jh["country"].get<std::string>();
                if (cc.size() != 2 || !std::isalpha(static_cast<unsigned char>(cc[0])) ||
                    !std::isalpha(static_cast<unsigned char>(cc[1])))
                    throw GeoInputError("country must be a two-letter ISO 3166 code");
                for (char &c : cc)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                h.evidence.registry_country = std::move(cc);
            }
            t.hops.push_back(std::move(h));
        }
        return t;
    } catch (const json::exception &e) {
        throw GeoInputError(std::string("bad annotated trace: ") + e.what());
    }
}

json to_json(const GeoResult &r)
{
    json flagged = json::array();
    for (const FlaggedSegment &f : r.flagged_segments)
        flagged.push_back({{"from_hop", f.from_hop},
                           {"to_hop", f.to_hop},
                           {"distance_km", f.distance_km},
                           {"min_rtt_ms", f.min_rtt_ms},
                           {"rtt_delta_ms", f.rtt_delta_ms},
                           {"reason", f.reason}});
    json hops = json::array();
    for (const LocatedHop &h : r.hops) {
        json jh = {{"hop", h.hop}, {"addr", h.addr.empty() ? json(nullptr) : json(h.addr)}};
        if (h.loc) {
            jh["city"] = h.loc->city;
            jh["country"] = h.loc->country;
            jh["lat"] = h.loc->lat;
            jh["lon"] = h.loc->lon;
        } else {
            jh["city"] = jh["country"] = jh["lat"] = jh["lon"] = nullptr;
        }
        jh["posterior"] = h.posterior;
        // Every hop says what placed it, or why nothing did.
        if (const auto *srcs = h.sources()) {
            json used = json::array();
            for (Source s : *srcs)
                used.push_back(source_name(s));
            jh["sources"] = std::move(used);
            // "country": only country-level evidence placed it, and the city
            // stands for its country; the posterior is about the choice
            // among candidates, not about the city.
            jh["precision"] = h.chosen()->country_level ? "country" : "city";
        } else {
            jh["unplaced"] = h.unplaced ? h.unplaced : "no_evidence";
        }
        json cands = json::array();
        for (const Candidate &c : h.candidates) {
            json jc = location_json(c.loc);
            json srcs = json::array();
            for (Source s : c.sources)
                srcs.push_back(source_name(s));
            jc["sources"] = std::move(srcs);
            cands.push_back(std::move(jc));
        }
        jh["candidates"] = std::move(cands);
        hops.push_back(std::move(jh));
    }
    return {{"pcs", r.pcs},
            {"alignment", r.alignment ? json(*r.alignment) : json(nullptr)},
            {"distance_km", r.distance_km},
            {"vantage_known", r.vantage_known},
            {"flagged_segments", std::move(flagged)},
            {"hops", std::move(hops)}};
}

} // namespace pathmap::geo
