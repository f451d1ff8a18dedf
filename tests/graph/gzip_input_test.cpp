// Gzipped inputs read as their plain bytes: a real .warts file of the corpus
// gzipped in memory (as CAIDA Ark ships them), two concatenated members, and
// truncated or damaged streams refused in one line.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "graph/gzip_input.h"
#include "graph/input_formats.h"
#include "tests/graph/realdata_dir.h"

using namespace pathmap;
using namespace pathmap::graph;
namespace fs = std::filesystem;

namespace {

fs::path corpus_dir() { return test::realdata_dir(); }

std::string slurp(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// One gzip member, written with zlib's deflate (not the code under test).
std::string gzip(const std::string &plain)
{
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, plain.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

fs::path temp_file(const std::string &bytes, const char *suffix)
{
    auto p = fs::temp_directory_path() / ("pathmap_gzip_" + std::to_string(::getpid()) + suffix);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

bool same(const std::vector<Trace> &a, const std::vector<Trace> &b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].dst != b[i].dst || a[i].hops.size() != b[i].hops.size()) return false;
        for (size_t k = 0; k < a[i].hops.size(); ++k)
            if (a[i].hops[k].addr != b[i].hops[k].addr || a[i].hops[k].ttl != b[i].hops[k].ttl ||
                a[i].hops[k].rtt_ms != b[i].hops[k].rtt_ms)
                return false;
    }
    return true;
}

TEST(GzipInput, GzippedWartsReadsAsThePlainFile)
{
    const fs::path plain = corpus_dir() / "scamper/warts/dioptra_tracelb_google_dns_v4_default.warts";
    ASSERT_TRUE(fs::exists(plain)) << plain;
    const std::string bytes = slurp(plain);
    const fs::path gz = temp_file(gzip(bytes), ".warts.gz");
    const auto want = read_traces_file(plain);
    const auto got = read_traces_file(gz);
    fs::remove(gz);
    ASSERT_FALSE(want.empty());
    EXPECT_TRUE(same(want, got));
}

TEST(GzipInput, ConcatenatedMembersAreOneFile)
{
    const std::string a = "traceroute to 198.19.1.1 (198.19.1.1), 30 hops max, 60 byte packets\n"
                          " 1  198.18.0.1  0.061 ms  0.020 ms  0.016 ms\n"
                          " 2  198.19.1.1  0.100 ms  0.090 ms  0.080 ms\n";
    const std::string b = "traceroute to 198.19.2.1 (198.19.2.1), 30 hops max, 60 byte packets\n"
                          " 1  198.18.0.1  0.061 ms  0.020 ms  0.016 ms\n"
                          " 2  198.19.2.1  0.100 ms  0.090 ms  0.080 ms\n";
    EXPECT_EQ(gunzip(gzip(a) + gzip(b), "x"), a + b);
    const fs::path gz = temp_file(gzip(a) + gzip(b), ".txt.gz");
    const auto ts = read_traces_file(gz);
    fs::remove(gz);
    ASSERT_EQ(ts.size(), 2u);
    EXPECT_EQ(ts[1].dst, "198.19.2.1");
}

TEST(GzipInput, TruncatedOrDamagedStreamsAreOneClearError)
{
    const std::string z = gzip(std::string(20000, 'x') + "some text that compresses");
    auto one_line = [](const std::string &bytes, const char *want, size_t max = size_t{8} << 30) {
        try {
            (void)gunzip(bytes, "in.gz", max);
            ADD_FAILURE() << "no error, want " << want;
        } catch (const InputError &e) {
            const std::string m = e.what();
            EXPECT_EQ(m.find('\n'), std::string::npos) << m;
            EXPECT_NE(m.find("in.gz"), std::string::npos) << m;
            EXPECT_NE(m.find(want), std::string::npos) << m;
        }
    };
    for (size_t cut : {size_t{3}, size_t{10}, z.size() / 2, z.size() - 4})
        one_line(z.substr(0, cut), "truncated");
    std::string bad = z;
    bad[z.size() - 3] ^= 0x55; // the CRC/length trailer
    one_line(bad, "corrupt");
    one_line(z + "junk", "not gzip");
    one_line(gzip(std::string(1 << 20, 'a')), "inflates past", size_t{1} << 16); // a bomb is refused, not kept
}

} // namespace
