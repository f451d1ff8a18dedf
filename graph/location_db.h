// Who owns an address, offline: AS number, AS name and country. By default
// from the system location database (libloc, IPFire's location database as
// Debian's libloc-database ships it; data CC BY-SA 4.0); or from any file
// graph/asn_source.h reads (an ASN .mmdb, a pfx2as table, another libloc
// database), told apart by content. No network access. Sweep, graph and mtr
// all ask through this class, so one lookup logic serves them all.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/asn_source.h"

namespace pathmap::graph {

class LocationDb {
public:
    static constexpr const char *kSystemPath = "/usr/share/libloc-location/location.db";
    // Throws LocationDbError with one line naming the file (missing,
    // unreadable, no database pathmap reads, a bad pfx2as line).
    explicit LocationDb(const std::filesystem::path &file = kSystemPath);
    // As above; when `file` gives no country for a network (a pfx2as table,
    // an ASN-only .mmdb), the country comes from `country_file` (normally
    // the system libloc database), if that opens. A country_file that does
    // not open is no error: the answers just carry no country.
    LocationDb(const std::filesystem::path &file, const std::filesystem::path &country_file);
    ~LocationDb();
    LocationDb(const LocationDb &) = delete;
    LocationDb &operator=(const LocationDb &) = delete;

    // Host-order IPv4 address; nullptr when the database has no network for
    // it. The pointer stays valid as long as this LocationDb. Answers are
    // remembered per address (up to kMemoAddresses of them), so the
    // interfaces a run meets again and again cost one probe of a flat table
    // (~15 M/s); libloc itself answers 0.27-0.36 M distinct addresses a
    // second (docs/BENCHMARKS.md, "Names and owners"). Not per /24: libloc
    // holds networks longer than /24. Not thread-safe.
    const AddressOwner *find(uint32_t addr) const;
    std::optional<AddressOwner> lookup(uint32_t addr) const
    {
        const AddressOwner *o = find(addr);
        return o ? std::optional<AddressOwner>(*o) : std::nullopt;
    }
    const std::filesystem::path &path() const { return path_; }
    AsnDbFormat format() const { return format_; }
    std::string license() const { return source_->license(); }
    // The database countries come from when `path()` has none; empty if none.
    const std::filesystem::path &country_path() const { return country_path_; }

    static constexpr size_t kMemoAddresses = size_t{1} << 20;

private:
    std::filesystem::path path_;
    std::filesystem::path country_path_;
    AsnDbFormat format_ = AsnDbFormat::libloc;
    std::unique_ptr<AsnSource> source_;
    std::unique_ptr<AsnSource> country_source_; // may be null
    // The memo: open addressing, linear probing, a power-of-two table kept
    // at most half full. A slot is (address << 32) | (owners_ index + 2);
    // 0 = empty, index + 2 == 1 = "no owner".
    mutable std::vector<uint64_t> memo_;
    mutable size_t memo_used_ = 0;
    mutable std::deque<AddressOwner> owners_; // distinct answers; a deque keeps find()'s pointers
    mutable std::unordered_map<std::string, uint32_t> owner_index_;
    void memo_insert(uint64_t slot) const;
};

} // namespace pathmap::graph
