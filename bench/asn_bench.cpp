// AS lookups per second, offline (no root, no network): the libloc system
// database, an ASN .mmdb and a pfx2as table, each raw (AsnSource::lookup,
// what the library itself costs) and through LocationDb (the per-address
// memo sweep, graph and mtr use), on the same set of distinct random IPv4
// addresses. The first pass over a source is "cold" (its file's pages and
// the memo are empty); the passes after it are "warm". "found only" repeats
// the raw lookups on the addresses the source has an answer for.
//   asn_bench [--addresses N] [--passes P] [--location-db FILE] [--mmdb FILE] [--pfx2as FILE]
//   asn_bench rows [--every K] [--location-db FILE] > rows.tsv
// `rows` writes every K-th IPv4 network of the libloc database as
// "CIDR<TAB>ASN<TAB>NAME" (tests/graph/make_asn_mmdb.pl turns that into an
// .mmdb; awk into pfx2as): bench/asn_run.sh does both.
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/core.h>

extern "C" {
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
}

#include "graph/location_db.h"

using namespace pathmap::graph;
using Clock = std::chrono::steady_clock;

namespace
{

struct Args {
    size_t addresses = 200'000;
    int passes = 5;
    std::string location_db = LocationDb::kSystemPath, mmdb, pfx2as;
    int every = 8;
};

std::vector<uint32_t> distinct_addresses(size_t n)
{
    std::mt19937 rng(12);
    std::unordered_set<uint32_t> seen;
    std::vector<uint32_t> out;
    out.reserve(n);
    while (out.size() < n) {
        const uint32_t a = static_cast<uint32_t>(rng());
        if (seen.insert(a).second) out.push_back(a);
    }
    return out;
}

template <class F> double rate(const std::vector<uint32_t> &addrs, F &&lookup, size_t &hits)
{
    hits = 0;
    const auto t0 = Clock::now();
    for (uint32_t a : addrs)
        hits += lookup(a) ? 1 : 0;
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    return static_cast<double>(addrs.size()) / s;
}

void bench_source(const char *label, const std::string &file, const Args &args,
                  const std::vector<uint32_t> &addrs)
{
    std::unique_ptr<AsnSource> raw;
    AsnDbFormat fmt{};
    const auto t0 = Clock::now();
    try {
        raw = open_asn_source(file, &fmt);
    } catch (const LocationDbError &e) {
        fmt::print("{}: {}\n", label, e.what());
        return;
    }
    const double open_s = std::chrono::duration<double>(Clock::now() - t0).count();
    fmt::print("{} ({}, {}; opened in {:.3f} s)\n", label, to_string(fmt), file, open_s);
    size_t hits = 0;
    for (int p = 0; p < args.passes; ++p) {
        const double r = rate(
            addrs, [&](uint32_t a) { return raw->lookup(a).has_value(); }, hits);
        fmt::print("  raw      pass {} ({}): {:>12.0f} lookups/s, {} of {} found\n", p + 1,
                   p ? "warm" : "cold", r, hits, addrs.size());
    }
    // The addresses this source knows, alone: sources that cover different
    // shares of the address space compare on answers, not on misses.
    std::vector<uint32_t> found;
    for (uint32_t a : addrs)
        if (raw->lookup(a)) found.push_back(a);
    if (!found.empty()) {
        const double r = rate(
            found, [&](uint32_t a) { return raw->lookup(a).has_value(); }, hits);
        fmt::print("  raw      found only (warm): {:>12.0f} lookups/s over the {} addresses it has\n", r,
                   found.size());
    }
    LocationDb db(file);
    for (int p = 0; p < args.passes; ++p) {
        const double r = rate(
            addrs, [&](uint32_t a) { return db.find(a) != nullptr; }, hits);
        fmt::print("  memoised pass {} ({}): {:>12.0f} lookups/s, {} of {} found\n", p + 1,
                   p ? "warm" : "cold", r, hits, addrs.size());
    }
}

int write_rows(const Args &args)
{
    loc_ctx *ctx = nullptr;
    loc_database *db = nullptr;
    FILE *f = std::fopen(args.location_db.c_str(), "r");
    if (!f || loc_new(&ctx) < 0 || loc_database_new(ctx, &db, f) < 0) {
        std::fprintf(stderr, "asn_bench: cannot open %s\n", args.location_db.c_str());
        return 1;
    }
    std::fclose(f);
    loc_database_enumerator *e = nullptr;
    loc_database_enumerator_new(&e, db, LOC_DB_ENUMERATE_NETWORKS,
                                0); // a parent before its subnets; flattening costs 10x
    loc_database_enumerator_set_family(e, AF_INET);
    loc_network *net = nullptr;
    size_t n = 0, written = 0;
    while (loc_database_enumerator_next_network(e, &net) == 0 && net) {
        const uint32_t asn = loc_network_get_asn(net);
        if (asn && n++ % static_cast<size_t>(args.every) == 0) {
            std::string name;
            loc_as *as = nullptr;
            if (loc_database_get_as(db, &as, asn) == 0 && as) {
                if (const char *s = loc_as_get_name(as)) name = s;
                loc_as_unref(as);
            }
            for (char &c : name)
                if (c == '\t' || c == '\n') c = ' ';
            if (name.empty()) name = "AS" + std::to_string(asn);
            // v4-mapped networks print as "a.b.c.d/len" in libloc 0.9.
            std::printf("%s\t%u\t%s\n", loc_network_str(net), asn, name.c_str());
            ++written;
        }
        loc_network_unref(net);
    }
    loc_database_enumerator_unref(e);
    loc_database_unref(db);
    loc_unref(ctx);
    std::fprintf(stderr, "asn_bench: wrote %zu of the %zu IPv4 networks with an AS\n", written, n);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Args args;
    bool rows = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "asn_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "rows")
            rows = true;
        else if (a == "--addresses")
            args.addresses = std::stoul(next());
        else if (a == "--passes")
            args.passes = std::stoi(next());
        else if (a == "--location-db")
            args.location_db = next();
        else if (a == "--mmdb")
            args.mmdb = next();
        else if (a == "--pfx2as")
            args.pfx2as = next();
        else if (a == "--every")
            args.every = std::max(1, std::stoi(next()));
        else {
            std::fprintf(stderr, "asn_bench: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (rows) return write_rows(args);
    const std::vector<uint32_t> addrs = distinct_addresses(args.addresses);
    fmt::print("{} distinct random IPv4 addresses, {} passes each\n", addrs.size(), args.passes);
    bench_source("libloc", args.location_db, args, addrs);
    if (!args.mmdb.empty()) bench_source("mmdb", args.mmdb, args, addrs);
    if (!args.pfx2as.empty()) bench_source("pfx2as", args.pfx2as, args, addrs);
    return 0;
}
