// libloc behind LocationDb: a v4-mapped lookup per address, AS names cached.
#include "graph/location_db.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

extern "C" {
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
}

namespace pathmap::graph {

LocationDb::LocationDb(const std::filesystem::path &file) : path_(file)
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
}

LocationDb::~LocationDb()
{
    if (db_) loc_database_unref(db_);
    if (ctx_) loc_unref(ctx_);
}

std::string LocationDb::license() const
{
    const char *l = loc_database_get_license(db_);
    return l ? l : "";
}

std::optional<AddressOwner> LocationDb::lookup(uint32_t addr) const
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

} // namespace pathmap::graph
