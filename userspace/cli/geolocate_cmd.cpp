// pathmap geolocate: place every hop of each trace on the map with a
// per-hop posterior and a path confidence (PCS); writes DIR/geolocated.jsonl.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "graph/geo/evidence_sources.h"
#include "graph/geo/gazetteer.h"
#include "graph/geo/geo_json.h"
#include "graph/geo/geo_result_writer.h"
#include "graph/geo/path_geolocator.h"
#include "graph/geo/probe_locations.h"
#include "graph/geo_input.h"
#include "graph/input_formats.h"
#include "graph/rules.h"
#include "pathmap/ipv4.h"
#include "pathmap/log.h"
#include "userspace/cli/commands.h"
#include "userspace/cli/owners_cli.h"
#include "userspace/cli/rdns_cli.h"

namespace pathmap::cli
{
namespace
{

struct GeolocateOptions {
    std::string input;
    std::string format = "auto";
    std::string out_dir;
    std::string vantage;
    std::string dst_anchor;
    std::string geodb;
    std::string geofeed;
    std::string ixp;
    std::string priors;
    std::string probes; // --probes: vantage per Atlas probe
    LocationOptions location; // registry countries (evidence in the model)
    RdnsOptions rdns;         // --rdns: names for hops without one (hostname hints)
    unsigned threads = 2;
    bool no_candidates = false; // --no-candidates: hops without their candidate lists
};

// --rdns: reverse DNS names for the answering hops that came without one.
nlohmann::json add_names(std::vector<geo::GeoTrace> &traces, const RdnsOptions &o)
{
    if (o.mode.empty()) return {{"mode", "none"}};
    std::unordered_map<uint32_t, std::vector<geo::GeoHop *>> wanted;
    for (geo::GeoTrace &t : traces)
        for (geo::GeoHop &h : t.hops)
            if (!h.rdns)
                if (const auto a = parse_ipv4(h.addr)) wanted[*a].push_back(&h);
    nlohmann::json summary =
        resolve_names_for(wanted, o, [](geo::GeoHop *h, const std::string &name) { h->rdns = name; });
    log::info("reverse DNS: {} of {} addresses named", summary.value("answered", 0), wanted.size());
    summary["mode"] = "on";
    return summary;
}

// Registry countries for the public hops that came without one: the
// location database's answer is evidence (a city outside it is penalised).
// Returns summary.json's "location".
nlohmann::json add_registry_countries(std::vector<geo::GeoTrace> &traces, const LocationOptions &o)
{
    std::unique_ptr<graph::LocationDb> db = open_location_db(o);
    size_t public_hops = 0, given = 0, looked_up = 0;
    for (geo::GeoTrace &t : traces)
        for (geo::GeoHop &h : t.hops) {
            const auto a = parse_ipv4(h.addr);
            if (!a || graph::classify_address(*a) != graph::AddrClass::public_) continue;
            ++public_hops;
            if (h.evidence.registry_country) {
                ++given;
                continue;
            }
            if (!db) continue;
            if (const graph::AddressOwner *own = db->find(*a); own && !own->country.empty()) {
                h.evidence.registry_country = own->country;
                ++looked_up;
            }
        }
    if (public_hops) log::info("registry country: {} of {} public hops ({} from the input, {} from {})", given + looked_up,
                               public_hops, given, looked_up, db ? db->path().string() : std::string("no database"));
    return {{"database", db ? nlohmann::json(db->path().string()) : nlohmann::json(nullptr)},
            {"public_hops", public_hops},
            {"country_given", given},
            {"country_looked_up", looked_up}};
}

std::optional<double> parse_double(std::string_view s)
{
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// A point given by coordinates, named after the gazetteer city it lies in
// (within geo::kSameCityKm), so output and same-city tests see a city.
geo::Location near_city(geo::Location loc, const geo::Gazetteer &gz)
{
    if (const geo::City *c = gz.nearest(loc.lat, loc.lon, geo::kSameCityKm)) {
        loc.city = c->loc.city;
        loc.country = c->loc.country;
    }
    return loc;
}

// --probes: each trace measured by a listed probe starts there. Returns
// summary.json's "vantage" counts.
nlohmann::json anchor_probes(std::vector<geo::GeoTrace> &traces, const std::string &file, const geo::Gazetteer &gz,
                             bool have_vantage)
{
    size_t from_probe = 0, unlisted = 0, no_id = 0;
    if (!file.empty()) {
        const geo::ProbeLocations probes = geo::ProbeLocations::load(file);
        std::unordered_map<std::string, std::optional<geo::Location>> named;
        for (geo::GeoTrace &t : traces) {
            if (t.src_anchor) continue; // an annotated trace's own anchor wins
            if (t.vantage_id.empty()) {
                ++no_id;
                continue;
            }
            auto [it, fresh] = named.try_emplace(t.vantage_id);
            if (fresh)
                if (auto loc = probes.find(t.vantage_id)) it->second = near_city(*loc, gz);
            if (it->second) {
                t.src_anchor = it->second;
                ++from_probe;
            } else {
                ++unlisted;
            }
        }
        log::info("--probes {}: {} probes; {} traces start at their probe, {} from probes it does not list{}", file,
                  probes.size(), from_probe, unlisted,
                  no_id ? fmt::format(", {} name no probe", no_id) : std::string());
    }
    size_t unknown = 0;
    for (const geo::GeoTrace &t : traces)
        unknown += !t.src_anchor && !have_vantage;
    if (unknown)
        log::warn("{} of {} traces have no known vantage: their first hops are constrained only by their neighbours "
                  "(give --vantage, or --probes for RIPE Atlas results)",
                  unknown, traces.size());
    return {{"from_probes", from_probe}, {"probes_unlisted", unlisted}, {"unknown", unknown}};
}

// "Zurich", "Zurich,CH" or "47.37,8.55".
geo::Location parse_place(const std::string &arg, const std::string &flag, const geo::Gazetteer &gz)
{
    const size_t comma = arg.find(',');
    if (comma != std::string::npos) {
        auto lat = parse_double(std::string_view(arg).substr(0, comma));
        auto lon = parse_double(std::string_view(arg).substr(comma + 1));
        if (lat && lon) {
            if (std::abs(*lat) > 90 || std::abs(*lon) > 180)
                throw UsageError(flag + " " + arg + ": coordinates out of range");
            return near_city(geo::Location{.city = "", .country = "", .lat = *lat, .lon = *lon}, gz);
        }
    }
    const std::string city = arg.substr(0, comma);
    const std::string country = comma == std::string::npos ? "" : arg.substr(comma + 1);
    const geo::City *c = gz.find(city, country);
    if (!c) throw UsageError(flag + " " + arg + ": unknown city (give LAT,LON instead)");
    return c->loc;
}

void run_geolocate(const GeolocateOptions &o)
{
    const geo::Gazetteer gz = geo::Gazetteer::load_default();
    geo::GeoContext ctx{.gazetteer = &gz};
    if (!o.vantage.empty()) ctx.vantage = parse_place(o.vantage, "--vantage", gz);
    if (!o.dst_anchor.empty()) ctx.dst_anchor = parse_place(o.dst_anchor, "--dst-anchor", gz);

    std::unique_ptr<geo::GeoDb> geodb;
    std::optional<geo::PrefixLocations> geofeed, ixp;
    std::optional<geo::LatencyPriors> priors;
    if (!o.geodb.empty()) ctx.geodb = (geodb = geo::GeoDb::open(o.geodb, &gz)).get();
    if (!o.geofeed.empty())
        ctx.geofeed = &geofeed.emplace(
            geo::PrefixLocations::load_csv(o.geofeed, geo::PrefixLocations::Format::geofeed, &gz));
    if (!o.ixp.empty())
        ctx.ixp = &ixp.emplace(geo::PrefixLocations::load_csv(o.ixp, geo::PrefixLocations::Format::ixp, &gz));
    if (!o.priors.empty()) {
        const geo::ModelParams &p = ctx.params;
        ctx.priors =
            &priors.emplace(geo::LatencyPriors::load_csv(o.priors, {.bin_ms = p.prior_bin_ms,
                                                                    .smooth_bins = p.prior_smooth_bins,
                                                                    .trust_samples = p.prior_trust_samples,
                                                                    .max_weight = p.prior_max_weight}));
    }

    const auto format = graph::parse_input_format(o.format);
    if (!format) throw UsageError("--format " + o.format + ": not one of " + graph::input_format_names());
    std::vector<geo::GeoTrace> traces;
    try {
        traces = graph::read_geo_traces(o.input, *format);
    } catch (const geo::GeoInputError &e) {
        throw UsageError(e.what());
    } catch (const graph::InputError &e) {
        throw UsageError(e.what());
    }
    if (traces.empty()) throw UsageError(o.input + ": no IPv4 traces to geolocate");
    nlohmann::json vantage;
    try {
        vantage = anchor_probes(traces, o.probes, gz, ctx.vantage.has_value());
    } catch (const geo::GeoInputError &e) {
        throw UsageError(e.what());
    }
    const nlohmann::json rdns = add_names(traces, o.rdns);
    const nlohmann::json location = add_registry_countries(traces, o.location);

    const geo::PathGeolocator locator(ctx);
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) throw std::runtime_error("cannot create " + o.out_dir + ": " + ec.message());
    const std::string path = (std::filesystem::path(o.out_dir) / "geolocated.jsonl").string();
    std::ofstream out(path);
    if (!out) throw std::runtime_error("cannot write " + path);
    size_t flagged = 0;
    geo::PlacementCounts counts;
    // Decoded and written a chunk at a time: a result keeps every hop's
    // candidates, and 413,354 Atlas traces held at once took 18 GiB.
    constexpr size_t kChunk = 8192;
    std::vector<geo::GeoResult> results;
    std::string line_buf; // a chunk's lines, one write each
    const unsigned nthreads =
        std::max(1u, std::min<unsigned>(o.threads, static_cast<unsigned>(std::min(traces.size(), kChunk))));
    for (size_t first = 0; first < traces.size(); first += kChunk) {
        const size_t n = std::min(kChunk, traces.size() - first);
        results.assign(n, {});
        {
            std::vector<std::jthread> workers;
            for (unsigned w = 0; w < nthreads; ++w)
                workers.emplace_back([&, w] {
                    for (size_t i = w; i < n; i += nthreads)
                        results[i] = locator.locate(traces[first + i]);
                });
        }
        line_buf.clear();
        for (size_t i = 0; i < n; ++i) {
            const geo::GeoResult &r = results[i];
            geo::append_result_line(line_buf, r, traces[first + i].vantage_id, !o.no_candidates);
            flagged += !r.flagged_segments.empty();
            counts.add(r);
        }
        out.write(line_buf.data(), static_cast<std::streamsize>(line_buf.size()));
    }
    const size_t decoded = traces.size();
    out.flush();
    if (!out) throw std::runtime_error("write to " + path + " failed");
    log::info("geolocated {} traces ({} with flagged segments) -> {}", decoded, flagged, path);
    log::info("hops: {} placed ({} only to a country), {} silent, {} answering with no evidence, {} with no RTT, {} "
              "placed only out of light's reach{}",
              counts.placed, counts.country_level, counts.silent, counts.no_evidence, counts.no_rtt, counts.infeasible,
              counts.placed == 0 && counts.no_evidence > 0
                  ? " (no hop had any: give --geodb, --ixp, --geofeed, --vantage, or traces with rDNS names)"
                  : "");
    const nlohmann::json summary = {{"traces", decoded},
                                    {"traces_flagged", flagged},
                                    {"hops_placed", counts.placed},
                                    {"hops_country_level", counts.country_level},
                                    {"hops_unplaced",
                                     {{"silent", counts.silent},
                                      {"no_evidence", counts.no_evidence},
                                      {"no_rtt", counts.no_rtt},
                                      {"infeasible", counts.infeasible}}},
                                    {"location", location},
                                    {"vantage", vantage},
                                    {"rdns", rdns}};
    const std::string summary_path = (std::filesystem::path(o.out_dir) / "summary.json").string();
    std::ofstream sf(summary_path);
    sf << summary.dump(2) << '\n';
    sf.flush();
    if (!sf) throw std::runtime_error("write to " + summary_path + " failed");
}

} // namespace

void add_geolocate_command(CLI::App &app)
{
    auto opts = std::make_shared<GeolocateOptions>();
    CLI::App *cmd = app.add_subcommand(
        "geolocate",
        "Place each hop on the map with a posterior, and score how far to trust each path (PCS)");
    cmd->add_option("INPUT", opts->input,
                    "Traces in any format `pathmap graph` reads (pathmap traces.jsonl, scamper JSON, RIPE Atlas, mtr "
                    "--json, traceroute/tracepath text), or annotated-trace JSON lines (docs/GEOLOCATION.md)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--format", opts->format, std::string("Input format: ") + graph::input_format_names())
        ->capture_default_str();
    cmd->add_option("-o,--out", opts->out_dir, "Output directory (geolocated.jsonl goes there)")->required();
    cmd->add_option("--vantage", opts->vantage, "Where the traces start: CITY, CITY,CC or LAT,LON");
    cmd->add_option("--dst-anchor", opts->dst_anchor, "Where the destinations are: CITY, CITY,CC or LAT,LON");
    cmd->add_option("--geodb", opts->geodb, "GeoDB: .mmdb (MaxMind) or CSV prefix,city,country[,lat,lon]")
        ->check(CLI::ExistingFile);
    cmd->add_option("--geofeed", opts->geofeed, "RFC 8805 geofeed CSV")->check(CLI::ExistingFile);
    cmd->add_option("--ixp", opts->ixp, "IXP prefixes CSV: prefix,ixp_name,city,country[,lat,lon]")
        ->check(CLI::ExistingFile);
    cmd->add_option("--probes", opts->probes,
                    "Where each RIPE Atlas probe stands, so every result starts at its own probe: CSV "
                    "prb_id,lat,lon[,country] or Atlas probe archive JSON (id, geometry.coordinates, country_code)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--priors", opts->priors, "Country-pair RTT samples CSV: CC_A,CC_B,rtt_ms")
        ->check(CLI::ExistingFile);
    add_geolocate_rdns_options(*cmd, opts->rdns);
    add_location_options(*cmd, opts->location,
                         "each public hop; its registry country is evidence (a city outside it is penalised, not "
                         "excluded)");
    cmd->add_flag("--no-candidates", opts->no_candidates,
                  "Leave each hop's candidate list out of geolocated.jsonl (its city, sources, posterior and reason "
                  "stay): the lists are most of the file, 8 KB per trace on RIPE Atlas results");
    cmd->add_option("--threads", opts->threads, "Decoding threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    cmd->callback([opts] { run_geolocate(*opts); });
}

} // namespace pathmap::cli
