// The --asn-db sources: the format told by content (libloc, .mmdb, pfx2as
// text, nothing readable), lookups from .mmdb files written here by
// tests/graph/make_asn_mmdb.pl (MaxMind::DB::Writer) in MaxMind's and
// IPinfo's layouts, IPv4 and IPv6 trees, a pfx2as table's longest match,
// LocationDb's memo, and the graph outputs taking the AS from an .mmdb.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "graph/graph_outputs.h"
#include "graph/location_db.h"
#include "pathmap/ipv4.h"

using namespace pathmap;
using namespace pathmap::graph;
namespace fs = std::filesystem;

namespace
{

uint32_t ip(const char *s) { return *parse_ipv4(s); }

struct TempDir {
    fs::path path;
    TempDir()
    {
        char tmpl[] = "/tmp/pathmap-asn-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path &p, const std::string &text) { std::ofstream(p, std::ios::binary) << text; }

// Rows as the perl writer reads them: CIDR, ASN, name, country.
constexpr const char *kRows = "198.18.0.0/15\t64500\tPathmap Testbed AS\tNL\n"
                              "198.19.7.0/24\t64501\tA More Specific\tDE\n"
                              "8.8.8.0/24\t15169\tGOOGLE\tUS\n";

fs::path make_mmdb(const fs::path &dir, const std::string &flags)
{
    const fs::path rows = dir / "rows.txt",
                   out = dir / ("asn" + std::to_string(std::hash<std::string>{}(flags)) + ".mmdb");
    write(rows, kRows);
    const std::string cmd = "perl " PATHMAP_SOURCE_DIR "/tests/graph/make_asn_mmdb.pl " + flags + " " +
                            out.string() + " < " + rows.string();
    if (std::system(cmd.c_str()) != 0)
        ADD_FAILURE() << cmd << " failed: scripts/setup.sh installs libmaxmind-db-writer-perl";
    return out;
}

} // namespace

TEST(AsnSource, FormatIsToldByContent)
{
    TempDir d;
    const fs::path mmdb = make_mmdb(d.path, "");
    EXPECT_EQ(detect_asn_db_format(mmdb), AsnDbFormat::mmdb);
    // The name does not matter: an .mmdb called .txt is still one.
    fs::copy_file(mmdb, d.path / "asn.txt");
    EXPECT_EQ(detect_asn_db_format(d.path / "asn.txt"), AsnDbFormat::mmdb);
    write(d.path / "pfx2as.mmdb", "8.8.8.0\t24\t15169\n");
    EXPECT_EQ(detect_asn_db_format(d.path / "pfx2as.mmdb"), AsnDbFormat::pfx2as);
    if (fs::exists(LocationDb::kSystemPath)) {
        EXPECT_EQ(detect_asn_db_format(LocationDb::kSystemPath), AsnDbFormat::libloc);
    }
    write(d.path / "loc.db", std::string("LOCDBXX\x01\0\0\0\0", 12) + std::string(64, 'x'));
    EXPECT_EQ(detect_asn_db_format(d.path / "loc.db"), AsnDbFormat::libloc);

    // Unreadable or unknown: one line naming the file.
    auto fails = [](const fs::path &p, const std::string &why) {
        try {
            (void)LocationDb(p);
            ADD_FAILURE() << p << " opened";
        } catch (const LocationDbError &e) {
            const std::string m = e.what();
            EXPECT_NE(m.find(p.string()), std::string::npos) << m;
            EXPECT_NE(m.find(why), std::string::npos) << m;
            EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        }
    };
    fails(d.path / "missing.mmdb", "No such file");
    fails(d.path, "is a directory");
    write(d.path / "empty", "");
    fails(d.path / "empty", "empty");
    write(d.path / "binary", std::string("\x7f"
                                         "ELF\0\0\0\0",
                                         8));
    fails(d.path / "binary", "not an ASN .mmdb");
    write(d.path / "bad.txt", "8.8.8.0\t24\t15169\nthis is not pfx2as\n");
    fails(d.path / "bad.txt", ":2:");
    write(d.path / "comments.txt", "# nothing but comments\n");
    fails(d.path / "comments.txt", "no prefix lines");
    // The marker but no database before it: libmaxminddb's own complaint.
    write(d.path / "fake.mmdb", std::string(100, 'x') + "\xab\xcd\xefMaxMind.com" + std::string(10, 'y'));
    fails(d.path / "fake.mmdb", "fake.mmdb");
    write(d.path / "bad_loc.db", std::string("LOCDBXX\x01", 8) + std::string(64, '\0'));
    fails(d.path / "bad_loc.db", "bad_loc.db");
}

TEST(AsnSource, MmdbLayoutsAndTrees)
{
    TempDir d;
    for (const std::string flags : {"", "--v6", "--ipinfo", "--ipinfo --v6"}) {
        SCOPED_TRACE(flags);
        LocationDb db(make_mmdb(d.path, flags));
        EXPECT_EQ(db.format(), AsnDbFormat::mmdb);
        const bool ipinfo = flags.find("ipinfo") != std::string::npos;
        auto o = db.lookup(ip("198.18.3.4"));
        ASSERT_TRUE(o);
        EXPECT_EQ(o->asn, 64500);
        EXPECT_EQ(o->as_name, "Pathmap Testbed AS");
        EXPECT_EQ(o->country, ipinfo ? "NL" : ""); // GeoLite2-ASN carries no country
        o = db.lookup(ip("198.19.7.200"));         // the more specific network wins
        ASSERT_TRUE(o);
        EXPECT_EQ(o->asn, 64501);
        EXPECT_EQ(db.lookup(ip("198.19.8.1"))->asn, 64500);
        EXPECT_EQ(db.lookup(ip("8.8.8.8"))->asn, 15169);
        EXPECT_FALSE(db.lookup(ip("8.8.9.1")));
        EXPECT_FALSE(db.lookup(ip("1.1.1.1")));
    }
}

TEST(AsnSource, Pfx2asLongestMatchNoNames)
{
    TempDir d;
    write(d.path / "pfx2as",
          "# CAIDA routeviews-prefix2as\n198.18.0.0\t15\t64500\n198.19.7.0\t24\t64501_64502\n"
          "8.8.8.0\t24\t15169,36040\n");
    LocationDb db(d.path / "pfx2as");
    EXPECT_EQ(db.format(), AsnDbFormat::pfx2as);
    EXPECT_EQ(db.lookup(ip("198.18.0.1"))->asn, 64500);
    EXPECT_EQ(db.lookup(ip("198.19.7.9"))->asn, 64501); // multi-origin: the first
    EXPECT_EQ(db.lookup(ip("8.8.8.8"))->asn, 15169);
    EXPECT_EQ(db.lookup(ip("8.8.8.8"))->as_name, ""); // pfx2as names nothing
    EXPECT_EQ(db.lookup(ip("8.8.8.8"))->country, "");
    EXPECT_FALSE(db.lookup(ip("9.9.9.9")));
}

TEST(AsnSource, AnswersAreMemoisedPerAddress)
{
    TempDir d;
    LocationDb db(make_mmdb(d.path, ""));
    const AddressOwner *a = db.find(ip("198.18.1.1"));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(db.find(ip("198.18.1.1")), a);   // the same answer, not a new lookup
    EXPECT_EQ(db.find(ip("198.18.200.9")), a); // the same owner is stored once
    EXPECT_NE(db.find(ip("198.19.7.1")), a);
    EXPECT_EQ(db.find(ip("1.1.1.1")), nullptr);
    EXPECT_EQ(db.find(ip("1.1.1.1")), nullptr); // "none" is remembered too
    EXPECT_EQ(a->asn, 64500);                   // still valid after more lookups
}

TEST(AsnSource, SystemLiblocAgreesWithItsOwnCli)
{
    if (!fs::exists(LocationDb::kSystemPath)) GTEST_SKIP() << "no libloc-database";
    LocationDb db;
    EXPECT_EQ(db.format(), AsnDbFormat::libloc);
    // 8.8.8.8 is Google's in every libloc database (AS15169, US).
    auto o = db.lookup(ip("8.8.8.8"));
    ASSERT_TRUE(o);
    EXPECT_EQ(o->asn, 15169);
    EXPECT_FALSE(db.lookup(ip("198.18.0.1"))); // benchmarking space has no owner
}

TEST(AsnSource, CountriesComeFromLiblocWhenTheAsnDbHasNone)
{
    if (!fs::exists(LocationDb::kSystemPath)) GTEST_SKIP() << "no libloc-database";
    TempDir d;
    write(d.path / "pfx2as", "8.8.8.0\t24\t64999\n198.18.0.0\t15\t64500\n");
    const auto libloc = open_libloc_source(LocationDb::kSystemPath);
    const std::string us = libloc->lookup(ip("8.8.8.8"))->country;
    ASSERT_FALSE(us.empty());
    LocationDb db(d.path / "pfx2as", LocationDb::kSystemPath);
    EXPECT_EQ(db.country_path(), LocationDb::kSystemPath);
    auto o = db.lookup(ip("8.8.8.8"));
    ASSERT_TRUE(o);
    EXPECT_EQ(o->asn, 64999); // the AS is the table's, not libloc's 15169
    EXPECT_EQ(o->country, us); // the country is libloc's
    // No network in the table: libloc still gives the country, with no AS.
    auto cf = db.lookup(ip("1.1.1.1"));
    ASSERT_TRUE(cf);
    EXPECT_EQ(cf->asn, 0);
    EXPECT_EQ(cf->country, libloc->lookup(ip("1.1.1.1"))->country);
    // The table's own space, where libloc has nothing: no country made up.
    EXPECT_EQ(db.lookup(ip("198.18.0.1"))->country, "");
    // An .mmdb with countries (IPinfo's layout) keeps its own.
    LocationDb mm(make_mmdb(d.path, "--ipinfo"), LocationDb::kSystemPath);
    EXPECT_EQ(mm.lookup(ip("198.19.7.9"))->country, "DE");
    // A fallback that does not open is no error.
    LocationDb none(d.path / "pfx2as", d.path / "missing.db");
    EXPECT_TRUE(none.country_path().empty());
    EXPECT_EQ(none.lookup(ip("8.8.8.8"))->country, "");
}

TEST(AsnSource, GraphOutputsTakeTheAsFromAnMmdb)
{
    TempDir d;
    const fs::path mmdb = make_mmdb(d.path, "--ipinfo");
    Trace t;
    t.dst = "9.9.9.9";
    t.hops.push_back(Hop{.ttl = 1, .addr = "198.18.0.1", .rtt_ms = 0.5});
    t.hops.push_back(Hop{.ttl = 2, .addr = "8.8.8.1", .rtt_ms = 1.5});
    t.hops.push_back(Hop{.ttl = 3, .addr = "8.8.4.4", .rtt_ms = 2.0});
    const fs::path out = d.path / "out";
    write_graph_outputs({t}, out, {.png = false, .location_db = mmdb});
    std::ifstream in(out / "topology.graphml");
    const std::string g((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Each interface's <node> element: 8.8.8.1 is in the .mmdb's 8.8.8.0/24, 8.8.4.4 in none of its networks.
    auto node_of = [&g](const std::string &label) {
        const size_t at = g.find(">" + label + "<");
        if (at == std::string::npos) return std::string();
        const size_t begin = g.rfind("<node ", at), end = g.find("</node>", at);
        return g.substr(begin, end - begin);
    };
    const std::string google = node_of("8.8.8.1"), other = node_of("8.8.4.4");
    ASSERT_FALSE(google.empty()) << g;
    ASSERT_FALSE(other.empty()) << g;
    EXPECT_NE(google.find(">15169<"), std::string::npos) << google;
    EXPECT_NE(google.find(">GOOGLE<"), std::string::npos) << google;
    EXPECT_NE(google.find(">US<"), std::string::npos) << google; // IPinfo's country_code
    EXPECT_EQ(other.find(">15169<"), std::string::npos) << other;
}
