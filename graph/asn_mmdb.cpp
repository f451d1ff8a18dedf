// The ASN .mmdb source over libmaxminddb (linked through pkg-config). Reads
// the record layouts of the common free ASN databases:
//   MaxMind GeoLite2/GeoIP2-ASN: autonomous_system_number (uint),
//                                autonomous_system_organization;
//   IPinfo Lite:   asn ("AS15169"), as_name, country_code;
//   IPinfo ASN:    asn ("AS15169"), name;
//   IPinfo Country+ASN: asn, as_name, country (alpha-2).
// A country may also be MaxMind's country.iso_code map.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

#include <maxminddb.h>

#include "graph/asn_source.h"

namespace pathmap::graph
{

namespace
{

std::optional<std::string> string_at(MMDB_entry_s &entry, const char *const *path)
{
    MMDB_entry_data_s d{};
    if (MMDB_aget_value(&entry, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return std::nullopt;
    return std::string(d.utf8_string, d.data_size);
}

// "AS15169", "15169" or a number; 0 when absent or not an AS number.
int64_t asn_at(MMDB_entry_s &entry, const char *const *path)
{
    MMDB_entry_data_s d{};
    if (MMDB_aget_value(&entry, &d, path) != MMDB_SUCCESS || !d.has_data) return 0;
    switch (d.type) {
    case MMDB_DATA_TYPE_UINT16:
        return d.uint16;
    case MMDB_DATA_TYPE_UINT32:
        return d.uint32;
    case MMDB_DATA_TYPE_UINT64:
        return d.uint64 <= UINT32_MAX ? static_cast<int64_t>(d.uint64) : 0;
    case MMDB_DATA_TYPE_INT32:
        return d.int32 > 0 ? d.int32 : 0;
    case MMDB_DATA_TYPE_UTF8_STRING: {
        std::string s(d.utf8_string, d.data_size);
        if (s.size() > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) s.erase(0, 2);
        if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return 0;
        const unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
        return v <= UINT32_MAX ? static_cast<int64_t>(v) : 0;
    }
    default:
        return 0;
    }
}

class MmdbAsnSource final : public AsnSource
{
  public:
    explicit MmdbAsnSource(const std::filesystem::path &file)
    {
        if (const int rc = MMDB_open(file.c_str(), MMDB_MODE_MMAP, &db_); rc != MMDB_SUCCESS)
            throw LocationDbError("ASN database " + file.string() +
                                  ": not a readable MaxMind DB (libmaxminddb: " + MMDB_strerror(rc) + ")");
    }
    ~MmdbAsnSource() override { MMDB_close(&db_); }
    MmdbAsnSource(const MmdbAsnSource &) = delete;
    MmdbAsnSource &operator=(const MmdbAsnSource &) = delete;

    std::optional<AddressOwner> lookup(uint32_t addr) const override
    {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(addr);
        int err = 0;
        MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db_, reinterpret_cast<const sockaddr *>(&sa), &err);
        if (err != MMDB_SUCCESS || !r.found_entry) return std::nullopt;
        static const char *const kMaxMindAsn[] = {"autonomous_system_number", nullptr};
        static const char *const kIpinfoAsn[] = {"asn", nullptr};
        static const char *const kNames[][2] = {
            {"autonomous_system_organization", nullptr}, {"as_name", nullptr}, {"name", nullptr}};
        static const char *const kCountries[][3] = {{"country_code", nullptr, nullptr},
                                                    {"country", nullptr, nullptr},
                                                    {"country", "iso_code", nullptr}};
        AddressOwner o;
        o.asn = asn_at(r.entry, kMaxMindAsn);
        if (o.asn == 0) o.asn = asn_at(r.entry, kIpinfoAsn);
        if (o.asn != 0)
            for (const auto &p : kNames)
                if (auto n = string_at(r.entry, p)) {
                    o.as_name = std::move(*n);
                    break;
                }
        for (const auto &p : kCountries)
            if (auto c = string_at(r.entry, p); c && c->size() == 2) { // IPinfo's "country" may be a name
                o.country = std::move(*c);
                break;
            }
        if (o.asn == 0 && o.country.empty()) return std::nullopt;
        return o;
    }

  private:
    mutable MMDB_s db_{};
};

} // namespace

std::unique_ptr<AsnSource> open_mmdb_source(const std::filesystem::path &file)
{
    return std::make_unique<MmdbAsnSource>(file);
}

} // namespace pathmap::graph
