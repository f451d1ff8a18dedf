// GeoDB answers from a CSV table or a MaxMind DB (libmaxminddb, linked
// through pkg-config like the ASN .mmdb reader, graph/asn_mmdb.cpp).
#include <maxminddb.h>

#include <stdexcept>

#include "graph/geo/evidence_sources.h"
#include "graph/geo/gazetteer.h"

namespace pathmap::geo
{
namespace
{

class CsvGeoDb final : public GeoDb
{
  public:
    explicit CsvGeoDb(PrefixLocations t) : table_(std::move(t)) {}
    std::optional<Location> lookup(uint32_t a) const override { return table_.lookup(a); }

  private:
    PrefixLocations table_;
};

class MaxMindGeoDb final : public GeoDb
{
  public:
    MaxMindGeoDb(const std::string &path, const Gazetteer *gz) : gz_(gz)
    {
        if (int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db_); rc != MMDB_SUCCESS)
            throw std::runtime_error("cannot open GeoDB " + path + ": " + MMDB_strerror(rc));
    }
    ~MaxMindGeoDb() override { MMDB_close(&db_); }
    MaxMindGeoDb(const MaxMindGeoDb &) = delete;
    MaxMindGeoDb &operator=(const MaxMindGeoDb &) = delete;

    std::optional<Location> lookup(uint32_t a) const override
    {
        const std::string ip = format_ipv4(a);
        int gai = 0, err = 0;
        MMDB_lookup_result_s r = MMDB_lookup_string(&db_, ip.c_str(), &gai, &err);
        if (gai != 0 || err != MMDB_SUCCESS || !r.found_entry) return std::nullopt;
        Location loc;
        MMDB_entry_data_s d{};
        if (MMDB_get_value(&r.entry, &d, "city", "names", "en", nullptr) == MMDB_SUCCESS && d.has_data &&
            d.type == MMDB_DATA_TYPE_UTF8_STRING)
            loc.city.assign(d.utf8_string, d.data_size);
        if (MMDB_get_value(&r.entry, &d, "country", "iso_code", nullptr) == MMDB_SUCCESS && d.has_data &&
            d.type == MMDB_DATA_TYPE_UTF8_STRING)
            loc.country.assign(d.utf8_string, d.data_size);
        bool have_lat = MMDB_get_value(&r.entry, &d, "location", "latitude", nullptr) == MMDB_SUCCESS &&
                        d.has_data && d.type == MMDB_DATA_TYPE_DOUBLE;
        if (have_lat) loc.lat = d.double_value;
        bool have_lon = MMDB_get_value(&r.entry, &d, "location", "longitude", nullptr) == MMDB_SUCCESS &&
                        d.has_data && d.type == MMDB_DATA_TYPE_DOUBLE;
        if (have_lon) loc.lon = d.double_value;
        if (loc.city.empty()) return std::nullopt; // country-level answers carry no city
        if (!(have_lat && have_lon) && !(gz_ && gz_->resolve(loc))) return std::nullopt;
        return loc;
    }

  private:
    const Gazetteer *gz_;
    mutable MMDB_s db_{};
};

bool ends_with(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

std::unique_ptr<GeoDb> GeoDb::open(const std::string &path, const Gazetteer *gz)
{
    if (ends_with(path, ".mmdb")) return std::make_unique<MaxMindGeoDb>(path, gz);
    return std::make_unique<CsvGeoDb>(PrefixLocations::load_csv(path, PrefixLocations::Format::geodb, gz));
}

} // namespace pathmap::geo
