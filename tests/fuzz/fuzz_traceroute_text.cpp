// libFuzzer target: traceroute-family text (graph/input_formats.h) on
// arbitrary text, through parse_traceroute_text (which hands tracepath output
// on itself) and parse_tracepath_text directly; seeds from
// ../shared/realdata/traceroute (scripts/fuzz.sh). See reader_fuzz.h.
#include "tests/fuzz/reader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pathmap::fuzz::fuzz_reader("fuzz_traceroute_text", pathmap::graph::parse_traceroute_text, data, size);
    return pathmap::fuzz::fuzz_reader("fuzz_traceroute_text", pathmap::graph::parse_tracepath_text, data, size);
}
