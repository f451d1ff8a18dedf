// libFuzzer target: graph::parse_warts (graph/input_formats.h), the binary
// .warts reader, on arbitrary bytes; seeds are the real .warts files of
// ../shared/realdata/scamper/warts (scripts/fuzz.sh). See reader_fuzz.h.
#include "tests/fuzz/reader_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return pathmap::fuzz::fuzz_reader("fuzz_warts", pathmap::graph::parse_warts, data, size);
}
