// own_trace_hops over graph::LocationDb, and the options that pick its file.
#include "userspace/cli/owners_cli.h"

#include <memory>

#include <CLI/CLI.hpp>

#include "graph/location_db.h"
#include "graph/rules.h"
#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/cli/commands.h"

namespace pathmap::cli {

CLI::Option *add_owner_source_options(CLI::App &cmd, LocationOptions &o, const char *what)
{
    cmd.add_option("--location-db", o.path,
                   std::string("libloc location database for the AS number, AS name and country of ") + what +
                       ", offline (IPFire location data, CC BY-SA 4.0)")
        ->capture_default_str();
    // No CLI::ExistingFile: an unreadable file is the database's one line and exit 1.
    return cmd.add_option("--asn-db", o.asn_db,
                          "AS numbers from FILE instead of the libloc database: a MaxMind/IPinfo-style ASN .mmdb or a "
                          "CAIDA pfx2as table (prefix, length, ASN per line), told apart by content; countries it lacks still "
                          "come from the libloc database")
        ->type_name("FILE");
}

void add_location_options(CLI::App &cmd, LocationOptions &o, const char *what)
{
    CLI::Option *asn_db = add_owner_source_options(cmd, o, what);
    cmd.add_flag("--no-location", o.off, "No AS or country lookups")->excludes(asn_db);
}

std::unique_ptr<graph::LocationDb> open_location_db(const LocationOptions &o)
{
    const std::string db_path = o.selected();
    if (db_path.empty()) return nullptr;
    try {
        return std::make_unique<graph::LocationDb>(db_path, o.country_fallback());
    } catch (const graph::LocationDbError &e) {
        if (!o.is_default()) throw;
        log::info("{}: no AS numbers or countries (scripts/setup.sh installs libloc-database)", e.what());
        return nullptr;
    }
}

nlohmann::json own_trace_hops(std::vector<Trace> &traces, const LocationOptions &o)
{
    const std::string db_path = o.selected();
    if (db_path.empty()) return {{"database", nullptr}};
    std::unique_ptr<graph::LocationDb> db;
    try {
        db = std::make_unique<graph::LocationDb>(db_path, o.country_fallback());
    } catch (const graph::LocationDbError &e) {
        if (!o.asn_db.empty()) throw;
        if (!o.is_default()) throw UsageError(e.what());
        log::info("{}: no AS numbers or countries (scripts/setup.sh installs libloc-database)", e.what());
        return {{"database", nullptr}, {"error", e.what()}};
    }
    uint64_t public_hops = 0, with_asn = 0;
    for (Trace &t : traces)
        for (Hop &h : t.hops) {
            if (h.addr.empty()) continue;
            const auto a = parse_ipv4(h.addr);
            if (!a || graph::classify_address(*a) != graph::AddrClass::public_) continue;
            ++public_hops;
            if (const graph::AddressOwner *own = db->find(*a)) {
                h.asn = own->asn;
                if (!own->as_name.empty()) h.as_name = own->as_name;
                if (!own->country.empty()) h.country = own->country;
                with_asn += own->asn != 0;
            }
        }
    return {{"database", db_path},
            {"country_database", db->country_path().empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(db->country_path().string())},
            {"format", graph::to_string(db->format())},
            {"public_hops", public_hops},
            {"hops_with_asn", with_asn}};
}

} // namespace pathmap::cli
