// ProbeLocations: the --probes table, CSV or RIPE Atlas probe JSON.
#include "graph/geo/probe_locations.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "graph/reader_text.h"

namespace pathmap::geo
{
namespace
{

using nlohmann::json;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::optional<double> number(std::string_view s)
{
    s = trim(s);
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

bool valid(double lat, double lon) { return std::abs(lat) <= 90 && std::abs(lon) <= 180; }

std::string upper(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

ProbeLocations ProbeLocations::load(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) throw GeoInputError("--probes " + file.string() + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), file.string());
}

ProbeLocations ProbeLocations::parse(std::string_view text, const std::string &name)
{
    ProbeLocations out;
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) throw GeoInputError(name + ": no probes");

    if (text[first] == '[' || text[first] == '{') {
        // One document (an array, or {"objects": [...]}) or one object a line.
        std::vector<json> objects;
        json doc = json::parse(text, nullptr, false);
        if (!doc.is_discarded()) {
            const json &list = doc.is_object() && doc.contains("objects") ? doc["objects"] : doc;
            if (list.is_array())
                objects.assign(list.begin(), list.end());
            else
                objects.push_back(list);
        } else {
            graph::for_each_text_line(text, [&](std::string_view line, size_t lineno) {
                json j = json::parse(line, nullptr, false);
                if (j.is_discarded())
                    throw GeoInputError(name + ":" + std::to_string(lineno) + ": not JSON (probe objects, or CSV prb_id,lat,lon)");
                objects.push_back(std::move(j));
            });
        }
        for (const json &o : objects) {
            if (!o.is_object() || !o.contains("id") || !(o["id"].is_number_integer() || o["id"].is_string()))
                throw GeoInputError(name + ": a probe object without an \"id\"");
            const std::string id = o["id"].is_string() ? o["id"].get<std::string>() : std::to_string(o["id"].get<long long>());
            std::optional<double> lat, lon;
            if (o.contains("geometry") && o["geometry"].is_object()) {
                const json &c = o["geometry"].value("coordinates", json());
                if (c.is_array() && c.size() >= 2 && c[0].is_number() && c[1].is_number()) {
                    lon = c[0].get<double>(); // GeoJSON order: longitude first
                    lat = c[1].get<double>();
                }
            } else if (o.contains("latitude") && o.contains("longitude") && o["latitude"].is_number() &&
                       o["longitude"].is_number()) {
                lat = o["latitude"].get<double>();
                lon = o["longitude"].get<double>();
            }
            if (!lat || !lon) {
                ++out.skipped_; // an unplaced probe (the archive has them)
                continue;
            }
            if (!valid(*lat, *lon)) throw GeoInputError(name + ": probe " + id + ": coordinates out of range");
            Location loc{.city = "", .country = "", .lat = *lat, .lon = *lon};
            if (o.contains("country_code") && o["country_code"].is_string()) loc.country = upper(o["country_code"].get<std::string>());
            out.by_id_[id] = std::move(loc);
        }
    } else {
        graph::for_each_text_line(text, [&](std::string_view raw, size_t lineno) {
            const std::string_view line = trim(raw);
            if (line.front() == '#') return;
            std::vector<std::string_view> f;
            for (size_t b = 0;;) {
                const size_t c = line.find(',', b);
                f.push_back(trim(line.substr(b, c == std::string_view::npos ? std::string_view::npos : c - b)));
                if (c == std::string_view::npos) break;
                b = c + 1;
            }
            const std::string where = name + ":" + std::to_string(lineno);
            if (lineno == 1 && !f.empty() && !number(f[0])) return; // a header line: prb_id,lat,lon,...
            if (f.size() < 3) throw GeoInputError(where + ": want prb_id,lat,lon[,country]");
            const auto lat = number(f[1]), lon = number(f[2]);
            if (f[0].empty() || !lat || !lon) throw GeoInputError(where + ": want prb_id,lat,lon[,country]");
            if (!valid(*lat, *lon)) throw GeoInputError(where + ": coordinates out of range");
            Location loc{.city = "", .country = "", .lat = *lat, .lon = *lon};
            if (f.size() > 3) loc.country = upper(std::string(f[3]));
            out.by_id_[std::string(f[0])] = std::move(loc);
        });
    }
    if (out.by_id_.empty()) throw GeoInputError(name + ": no probe with coordinates");
    return out;
}

std::optional<Location> ProbeLocations::find(const std::string &vantage_id) const
{
    auto it = by_id_.find(vantage_id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
}

} // namespace pathmap::geo
