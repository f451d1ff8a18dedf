// Telling an ASN database's format by its bytes, the pfx2as source (over
// PrefixTable), and the one opener that picks a source.
#include "graph/asn_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include "graph/prefix_table.h"

namespace pathmap::graph
{

namespace
{

class Pfx2asSource final : public AsnSource
{
  public:
    explicit Pfx2asSource(PrefixTable t) : table_(std::move(t)) {}
    std::optional<AddressOwner> lookup(uint32_t addr) const override
    {
        auto e = table_.lookup(addr);
        if (!e) return std::nullopt;
        return AddressOwner{.asn = e->asn}; // pfx2as names no AS and no country
    }

  private:
    PrefixTable table_;
};

std::string where(const std::filesystem::path &file) { return "ASN database " + file.string(); }

} // namespace

const char *to_string(AsnDbFormat f)
{
    switch (f) {
    case AsnDbFormat::libloc:
        return "libloc";
    case AsnDbFormat::mmdb:
        return "mmdb";
    case AsnDbFormat::pfx2as:
        return "pfx2as";
    }
    return "?";
}

AsnDbFormat detect_asn_db_format(const std::filesystem::path &file)
{
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) throw LocationDbError(where(file) + ": is a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw LocationDbError(where(file) + ": " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size <= 0) throw LocationDbError(where(file) + ": empty file");
    in.seekg(0);
    std::vector<char> head(static_cast<size_t>(std::min<std::streamoff>(size, 4096)));
    if (!in.read(head.data(), static_cast<std::streamsize>(head.size())))
        throw LocationDbError(where(file) + ": cannot read");
    const std::string_view h(head.data(), head.size());
    if (h.starts_with("LOCDBXX")) return AsnDbFormat::libloc;

    // The MaxMind DB spec puts the metadata, after this marker, in the last 128 KiB.
    static constexpr std::string_view kMarker("\xab\xcd\xefMaxMind.com");
    const std::streamoff tail_len = std::min<std::streamoff>(size, 128 * 1024);
    std::vector<char> tail(static_cast<size_t>(tail_len));
    in.seekg(size - tail_len);
    if (!in.read(tail.data(), static_cast<std::streamsize>(tail.size())))
        throw LocationDbError(where(file) + ": cannot read");
    if (std::string_view(tail.data(), tail.size()).find(kMarker) != std::string_view::npos)
        return AsnDbFormat::mmdb;

    if (h.find('\0') != std::string_view::npos)
        throw LocationDbError(where(file) + ": not an ASN .mmdb, a libloc database or a pfx2as text table");
    return AsnDbFormat::pfx2as;
}

std::unique_ptr<AsnSource> open_pfx2as_source(const std::filesystem::path &file)
{
    PrefixTable t;
    try {
        t = PrefixTable::load_pfx2as(file);
    } catch (const std::runtime_error &e) {
        throw LocationDbError(std::string("ASN database ") + e.what()); // "FILE:LINE: what"
    }
    if (t.size() == 0) throw LocationDbError(where(file) + ": no prefix lines (pfx2as: 'prefix length asn')");
    return std::make_unique<Pfx2asSource>(std::move(t));
}

std::unique_ptr<AsnSource> open_asn_source(const std::filesystem::path &file, AsnDbFormat *format)
{
    const AsnDbFormat f = detect_asn_db_format(file);
    if (format) *format = f;
    switch (f) {
    case AsnDbFormat::libloc:
        return open_libloc_source(file);
    case AsnDbFormat::mmdb:
        return open_mmdb_source(file);
    case AsnDbFormat::pfx2as:
        break;
    }
    return open_pfx2as_source(file);
}

} // namespace pathmap::graph
