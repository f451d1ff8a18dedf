// The binary .warts reader (graph/warts_reader.cpp) against scamper's own
// sc_warts2json: every real .warts file of ../shared/realdata is read both
// ways — directly, and as the JSON sc_warts2json prints of it (run here, not
// the copy stored beside it) through the scamper JSON reader — and every
// Trace and every hop field must be equal. Then cut and damaged copies (one
// InputError line naming the file, never a crash or a read past the end), and
// records built byte by byte for what the real files lack (MPLS extensions,
// the quoted TTL scamper leaves out, record types skipped).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "graph/input_formats.h"
#include "graph/warts_format.h"
#include "pathmap/log.h"
#include "tests/graph/realdata_dir.h"
#include "tests/graph/sc_warts2json.h"

using namespace pathmap;
using namespace pathmap::graph;
namespace fs = std::filesystem;

namespace
{

fs::path warts_dir() { return test::realdata_dir() / "scamper" / "warts"; }

std::vector<fs::path> warts_files()
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(warts_dir(), ec))
        if (e.path().extension() == ".warts") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Every field of two Trace lists, with a message naming the first difference.
void expect_same(const std::vector<Trace> &a, const std::vector<Trace> &b, const std::string &what)
{
    ASSERT_EQ(a.size(), b.size()) << what << ": trace count";
    for (size_t i = 0; i < a.size(); ++i) {
        const Trace &x = a[i], &y = b[i];
        const std::string at = what + ": trace " + std::to_string(i) + " to " + x.dst;
        EXPECT_EQ(x.dst, y.dst) << at;
        EXPECT_EQ(x.flow_id, y.flow_id) << at;
        EXPECT_EQ(x.reached, y.reached) << at;
        EXPECT_EQ(x.stop_reason, y.stop_reason) << at;
        EXPECT_EQ(x.first_ttl, y.first_ttl) << at;
        ASSERT_EQ(x.hops.size(), y.hops.size()) << at;
        for (size_t k = 0; k < x.hops.size(); ++k) {
            const Hop &h = x.hops[k], &g = y.hops[k];
            const std::string ah = at + " hop " + std::to_string(k) + " ttl " + std::to_string(h.ttl);
            EXPECT_EQ(h.ttl, g.ttl) << ah;
            EXPECT_EQ(h.addr, g.addr) << ah;
            EXPECT_EQ(h.rtt_ms, g.rtt_ms) << ah; // both the same microsecond count over 1000
            EXPECT_EQ(h.icmp_type, g.icmp_type) << ah;
            EXPECT_EQ(h.icmp_code, g.icmp_code) << ah;
            EXPECT_EQ(h.reply_ttl, g.reply_ttl) << ah;
            EXPECT_EQ(h.quoted_ttl, g.quoted_ttl) << ah;
            EXPECT_EQ(h.mpls_labels, g.mpls_labels) << ah;
            EXPECT_EQ(h.rdns, g.rdns) << ah;
        }
    }
}

TEST(WartsReader, RealFilesAreWhatScWarts2jsonSays)
{
    const auto files = warts_files();
    ASSERT_GE(files.size(), 5u) << warts_dir() << " lost its .warts files (set PATHMAP_REALDATA)";
    size_t traces = 0, hops = 0;
    for (const fs::path &f : files) {
        const std::string json = test::sc_warts2json(f);
        ASSERT_FALSE(json.empty()) << "sc_warts2json failed on " << f << " (is scamper installed? scripts/setup.sh)";
        const std::vector<Trace> want = parse_scamper_json(json, f.string());
        std::vector<Trace> got;
        ASSERT_NO_THROW(got = read_traces_file(f)) << f; // format detected from the magic
        expect_same(got, want, f.filename().string());
        traces += got.size();
        for (const Trace &t : got)
            hops += t.hops.size();
        if (f.filename().string().find("_v6_") != std::string::npos)
            EXPECT_TRUE(got.empty()) << f << ": IPv6 records are skipped";
        else
            EXPECT_FALSE(got.empty()) << f;
    }
    // pantrace's 1000 traces (IPv4-mapped addresses) and the dioptra trace and tracelb.
    EXPECT_GE(traces, 1000u);
    EXPECT_GE(hops, 5000u);
}

TEST(WartsReader, TracelbBranchesKeepTheirFlowIds)
{
    const fs::path f = warts_dir() / "dioptra_tracelb_google_dns_v4_default.warts";
    auto ts = read_traces_file(f);
    ASSERT_GE(ts.size(), 4u); // one per branch of the diamond
    std::set<uint16_t> flows;
    for (const Trace &t : ts) {
        EXPECT_EQ(t.dst, "8.8.8.8");
        EXPECT_GE(t.flow_id, 33435);
        flows.insert(t.flow_id);
    }
    EXPECT_GE(flows.size(), 2u);
}

// Where the records start, walked from the headers alone.
std::vector<size_t> record_starts(const std::string &b)
{
    std::vector<size_t> out;
    size_t off = 0;
    while (off + 8 <= b.size()) {
        out.push_back(off);
        const auto *p = reinterpret_cast<const uint8_t *>(b.data() + off + 4);
        off += 8 + (size_t{p[0]} << 24 | size_t{p[1]} << 16 | size_t{p[2]} << 8 | p[3]);
    }
    out.push_back(off);
    return out;
}

void expect_one_line(const std::string &bytes, const std::string &name, const std::string &what, bool must_fail)
{
    try {
        (void)parse_traces(bytes, InputFormat::warts, name);
        if (must_fail) ADD_FAILURE() << name << " " << what << ": read without an error";
    } catch (const InputError &e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << what << ": " << m;
        EXPECT_EQ(m.rfind(name + ": ", 0), 0u) << what << ": " << m;
    } catch (const std::exception &e) {
        ADD_FAILURE() << name << " " << what << ": not an InputError: " << e.what();
    }
}

TEST(WartsReader, CutAndDamagedCopiesGiveOneClearLine)
{
    const log::Level was = log::level();
    log::set_level(log::Level::error); // the IPv6 files' skip notes, once per copy
    for (const fs::path &f : warts_files()) {
        const std::string bytes = slurp(f);
        const std::string name = f.filename().string();
        const std::vector<size_t> starts = record_starts(bytes);
        // Cut anywhere (every byte of the small files, 100 places in the large
        // one): at a record boundary the rest is read, inside a record it is
        // refused.
        const size_t step = std::max<size_t>(1, bytes.size() / 100);
        for (size_t cut = 1; cut < bytes.size(); cut += step) {
            const bool boundary = std::find(starts.begin(), starts.end(), cut) != starts.end();
            // A copy of exactly the cut bytes: ASan sees any read past them.
            std::vector<char> copy(bytes.begin(), bytes.begin() + static_cast<long>(cut));
            expect_one_line(std::string(copy.begin(), copy.end()), name, "cut at " + std::to_string(cut), !boundary);
        }
        // Bytes overwritten at pseudo-random places.
        uint32_t seed = 2166136261u;
        for (char ch : name)
            seed = (seed ^ static_cast<unsigned char>(ch)) * 16777619u;
        const int rounds = bytes.size() > 20000 ? 40 : 300;
        for (int round = 0; round < rounds; ++round) {
            std::string c = bytes;
            for (int k = 0; k < 1 + round % 5; ++k) {
                seed = seed * 1664525u + 1013904223u;
                c[seed % c.size()] = static_cast<char>(seed >> 24);
            }
            expect_one_line(c, name, "damaged round " + std::to_string(round), false);
        }
        expect_one_line(bytes + std::string("\x12\x05\x00\x06\x00\x00\x10\x00", 8), name, "a record longer than the file", true);
        expect_one_line(bytes + "junk", name, "junk after the last record", true);
    }
    log::set_level(was);
}

// Records built byte by byte.
struct Bytes {
    std::string b;
    Bytes &u8(unsigned v)
    {
        b.push_back(static_cast<char>(v));
        return *this;
    }
    Bytes &u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
    Bytes &u32(uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    Bytes &str(const std::string &s)
    {
        b += s;
        return u8(0);
    }
    Bytes &raw(const std::string &s)
    {
        b += s;
        return *this;
    }
    Bytes &v4(unsigned a, unsigned b2, unsigned c, unsigned d) { return u8(4).u8(1).u8(a).u8(b2).u8(c).u8(d); }
};

std::string record(unsigned type, const std::string &payload)
{
    return Bytes().u16(kWartsMagic).u16(type).u32(static_cast<uint32_t>(payload.size())).b + payload;
}

// A flags bitmap with these (1-based) ids set, 7 ids a byte.
std::string flags(std::initializer_list<int> ids)
{
    int max = 0;
    for (int id : ids)
        max = std::max(max, id);
    std::string f(static_cast<size_t>((max + 6) / 7), '\0');
    for (int id : ids)
        f[static_cast<size_t>((id - 1) / 7)] |= static_cast<char>(1 << ((id - 1) % 7));
    for (size_t i = 0; i + 1 < f.size(); ++i)
        f[i] |= static_cast<char>(0x80);
    return f;
}

std::string params(std::initializer_list<int> ids, const std::string &values)
{
    return flags(ids) + Bytes().u16(static_cast<unsigned>(values.size())).b + values;
}

std::string list_and_cycle()
{
    const std::string list = Bytes().u32(1).u32(7).str("lab").u8(0).b;
    const std::string cycle = Bytes().u32(1).u32(1).u32(3).u32(1700000000).u8(0).b;
    return record(1, list) + record(2, cycle);
}

TEST(WartsReader, TraceFieldsByteByByte)
{
    // trace: list 1, cycle 1, stop COMPLETED, firsthop 2, hop_count 4, src, dst
    const std::string trace_params =
        params({1, 2, 6, 15, 19, 26, 27}, Bytes().u32(1).u32(1).u8(1).u8(2).u16(4).v4(10, 0, 0, 1).v4(198, 18, 9, 9).b);
    // hop 1 (below firsthop: sc_warts2json leaves it out), hop 2 with an MPLS
    // extension and no quoted-TTL field (scamper writes none when it is 1),
    // hop 4 the destination's port unreachable quoting TTL 3, by address reference.
    const std::string mpls = Bytes().u16(4 + 8).u16(8).u8(1).u8(1).u32(16005u << 12 | 0x100 | 1).u32(24u << 12 | 1).b;
    const std::string hop1 = params({2, 3, 6, 7, 18}, Bytes().u8(1).u8(64).u32(500).u8(11).u8(0).v4(10, 0, 0, 254).b);
    const std::string hop2 =
        params({2, 3, 6, 7, 17, 18, 20}, Bytes().u8(2).u8(253).u32(1234).u8(11).u8(0).raw(mpls).v4(198, 18, 1, 1).str("r1.lab").b);
    const std::string hop4 =
        params({2, 3, 6, 7, 14, 18}, Bytes().u8(4).u8(60).u32(40001).u8(3).u8(3).u8(3).u8(0).u32(1).b);
    const std::string trace = trace_params + Bytes().u16(3).b + hop1 + hop2 + hop4 + Bytes().u16(0).b;
    const std::string file = list_and_cycle() + record(7, "ping, skipped") + record(6, trace) + record(4, Bytes().u32(1).u32(1700000100).u8(0).b);

    const WartsContents w = decode_warts(file, "t.warts");
    EXPECT_EQ(w.skipped.at(7), 1u);
    ASSERT_EQ(w.records.size(), 1u);
    EXPECT_EQ(detect_input_format(file), InputFormat::warts);
    auto ts = parse_traces(file, InputFormat::auto_detect, "t.warts");
    ASSERT_EQ(ts.size(), 1u);
    const Trace &t = ts[0];
    EXPECT_EQ(t.dst, "198.18.9.9");
    EXPECT_TRUE(t.reached);
    EXPECT_EQ(t.stop_reason, "reached");
    EXPECT_EQ(t.first_ttl, 2);
    ASSERT_EQ(t.hops.size(), 3u); // TTLs 2..4, 3 probed and silent
    EXPECT_EQ(t.hops[0].addr, "198.18.1.1");
    EXPECT_EQ(t.hops[0].rtt_ms, 1.234);
    EXPECT_EQ(t.hops[0].reply_ttl, 253);
    EXPECT_EQ(t.hops[0].icmp_type, 11);
    EXPECT_EQ(t.hops[0].quoted_ttl, 1);
    EXPECT_EQ(t.hops[0].mpls_labels, (std::vector<uint32_t>{16005, 24}));
    EXPECT_EQ(t.hops[0].rdns.value_or(""), "r1.lab");
    EXPECT_EQ(t.hops[1].ttl, 3);
    EXPECT_TRUE(t.hops[1].addr.empty());
    EXPECT_EQ(t.hops[2].addr, "198.18.9.9"); // address 1 of the record's table: the destination
    EXPECT_EQ(t.hops[2].icmp_code, 3);
    EXPECT_EQ(t.hops[2].quoted_ttl, 3);
    EXPECT_EQ(t.hops[2].rtt_ms, 40.001);

    // A reference to an address the record never wrote, and a cycle stopped twice.
    std::string bad_ref = trace;
    bad_ref[bad_ref.size() - 3] = 9; // hop 4's address reference (the u32 before the end mark) -> 9
    expect_one_line(list_and_cycle() + record(6, bad_ref), "t.warts", "bad address reference", true);
    const std::string stop = record(4, Bytes().u32(1).u32(1700000100).u8(0).b);
    expect_one_line(list_and_cycle() + stop + stop, "t.warts", "cycle stopped twice", true);
    expect_one_line(record(6, trace), "t.warts", "a list never defined", true);
}

TEST(WartsReader, NewerFieldsAreSkippedByLength)
{
    // A hop with a field id past those known (a newer scamper): skipped with its bytes.
    const std::string trace_params = params({1, 2, 27}, Bytes().u32(1).u32(1).v4(198, 18, 9, 9).b);
    const std::string hop = params({2, 18, 30}, Bytes().u8(1).v4(198, 18, 0, 1).u32(0xdeadbeef).b);
    const std::string trace = trace_params + Bytes().u16(1).b + hop + Bytes().u16(0).b;
    auto ts = parse_warts(list_and_cycle() + record(6, trace), "n.warts");
    ASSERT_EQ(ts.size(), 1u);
    ASSERT_EQ(ts[0].hops.size(), 1u);
    EXPECT_EQ(ts[0].hops[0].addr, "198.18.0.1");
    EXPECT_EQ(ts[0].hops[0].icmp_type, 0); // ICMP without its type field: scamper's zero
}

} // namespace
