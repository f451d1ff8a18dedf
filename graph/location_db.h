// Who owns an address, offline: AS number, AS name and country from the
// system location database (libloc, IPFire's location database as Debian's
// libloc-database ships it; data CC BY-SA 4.0). No network access.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>

struct loc_ctx;
struct loc_database;

namespace pathmap::graph {

struct AddressOwner {
    int64_t asn = 0;      // 0 = none
    std::string as_name;
    std::string country;  // ISO 3166 alpha-2, "" = none
};

struct LocationDbError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class LocationDb {
public:
    static constexpr const char *kSystemPath = "/usr/share/libloc-location/location.db";
    // Throws LocationDbError with one line naming the file (missing, not a
    // location database).
    explicit LocationDb(const std::filesystem::path &file = kSystemPath);
    ~LocationDb();
    LocationDb(const LocationDb &) = delete;
    LocationDb &operator=(const LocationDb &) = delete;

    // Host-order IPv4 address; nullopt when the database has no network for it.
    std::optional<AddressOwner> lookup(uint32_t addr) const;
    const std::filesystem::path &path() const { return path_; }
    std::string license() const;

private:
    std::filesystem::path path_;
    loc_ctx *ctx_ = nullptr;
    loc_database *db_ = nullptr;
    mutable std::unordered_map<uint32_t, std::string> as_names_; // ASN -> name
};

} // namespace pathmap::graph
