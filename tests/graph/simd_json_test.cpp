// graph/simd_json.h: documents found as reader_json.h finds them, JSON lines
// split into parts of whole lines read on several threads with the records
// in text order and errors naming the file's own line, and the
// number-or-string accessors; and the Atlas reader on both threads giving
// what it gives on one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph/input_formats.h"
#include "graph/simd_json.h"

namespace pathmap::graph
{
namespace
{

// The "n" of every record, part by part.
std::vector<std::vector<long long>> ns_by_part(std::string_view text, unsigned threads)
{
    return read_json_records<std::vector<long long>>(
        text, "t.json", threads, [](std::vector<long long> &out, JsonValue v) { out.push_back(sj_int(v, "n").value_or(-1)); });
}

std::vector<long long> flat(const std::vector<std::vector<long long>> &parts)
{
    std::vector<long long> all;
    for (const auto &p : parts)
        all.insert(all.end(), p.begin(), p.end());
    return all;
}

// Lines {"n":0} .. {"n":count-1}, each padded to about `width` bytes.
std::string numbered_lines(size_t count, size_t width)
{
    std::string text;
    const std::string pad(width, 'x');
    for (size_t i = 0; i < count; ++i)
        text += "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + pad + "\"}\n";
    return text;
}

TEST(SimdJson, OneDocumentAnArrayOrLines)
{
    EXPECT_EQ(flat(ns_by_part(R"({"n": 1})", 2)), (std::vector<long long>{1}));
    EXPECT_EQ(flat(ns_by_part("[{\"n\": 1},\n {\"n\": 2}\n]\n", 2)), (std::vector<long long>{1, 2}));
    EXPECT_EQ(flat(ns_by_part("{\"n\": 1}\n\n{\"n\": 2}\r\n[{\"n\": 3}, {\"n\": 4}]\n", 2)),
              (std::vector<long long>{1, 2, 3, 4}));
    EXPECT_TRUE(flat(ns_by_part(" \n\t\n", 2)).empty());
}

TEST(SimdJson, ErrorsSayTruncatedOrNameTheLine)
{
    try {
        ns_by_part("[{\"n\": 1},\n {\"n\": 2}\n", 2); // an array cut short
        FAIL() << "no error";
    } catch (const InputError &e) {
        EXPECT_NE(std::string(e.what()).find("t.json: not JSON (truncated or damaged?)"), std::string::npos) << e.what();
    }
    try {
        ns_by_part("{\"n\": 1}\n\n{\"n\": 2\n{\"n\": 3}\n", 2);
        FAIL() << "no error";
    } catch (const InputError &e) {
        EXPECT_NE(std::string(e.what()).find("t.json: line 3: not JSON"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ns_by_part("{\"n\": 1e999}", 1), InputError); // out of a double's range
}

TEST(SimdJson, LargeLinesAreReadInPartsInOrder)
{
    const std::string text = numbered_lines(40000, 500); // ~20 MB: more than two 8 MiB parts
    const JsonTextParts parts = split_json_text(text, 2);
    ASSERT_TRUE(parts.lines);
    ASSERT_EQ(parts.parts.size(), 2u);
    EXPECT_EQ(parts.parts[0].back(), '\n'); // cut after a whole line
    EXPECT_EQ(parts.parts[0].size() + parts.parts[1].size(), text.size());
    const auto by_part = ns_by_part(text, 2);
    ASSERT_EQ(by_part.size(), 2u);
    EXPECT_FALSE(by_part[0].empty());
    EXPECT_FALSE(by_part[1].empty());
    const std::vector<long long> all = flat(by_part);
    ASSERT_EQ(all.size(), 40000u);
    for (size_t i = 0; i < all.size(); ++i)
        ASSERT_EQ(all[i], static_cast<long long>(i));
    EXPECT_EQ(flat(ns_by_part(text, 1)), all);
}

TEST(SimdJson, AnErrorInTheSecondPartNamesTheFilesLine)
{
    std::string text = numbered_lines(40000, 500);
    // Break line 30001 (in the second part): drop its closing brace.
    size_t at = 0;
    for (int i = 0; i < 30000; ++i)
        at = text.find('\n', at) + 1;
    text.erase(text.find('\n', at) - 1, 1);
    ASSERT_EQ(split_json_text(text, 2).parts.size(), 2u);
    try {
        ns_by_part(text, 2);
        FAIL() << "no error";
    } catch (const InputError &e) {
        EXPECT_NE(std::string(e.what()).find("t.json: line 30001: not JSON"), std::string::npos) << e.what();
    }
}

TEST(SimdJson, NumbersWrittenAsNumbersOrStrings)
{
    simdjson::dom::parser p;
    const simdjson::padded_string text(std::string_view(
        R"({"i": 7, "neg": -3, "f": 2.0, "half": 2.5, "s": "12", "sf": "1.5", "bad": "12x", "o": {}, "str": "a"})"));
    const JsonValue v = p.parse(text).value();
    EXPECT_EQ(sj_int(v, "i"), 7);
    EXPECT_EQ(sj_int(v, "neg"), -3);
    EXPECT_EQ(sj_int(v, "f"), 2);
    EXPECT_FALSE(sj_int(v, "half"));
    EXPECT_EQ(sj_int(v, "s"), 12);
    EXPECT_FALSE(sj_int(v, "bad"));
    EXPECT_FALSE(sj_int(v, "o"));
    EXPECT_FALSE(sj_int(v, "absent"));
    EXPECT_DOUBLE_EQ(sj_double(v, "half").value_or(0), 2.5);
    EXPECT_DOUBLE_EQ(sj_double(v, "sf").value_or(0), 1.5);
    EXPECT_DOUBLE_EQ(sj_double(v, "i").value_or(0), 7.0);
    EXPECT_FALSE(sj_double(v, "bad"));
    EXPECT_EQ(sj_string(v, "str"), "a");
    EXPECT_EQ(sj_string(v, "i"), "");
    EXPECT_TRUE(sj_has(v, "o"));
    EXPECT_FALSE(sj_has(v, "absent"));
    EXPECT_FALSE(sj_array(v, "o"));
    const JsonValue arr = p.parse(simdjson::padded_string(std::string_view("[1]"))).value();
    EXPECT_FALSE(sj_int(arr, "i")); // not an object
}

// ~20 MB of Atlas results, one per line: read on two threads, every result
// in order, one skipped late result counted once.
TEST(SimdJson, AtlasLinesOnTwoThreadsKeepTheirOrder)
{
    std::string text;
    const std::string pad(400, 'x');
    for (int i = 0; i < 40000; ++i) {
        const std::string dst = "192.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        if (i == 30000) {
            text += R"({"type":"traceroute","dst_addr":")" + dst +
                    R"(","prb_id":1,"result":[{"hop":1,"result":[{"from":"198.51.100.1","late":2}]}],"pad":")" + pad +
                    "\"}\n";
            continue;
        }
        text += R"({"type":"traceroute","dst_addr":")" + dst + R"(","prb_id":)" + std::to_string(i) +
                R"(,"result":[{"hop":1,"result":[{"from":"198.51.100.1","rtt":1.5}]},{"hop":2,"result":[{"from":")" +
                dst + R"(","rtt":)" + std::to_string(2 + i % 7) + R"(}]}],"pad":")" + pad + "\"}\n";
    }
    ASSERT_EQ(split_json_text(text, 2).parts.size(), 2u);
    const std::vector<Trace> ts = parse_atlas_json(text, "a.json");
    ASSERT_EQ(ts.size(), 39999u);
    for (size_t k = 0; k < ts.size(); ++k) {
        const int i = static_cast<int>(k < 30000 ? k : k + 1);
        ASSERT_EQ(ts[k].vantage_id, std::to_string(i));
        ASSERT_EQ(ts[k].hops.size(), 2u);
        EXPECT_TRUE(ts[k].reached);
        EXPECT_DOUBLE_EQ(ts[k].hops[1].rtt_ms, 2 + i % 7);
    }
}

} // namespace
} // namespace pathmap::graph
