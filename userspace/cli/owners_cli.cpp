// own_trace_hops over graph::LocationDb.
#include "userspace/cli/owners_cli.h"

#include <memory>

#include <CLI/CLI.hpp>

#include "graph/location_db.h"
#include "graph/rules.h"
#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/cli/commands.h"

namespace pathmap::cli {

void add_location_options(CLI::App &cmd, LocationOptions &o, const char *what)
{
    cmd.add_option("--location-db", o.path,
                   std::string("libloc location database for the AS number, AS name and country of ") + what +
                       ", offline (IPFire location data, CC BY-SA 4.0)")
        ->capture_default_str();
    cmd.add_flag("--no-location", o.off, "No AS or country lookups");
}

nlohmann::json own_trace_hops(std::vector<Trace> &traces, const LocationOptions &o)
{
    const std::string db_path = o.selected();
    const bool default_path = o.is_default();
    if (db_path.empty()) return {{"database", nullptr}};
    std::unique_ptr<graph::LocationDb> db;
    try {
        db = std::make_unique<graph::LocationDb>(db_path);
    } catch (const graph::LocationDbError &e) {
        if (!default_path) throw UsageError(e.what());
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
            if (auto o = db->lookup(*a)) {
                h.asn = o->asn;
                if (!o->as_name.empty()) h.as_name = o->as_name;
                if (!o->country.empty()) h.country = o->country;
                with_asn += o->asn != 0;
            }
        }
    return {{"database", db_path}, {"public_hops", public_hops}, {"hops_with_asn", with_asn}};
}

} // namespace pathmap::cli
