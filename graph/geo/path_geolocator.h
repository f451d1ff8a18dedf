// Public API of path geolocation: place every hop of a trace on the map and
// say how far to trust the whole path (Path Consistency Scoring, an HMM over
// candidate cities with speed-of-light transitions). docs/GEOLOCATION.md
// describes the model and every parameter.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/geo/geo_location.h"
#include "graph/geo/model_params.h"
#include "pathmap/trace.h"

namespace pathmap::geo
{

class Gazetteer;
class PrefixLocations; // geofeed, IXP and GeoDB CSV files share one table type
class GeoDb;
class LatencyPriors;

// Where a candidate city came from; a candidate may have several.
// registry: a city standing for the country the address's network is
// registered in (libloc / --asn-db), when no other candidate lies there.
enum class Source { anchor, geodb, rdns, geofeed, ixp, facility, neighbour, registry };
const char *source_name(Source s);

// Evidence about one hop given with the input (annotated traces); what the
// context's tables and the hostname parser find is added to it.
struct HopEvidence {
    std::optional<Location> rdns_hint;
    std::optional<Location> ixp;
    std::optional<Location> geodb;
    // ISO 3166 alpha-2 code of the country the address's network is
    // registered in (libloc, an --asn-db with countries, or traces.jsonl's
    // "country"). Registries lag and multinational networks register at
    // home, so a candidate elsewhere is penalised, never excluded.
    std::optional<std::string> registry_country;
};

struct GeoHop {
    int hop = 0;      // the input's hop number (TTL), not a position
    std::string addr; // empty for a silent hop
    double rtt_ms = 0.0;
    std::optional<std::string> rdns; // hostname, parsed for city/IATA/operator codes
    HopEvidence evidence;
    bool has_rtt = true; // false: answered without a measured RTT (pathmap::Hop::rtt_known)
};

struct GeoTrace {
    std::optional<Location> src_anchor; // overrides GeoContext::vantage when set
    std::optional<Location> dst_anchor; // overrides GeoContext::dst_anchor when set
    bool dst_reached = true;            // the last hop is the destination (anchor evidence applies)
    std::string vantage_id;             // pathmap::Trace::vantage_id (an Atlas prb_id), for --probes
    std::vector<GeoHop> hops;
};

GeoTrace geo_trace_from(const pathmap::Trace &t);

// Everything outside the trace. Pointers are optional and not owned; they must
// outlive the PathGeolocator.
struct GeoContext {
    const Gazetteer *gazetteer = nullptr; // needed for hostname hints and city-only locations
    std::optional<Location> vantage;
    std::optional<Location> dst_anchor;
    const PrefixLocations *geofeed = nullptr;
    const PrefixLocations *ixp = nullptr;
    const GeoDb *geodb = nullptr;
    const LatencyPriors *priors = nullptr;
    ModelParams params = {};
};

struct Candidate {
    Location loc;
    std::vector<Source> sources;
    // Every source behind it names only a country (a registry country, an
    // operator domain), so the city stands for the country: precision
    // "country", whatever the posterior says about choosing among them.
    bool country_level = false;
};

struct LocatedHop {
    int hop = 0;
    std::string addr;
    std::optional<Location> loc; // empty for a silent hop
    double posterior = 0.0;      // forward-backward P(hop at loc | whole trace)
    std::vector<Candidate> candidates;
    // Why loc is empty: "silent" (no reply), "no_rtt" (answered without an
    // RTT, which every constraint needs), "no_evidence" (no source, anchor or
    // neighbour offered a candidate), "infeasible" (the decoded place is out
    // of light's reach of the known vantage point at this RTT: the evidence
    // contradicts physics, and no place is better than a wrong one);
    // nullptr when placed.
    const char *unplaced = nullptr;
    const std::vector<Source> *sources() const; // of the chosen place; nullptr when unplaced
    const Candidate *chosen() const;            // the candidate at loc; nullptr when unplaced
};

// Hops of a run's results, by outcome.
struct PlacementCounts {
    size_t placed = 0, silent = 0, no_rtt = 0, no_evidence = 0, infeasible = 0;
    size_t country_level = 0; // of the placed: the city stands for a country
    void add(const struct GeoResult &r);
    void merge(const PlacementCounts &o);
};

// A decoded transition the RTTs say is implausible.
struct FlaggedSegment {
    int from_hop = 0;
    int to_hop = 0;
    double distance_km = 0.0;
    double min_rtt_ms = 0.0;   // light in fibre, round trip
    double rtt_delta_ms = 0.0; // measured increment
    std::string reason;        // "infeasible" or "excess_slack"
};

struct GeoResult {
    double pcs = 0.0;                // length-normalised log-likelihood of the decoded path
    std::optional<double> alignment; // Path-Model Alignment vs the raw GeoDB path, when there is one
    double distance_km = 0.0;        // length of the decoded path
    // Whether a vantage anchored the first hops; without one they are
    // constrained only by their neighbours and the other evidence.
    bool vantage_known = false;
    std::vector<FlaggedSegment> flagged_segments;
    std::vector<LocatedHop> hops; // one per input hop, input order
};

class PathGeolocator
{
  public:
    explicit PathGeolocator(GeoContext ctx);
    GeoResult locate(const GeoTrace &trace) const;
    GeoResult locate(const pathmap::Trace &trace) const { return locate(geo_trace_from(trace)); }
    const GeoContext &context() const { return ctx_; }

  private:
    GeoContext ctx_;
};

} // namespace pathmap::geo
