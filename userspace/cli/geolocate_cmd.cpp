// pathmap geolocate: place every hop of each trace on the map with a
// per-hop posterior and a path confidence (PCS); writes DIR/geolocated.jsonl.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
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
class RegistryCountries
{
  public:
    explicit RegistryCountries(const LocationOptions &o) : db_(open_location_db(o)) {}

    void add(std::vector<geo::GeoTrace> &traces)
    {
        for (geo::GeoTrace &t : traces)
            for (geo::GeoHop &h : t.hops) {
                const auto a = parse_ipv4(h.addr);
                if (!a || graph::classify_address(*a) != graph::AddrClass::public_) continue;
                ++public_hops_;
                if (h.evidence.registry_country) {
                    ++given_;
                    continue;
                }
                if (!db_) continue;
                if (const graph::AddressOwner *own = db_->find(*a); own && !own->country.empty()) {
                    h.evidence.registry_country = own->country;
                    ++looked_up_;
                }
            }
    }

    // Logs the counts; returns summary.json's "location".
    nlohmann::json finish() const
    {
        const std::string db = db_ ? db_->path().string() : std::string();
        if (public_hops_)
            log::info("registry country: {} of {} public hops ({} from the input, {} from {})", given_ + looked_up_,
                      public_hops_, given_, looked_up_, db_ ? db : std::string("no database"));
        return {{"database", db_ ? nlohmann::json(db) : nlohmann::json(nullptr)},
                {"public_hops", public_hops_},
                {"country_given", given_},
                {"country_looked_up", looked_up_}};
    }

  private:
    std::unique_ptr<graph::LocationDb> db_;
    size_t public_hops_ = 0, given_ = 0, looked_up_ = 0;
};

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

// --probes: each trace measured by a listed probe starts there.
class ProbeAnchors
{
  public:
    ProbeAnchors(const std::string &file, const geo::Gazetteer &gz, bool have_vantage)
        : file_(file), gz_(gz), have_vantage_(have_vantage)
    {
        if (!file.empty()) probes_ = geo::ProbeLocations::load(file);
    }

    void add(std::vector<geo::GeoTrace> &traces)
    {
        for (geo::GeoTrace &t : traces) {
            ++traces_;
            if (probes_ && !t.src_anchor) { // an annotated trace's own anchor wins
                if (t.vantage_id.empty()) {
                    ++no_id_;
                } else {
                    auto [it, fresh] = named_.try_emplace(t.vantage_id);
                    if (fresh)
                        if (auto loc = probes_->find(t.vantage_id)) it->second = near_city(*loc, gz_);
                    if (it->second) {
                        t.src_anchor = it->second;
                        ++from_probe_;
                    } else {
                        ++unlisted_;
                    }
                }
            }
            unknown_ += !t.src_anchor && !have_vantage_;
        }
    }

    // Logs the counts; returns summary.json's "vantage".
    nlohmann::json finish() const
    {
        if (probes_)
            log::info("--probes {}: {} probes; {} traces start at their probe, {} from probes it does not list{}", file_,
                      probes_->size(), from_probe_, unlisted_,
                      no_id_ ? fmt::format(", {} name no probe", no_id_) : std::string());
        if (unknown_)
            log::warn("{} of {} traces have no known vantage: their first hops are constrained only by their "
                      "neighbours (give --vantage, or --probes for RIPE Atlas results)",
                      unknown_, traces_);
        return {{"from_probes", from_probe_}, {"probes_unlisted", unlisted_}, {"unknown", unknown_}};
    }

  private:
    std::string file_;
    const geo::Gazetteer &gz_;
    bool have_vantage_;
    std::optional<geo::ProbeLocations> probes_;
    std::unordered_map<std::string, std::optional<geo::Location>> named_;
    size_t traces_ = 0, from_probe_ = 0, unlisted_ = 0, no_id_ = 0, unknown_ = 0;
};

// Decodes chunks of traces on `threads` threads, each worker taking a block
// of the chunk and writing its lines into its own buffer; the buffers are
// written in order by a writer thread while the next chunk is read and
// decoded. A result keeps every hop's candidates (413,354 Atlas traces held
// at once took 18 GiB), and the lines of one thread alone were a quarter of
// the time.
class ChunkDecoder
{
  public:
    ChunkDecoder(const geo::PathGeolocator &locator, unsigned threads, bool candidates)
        : locator_(locator), candidates_(candidates), work_(std::max(1u, threads)), writing_(work_.size())
    {
    }
    // Unfinished (the input broke off): no partial geolocated.jsonl is left
    // to be taken for the whole.
    ~ChunkDecoder()
    {
        if (writer_.valid()) writer_.wait();
        if (!finished_ && out_.is_open()) {
            out_.close();
            std::error_code ec;
            std::filesystem::remove(path_, ec);
        }
    }

    void open(const std::string &path)
    {
        path_ = path;
        out_.open(path, std::ios::binary);
        if (!out_) throw std::runtime_error("cannot write " + path);
    }

    void decode(const std::vector<geo::GeoTrace> &traces)
    {
        const size_t n = traces.size(), nthreads = std::min(work_.size(), std::max<size_t>(1, n));
        {
            std::vector<std::jthread> workers;
            for (size_t w = 0; w < nthreads; ++w)
                workers.emplace_back([&, w] {
                    Worker &mine = work_[w];
                    mine.lines.clear();
                    for (size_t i = n * w / nthreads; i < n * (w + 1) / nthreads; ++i) {
                        const geo::GeoResult r = locator_.locate(traces[i]);
                        geo::append_result_line(mine.lines, r, traces[i].vantage_id, candidates_);
                        mine.flagged += !r.flagged_segments.empty();
                        mine.counts.add(r);
                    }
                });
        }
        decoded_ += n;
        wait_for_writer();
        for (size_t w = 0; w < work_.size(); ++w) {
            std::swap(work_[w].lines, writing_[w]);
            work_[w].lines.clear();
        }
        writer_ = std::async(std::launch::async, [this] {
            for (const std::string &b : writing_)
                out_.write(b.data(), static_cast<std::streamsize>(b.size()));
        });
    }

    void finish()
    {
        wait_for_writer();
        out_.flush();
        if (!out_) throw std::runtime_error("write to " + path_ + " failed");
        finished_ = true;
    }

    size_t decoded() const { return decoded_; }
    size_t flagged() const
    {
        size_t f = 0;
        for (const Worker &w : work_)
            f += w.flagged;
        return f;
    }
    geo::PlacementCounts counts() const
    {
        geo::PlacementCounts c;
        for (const Worker &w : work_)
            c.merge(w.counts);
        return c;
    }

  private:
    void wait_for_writer()
    {
        if (writer_.valid()) writer_.get(); // rethrows what the write threw
    }

    struct Worker {
        std::string lines;
        geo::PlacementCounts counts;
        size_t flagged = 0;
    };
    const geo::PathGeolocator &locator_;
    bool candidates_;
    std::vector<Worker> work_;
    std::vector<std::string> writing_; // the previous chunk's lines, being written
    std::future<void> writer_;
    std::ofstream out_;
    std::string path_;
    size_t decoded_ = 0;
    bool finished_ = false;
};

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
    std::optional<ProbeAnchors> anchors;
    try {
        anchors.emplace(o.probes, gz, ctx.vantage.has_value());
    } catch (const geo::GeoInputError &e) {
        throw UsageError(e.what());
    }
    RegistryCountries registry(o.location);
    const geo::PathGeolocator locator(ctx);
    ChunkDecoder decoder(locator, o.threads, !o.no_candidates);
    const std::string path = (std::filesystem::path(o.out_dir) / "geolocated.jsonl").string();
    // The output is made when the first traces are in, so bad input leaves none.
    auto decode = [&](std::vector<geo::GeoTrace> &chunk) {
        if (decoder.decoded() == 0) {
            std::error_code ec;
            std::filesystem::create_directories(o.out_dir, ec);
            if (ec) throw std::runtime_error("cannot create " + o.out_dir + ": " + ec.message());
            decoder.open(path);
        }
        anchors->add(chunk);
        registry.add(chunk);
        decoder.decode(chunk);
    };
    // Read and decoded a chunk at a time; with --rdns all are read first, so
    // that every address is asked once.
    constexpr size_t kChunk = 8192;
    std::vector<geo::GeoTrace> all;
    try {
        graph::read_geo_traces_in_chunks(o.input, *format, kChunk, [&](std::vector<geo::GeoTrace> &&chunk) {
            if (!o.rdns.mode.empty())
                std::move(chunk.begin(), chunk.end(), std::back_inserter(all));
            else if (!chunk.empty())
                decode(chunk);
        });
    } catch (const geo::GeoInputError &e) {
        throw UsageError(e.what());
    } catch (const graph::InputError &e) {
        throw UsageError(e.what());
    }
    if (decoder.decoded() == 0 && all.empty()) throw UsageError(o.input + ": no IPv4 traces to geolocate");
    const nlohmann::json rdns = add_names(all, o.rdns);
    for (size_t first = 0; first < all.size(); first += kChunk) {
        std::vector<geo::GeoTrace> chunk(
            std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
            std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), first + kChunk))));
        decode(chunk);
    }
    decoder.finish();
    const nlohmann::json vantage = anchors->finish();
    const nlohmann::json location = registry.finish();
    const size_t decoded = decoder.decoded(), flagged = decoder.flagged();
    const geo::PlacementCounts counts = decoder.counts();
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
