// Loading and indexing GeoNames cities15000; name lookups.
#include "graph/geo/gazetteer.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "graph/geo/code_tables.h"

namespace pathmap::geo
{

std::string name_key(std::string_view name)
{
    std::string k;
    k.reserve(name.size());
    for (char c : name) {
        if (c >= 'A' && c <= 'Z')
            k.push_back(static_cast<char>(c - 'A' + 'a'));
        else if (c >= 'a' && c <= 'z')
            k.push_back(c);
    }
    return k;
}

namespace
{

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos) return out;
        start = p + 1;
    }
}

bool plain_ascii_name(std::string_view s)
{
    if (s.size() < 4) return false; // short alternates are mostly codes ("ALV")
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' || c == '-' || c == '.' ||
              c == '\''))
            return false;
    return s.front() >= 'A' && s.front() <= 'Z'; // names, not lowercase codes
}

} // namespace

std::vector<std::string> Gazetteer::search_path()
{
    std::vector<std::string> paths;
    if (const char *env = std::getenv("PATHMAP_GAZETTEER"); env && *env) paths.emplace_back(env);
    paths.emplace_back("/usr/share/libtimezonemap/ui/cities15000.txt");
    return paths;
}

Gazetteer Gazetteer::load_default()
{
    // An explicit PATHMAP_GAZETTEER that cannot be read is an error, not a
    // reason to silently use another file.
    if (const char *env = std::getenv("PATHMAP_GAZETTEER"); env && *env && !std::ifstream(env).good())
        throw std::runtime_error(std::string("PATHMAP_GAZETTEER=") + env + " cannot be read");
    for (const std::string &p : search_path())
        if (std::ifstream(p).good()) return load_file(p);
    throw std::runtime_error("gazetteer cities15000.txt not found: install libtimezonemap-data "
                             "(scripts/setup.sh) or set PATHMAP_GAZETTEER=/path/to/cities15000.txt");
}

Gazetteer Gazetteer::load_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open gazetteer " + path);
    Gazetteer g;
    std::string line;
    size_t lineno = 0;
    std::vector<std::string> alts_storage;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty()) continue;
        auto f = split(line, '\t');
        if (f.size() < 15)
            throw std::runtime_error(path + ":" + std::to_string(lineno) + ": not a GeoNames cities line");
        City c;
        c.loc.city = std::string(f[2]);
        c.loc.country = std::string(f[8]);
        try {
            c.loc.lat = std::stod(std::string(f[4]));
            c.loc.lon = std::stod(std::string(f[5]));
            c.population = static_cast<uint32_t>(std::stoul(std::string(f[14].empty() ? "0" : f[14])));
        } catch (const std::exception &) {
            throw std::runtime_error(path + ":" + std::to_string(lineno) + ": bad coordinate or population");
        }
        const uint32_t idx = static_cast<uint32_t>(g.cities_.size());
        g.cities_.push_back(std::move(c));
        for (std::string_view alt : split(f[3], ','))
            if (plain_ascii_name(alt)) g.by_alt_[name_key(alt)].push_back(idx);
        if (f[1] != f[2] && plain_ascii_name(f[1])) g.by_alt_[name_key(f[1])].push_back(idx);
    }
    if (g.cities_.empty()) throw std::runtime_error("gazetteer " + path + " is empty");
    g.index();
    return g;
}

Gazetteer Gazetteer::from_cities(std::vector<City> cities)
{
    Gazetteer g;
    g.cities_ = std::move(cities);
    g.index();
    return g;
}

void Gazetteer::index()
{
    for (uint32_t i = 0; i < cities_.size(); ++i)
        by_ascii_[name_key(cities_[i].loc.city)].push_back(i);
    auto by_pop = [this](uint32_t a, uint32_t b) { return cities_[a].population > cities_[b].population; };
    for (auto &[k, v] : by_ascii_)
        std::stable_sort(v.begin(), v.end(), by_pop);
    for (auto &[k, v] : by_alt_) {
        std::stable_sort(v.begin(), v.end(), by_pop);
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    // Codes resolve once here so hostname parsing is a hash lookup.
    auto index_of = [this](const City *c) { return static_cast<uint32_t>(c - cities_.data()); };
    for (const CodeEntry &e : iata_codes())
        if (const City *c = find(e.city, e.country)) iata_.emplace(std::string(e.code), index_of(c));
    for (const CodeEntry &e : operator_codes())
        if (const City *c = find(e.city, e.country)) operator_[std::string(e.code)].push_back(index_of(c));
    for (const CodeEntry &e : geo::interconnection_hubs())
        if (const City *c = find(e.city, e.country)) hubs_.push_back(c);
    for (uint32_t i = 0; i < cities_.size(); ++i) {
        auto [it, fresh] = largest_.emplace(cities_[i].loc.country, i);
        if (!fresh && cities_[i].population > cities_[it->second].population) it->second = i;
    }
}

const City *Gazetteer::nearest(double lat, double lon, double max_km) const
{
    const City *best = nullptr;
    double best_km = max_km;
    for (const City &c : cities_)
        if (const double d = great_circle_km(lat, lon, c.loc.lat, c.loc.lon); d <= best_km) {
            best_km = d;
            best = &c;
        }
    return best;
}

const City *Gazetteer::largest_city(std::string_view country) const
{
    auto it = largest_.find(std::string(country));
    return it == largest_.end() ? nullptr : &cities_[it->second];
}

const City *Gazetteer::find(std::string_view name, std::string_view country) const
{
    const std::string key = name_key(name);
    if (key.empty()) return nullptr;
    for (const auto *table : {&by_ascii_, &by_alt_}) {
        auto it = table->find(key);
        if (it == table->end()) continue;
        for (uint32_t i : it->second)
            if (country.empty() || cities_[i].loc.country == country) return &cities_[i];
    }
    return nullptr;
}

std::vector<const City *> Gazetteer::find_key(std::string_view key, uint32_t min_population) const
{
    std::vector<const City *> out;
    for (const auto *table : {&by_ascii_, &by_alt_}) {
        auto it = table->find(std::string(key));
        if (it == table->end()) continue;
        for (uint32_t i : it->second)
            if (cities_[i].population >= min_population &&
                std::find(out.begin(), out.end(), &cities_[i]) == out.end())
                out.push_back(&cities_[i]);
    }
    return out;
}

const City *Gazetteer::find_iata(std::string_view code) const
{
    auto it = iata_.find(name_key(code));
    return it == iata_.end() ? nullptr : &cities_[it->second];
}

std::vector<const City *> Gazetteer::find_operator_code(std::string_view code) const
{
    std::vector<const City *> out;
    if (auto it = operator_.find(name_key(code)); it != operator_.end())
        for (uint32_t i : it->second)
            out.push_back(&cities_[i]);
    return out;
}

bool Gazetteer::resolve(Location &loc) const
{
    const bool has_coords = loc.lat != 0.0 || loc.lon != 0.0;
    if (has_coords) return true;
    const City *c = find(loc.city, loc.country);
    if (!c && loc.country.empty()) return false;
    if (!c) return false;
    loc.lat = c->loc.lat;
    loc.lon = c->loc.lon;
    if (loc.country.empty()) loc.country = c->loc.country;
    return true;
}

} // namespace pathmap::geo
