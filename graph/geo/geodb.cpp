// GeoDB answers from a CSV table or a MaxMind DB. libmaxminddb is opened with
// dlopen so pathmap runs (and builds) without it; only .mmdb input needs it.
#include <dlfcn.h>

#include <stdexcept>

#include "graph/geo/evidence_sources.h"
#include "graph/geo/gazetteer.h"

#if __has_include(<maxminddb.h>)
#include <maxminddb.h>
#define PATHMAP_HAVE_MAXMINDDB_H 1
#endif

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

#ifdef PATHMAP_HAVE_MAXMINDDB_H
class MaxMindGeoDb final : public GeoDb
{
  public:
    MaxMindGeoDb(const std::string &path, const Gazetteer *gz) : gz_(gz)
    {
        lib_ = dlopen("libmaxminddb.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!lib_)
            throw std::runtime_error("reading " + path +
                                     " needs libmaxminddb0 (apt-get install libmaxminddb0)");
        open_ = reinterpret_cast<decltype(open_)>(dlsym(lib_, "MMDB_open"));
        lookup_ = reinterpret_cast<decltype(lookup_)>(dlsym(lib_, "MMDB_lookup_string"));
        get_value_ = reinterpret_cast<decltype(get_value_)>(dlsym(lib_, "MMDB_get_value"));
        close_ = reinterpret_cast<decltype(close_)>(dlsym(lib_, "MMDB_close"));
        strerror_ = reinterpret_cast<decltype(strerror_)>(dlsym(lib_, "MMDB_strerror"));
        if (!open_ || !lookup_ || !get_value_ || !close_ || !strerror_) {
            dlclose(lib_);
            throw std::runtime_error("libmaxminddb.so.0 lacks the MMDB_* functions pathmap needs");
        }
        if (int rc = open_(path.c_str(), MMDB_MODE_MMAP, &db_); rc != MMDB_SUCCESS) {
            std::string msg = strerror_(rc);
            dlclose(lib_);
            throw std::runtime_error("cannot open GeoDB " + path + ": " + msg);
        }
    }
    ~MaxMindGeoDb() override
    {
        close_(&db_);
        dlclose(lib_);
    }
    MaxMindGeoDb(const MaxMindGeoDb &) = delete;
    MaxMindGeoDb &operator=(const MaxMindGeoDb &) = delete;

    std::optional<Location> lookup(uint32_t a) const override
    {
        const std::string ip = format_ipv4(a);
        int gai = 0, err = 0;
        MMDB_lookup_result_s r = lookup_(&db_, ip.c_str(), &gai, &err);
        if (gai != 0 || err != MMDB_SUCCESS || !r.found_entry) return std::nullopt;
        Location loc;
        MMDB_entry_data_s d{};
        if (get_value_(&r.entry, &d, "city", "names", "en", nullptr) == MMDB_SUCCESS && d.has_data &&
            d.type == MMDB_DATA_TYPE_UTF8_STRING)
            loc.city.assign(d.utf8_string, d.data_size);
        if (get_value_(&r.entry, &d, "country", "iso_code", nullptr) == MMDB_SUCCESS && d.has_data &&
            d.type == MMDB_DATA_TYPE_UTF8_STRING)
            loc.country.assign(d.utf8_string, d.data_size);
        bool have_lat = get_value_(&r.entry, &d, "location", "latitude", nullptr) == MMDB_SUCCESS &&
                        d.has_data && d.type == MMDB_DATA_TYPE_DOUBLE;
        if (have_lat) loc.lat = d.double_value;
        bool have_lon = get_value_(&r.entry, &d, "location", "longitude", nullptr) == MMDB_SUCCESS &&
                        d.has_data && d.type == MMDB_DATA_TYPE_DOUBLE;
        if (have_lon) loc.lon = d.double_value;
        if (loc.city.empty()) return std::nullopt; // country-level answers carry no city
        if (!(have_lat && have_lon) && !(gz_ && gz_->resolve(loc))) return std::nullopt;
        return loc;
    }

  private:
    const Gazetteer *gz_;
    void *lib_ = nullptr;
    mutable MMDB_s db_{};
    int (*open_)(const char *, uint32_t, MMDB_s *) = nullptr;
    MMDB_lookup_result_s (*lookup_)(const MMDB_s *, const char *, int *, int *) = nullptr;
    int (*get_value_)(MMDB_entry_s *, MMDB_entry_data_s *, ...) = nullptr;
    void (*close_)(MMDB_s *) = nullptr;
    const char *(*strerror_)(int) = nullptr;
};
#endif

bool ends_with(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

std::unique_ptr<GeoDb> GeoDb::open(const std::string &path, const Gazetteer *gz)
{
    if (ends_with(path, ".mmdb")) {
#ifdef PATHMAP_HAVE_MAXMINDDB_H
        return std::make_unique<MaxMindGeoDb>(path, gz);
#else
        throw std::runtime_error("this pathmap was built without libmaxminddb-dev; convert " + path +
                                 " to CSV (prefix,city,country,lat,lon)");
#endif
    }
    return std::make_unique<CsvGeoDb>(PrefixLocations::load_csv(path, PrefixLocations::Format::geodb, gz));
}

} // namespace pathmap::geo
