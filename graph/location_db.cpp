// libloc as an AsnSource (a v4-mapped lookup per address, AS names cached),
// and LocationDb: the source a file's content selects, answers memoised.
#include "graph/location_db.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>

extern "C" {
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
}

namespace pathmap::graph {

namespace {

class LiblocSource final : public AsnSource {
public:
    explicit LiblocSource(const std::filesystem::path &file)
    {
        FILE *f = std::fopen(file.c_str(), "r");
        if (!f) throw LocationDbError("location database " + file.string() + ": " + std::strerror(errno));
        if (loc_new(&ctx_) < 0) {
            std::fclose(f);
            throw LocationDbError("location database: cannot set up libloc");
        }
        const int rc = loc_database_new(ctx_, &db_, f);
        std::fclose(f); // libloc maps what it needs
        if (rc < 0 || !db_) {
            loc_unref(ctx_);
            ctx_ = nullptr;
            throw LocationDbError("location database " + file.string() + ": not a libloc database");
        }
        // libloc takes a bare "LOCDBXX" header for a database with nothing in it.
        if (loc_database_created_at(db_) == 0) {
            loc_database_unref(db_);
            loc_unref(ctx_);
            db_ = nullptr;
            ctx_ = nullptr;
            throw LocationDbError("location database " + file.string() + ": an empty or damaged libloc database");
        }
    }
    ~LiblocSource() override
    {
        if (db_) loc_database_unref(db_);
        if (ctx_) loc_unref(ctx_);
    }
    LiblocSource(const LiblocSource &) = delete;
    LiblocSource &operator=(const LiblocSource &) = delete;

    std::string license() const override
    {
        const char *l = loc_database_get_license(db_);
        return l ? l : "";
    }

    std::optional<AddressOwner> lookup(uint32_t addr) const override
    {
        in6_addr a{};
        a.s6_addr[10] = a.s6_addr[11] = 0xff; // ::ffff:a.b.c.d, how libloc stores IPv4
        const uint32_t be = htonl(addr);
        std::memcpy(&a.s6_addr[12], &be, 4);
        loc_network *net = nullptr;
        if (loc_database_lookup(db_, &a, &net) != 0 || !net) return std::nullopt;
        AddressOwner o;
        o.asn = loc_network_get_asn(net);
        if (const char *cc = loc_network_get_country_code(net)) o.country = cc;
        loc_network_unref(net);
        if (o.asn) {
            auto it = as_names_.find(static_cast<uint32_t>(o.asn));
            if (it == as_names_.end()) {
                std::string name;
                loc_as *as = nullptr;
                if (loc_database_get_as(db_, &as, static_cast<uint32_t>(o.asn)) == 0 && as) {
                    if (const char *n = loc_as_get_name(as)) name = n;
                    loc_as_unref(as);
                }
                it = as_names_.emplace(static_cast<uint32_t>(o.asn), std::move(name)).first;
            }
            o.as_name = it->second;
        }
        if (o.asn == 0 && o.country.empty()) return std::nullopt;
        return o;
    }

private:
    loc_ctx *ctx_ = nullptr;
    loc_database *db_ = nullptr;
    mutable std::unordered_map<uint32_t, std::string> as_names_; // ASN -> name
};

} // namespace

std::unique_ptr<AsnSource> open_libloc_source(const std::filesystem::path &file)
{
    return std::make_unique<LiblocSource>(file);
}

LocationDb::LocationDb(const std::filesystem::path &file) : path_(file), source_(open_asn_source(file, &format_)) {}

LocationDb::LocationDb(const std::filesystem::path &file, const std::filesystem::path &country_file)
    : LocationDb(file)
{
    if (country_file.empty() || format_ == AsnDbFormat::libloc) return; // libloc has countries
    std::error_code ec;
    if (std::filesystem::equivalent(file, country_file, ec)) return;
    try {
        country_source_ = open_asn_source(country_file);
        country_path_ = country_file;
    } catch (const LocationDbError &) {
        // No fallback database: answers carry what `file` has.
    }
}

LocationDb::~LocationDb() = default;

namespace {
// murmur3's finalizer: every address bit reaches the low bits the mask keeps.
size_t memo_hash(uint32_t h, size_t mask)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h & mask;
}
} // namespace

void LocationDb::memo_insert(uint64_t slot) const
{
    if (memo_.empty() || 2 * (memo_used_ + 1) > memo_.size()) {
        std::vector<uint64_t> old(std::max<size_t>(1024, memo_.size() * 2), 0);
        old.swap(memo_);
        memo_used_ = 0;
        for (uint64_t s : old)
            if (s) memo_insert(s);
    }
    const size_t mask = memo_.size() - 1;
    for (size_t i = memo_hash(static_cast<uint32_t>(slot >> 32), mask);; i = (i + 1) & mask)
        if (!memo_[i]) {
            memo_[i] = slot;
            ++memo_used_;
            return;
        }
}

const AddressOwner *LocationDb::find(uint32_t addr) const
{
    if (!memo_.empty()) {
        const size_t mask = memo_.size() - 1;
        for (size_t i = memo_hash(addr, mask); memo_[i]; i = (i + 1) & mask)
            if (static_cast<uint32_t>(memo_[i] >> 32) == addr) {
                const uint32_t v = static_cast<uint32_t>(memo_[i]);
                return v == 1 ? nullptr : &owners_[v - 2];
            }
    }
    uint32_t v = 1;
    std::optional<AddressOwner> o = source_->lookup(addr);
    if (country_source_ && (!o || o->country.empty()))
        if (std::optional<AddressOwner> c = country_source_->lookup(addr); c && !c->country.empty()) {
            if (!o) o.emplace();
            o->country = std::move(c->country);
        }
    if (o) {
        std::string key = std::to_string(o->asn) + '\x1f' + o->country + '\x1f' + o->as_name;
        auto [it, fresh] = owner_index_.try_emplace(std::move(key), static_cast<uint32_t>(owners_.size()));
        if (fresh) owners_.push_back(std::move(*o));
        v = it->second + 2;
    }
    if (memo_used_ < kMemoAddresses) memo_insert(uint64_t{addr} << 32 | v);
    return v == 1 ? nullptr : &owners_[v - 2];
}

} // namespace pathmap::graph
