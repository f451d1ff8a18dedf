// Who owns an address, behind one small interface, from whichever offline
// database the user has: the system's libloc database (the default), a
// MaxMind/IPinfo-style ASN .mmdb, or a CAIDA prefix-to-AS table. The kind of
// a file is told by its content, never by its name. LocationDb
// (graph/location_db.h) opens one and caches its answers; sweep, graph and
// mtr all ask through it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace pathmap::graph
{

struct AddressOwner {
    int64_t asn = 0;     // 0 = none
    std::string as_name; // "" = unknown (a pfx2as table has none)
    std::string country; // ISO 3166 alpha-2, "" = none
    bool operator==(const AddressOwner &) const = default;
};

// One line naming the file: missing, unreadable, not a database of any kind
// pathmap reads, a bad pfx2as line.
struct LocationDbError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class AsnSource
{
  public:
    virtual ~AsnSource() = default;
    // Host-order IPv4 address; nullopt when the source knows no network for it.
    virtual std::optional<AddressOwner> lookup(uint32_t addr) const = 0;
    virtual std::string license() const { return ""; }
};

enum class AsnDbFormat { libloc, mmdb, pfx2as };
const char *to_string(AsnDbFormat f);

// libloc: the file starts with "LOCDBXX"; mmdb: MaxMind's metadata marker
// "\xab\xcd\xefMaxMind.com" in the last 128 KiB (where the format puts it);
// pfx2as: text (no NUL byte in the first 4 KiB). Throws LocationDbError when
// the file cannot be read or is none of these.
AsnDbFormat detect_asn_db_format(const std::filesystem::path &file);

// Each throws LocationDbError naming the file.
std::unique_ptr<AsnSource> open_libloc_source(const std::filesystem::path &file); // location_db.cpp
std::unique_ptr<AsnSource> open_mmdb_source(const std::filesystem::path &file);   // asn_mmdb.cpp
std::unique_ptr<AsnSource> open_pfx2as_source(const std::filesystem::path &file); // asn_source.cpp
// Detects the format and opens the matching source.
std::unique_ptr<AsnSource> open_asn_source(const std::filesystem::path &file, AsnDbFormat *format = nullptr);

} // namespace pathmap::graph
