// libFuzzer target: graph::parse_scamper_json (graph/input_formats.h) on arbitrary
// text; seeds from ../shared/realdata (scripts/fuzz.sh). See reader_fuzz.h.
#include "tests/fuzz/reader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return pathmap::fuzz::fuzz_reader("fuzz_scamper_json", pathmap::graph::parse_scamper_json, data, size);
}
