// Shared body of the reader fuzzers (fuzz_<format>.cpp): the input as a
// whole file through one reader of `pathmap graph` (graph/input_formats.h).
// The contract: the reader returns traces or throws InputError. Anything
// else escaping (a nlohmann exception, std::out_of_range, ...) aborts, as do
// ASan/UBSan reports, hangs and runaway memory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "graph/input_formats.h"
#include "pathmap/log.h"

namespace pathmap::fuzz {

template <class Reader>
int fuzz_reader(const char *fuzzer, Reader reader, const uint8_t *data, size_t size)
{
    // A copy of exactly `size` bytes: ASan then reports any read past the text.
    const std::vector<char> text(data, data + size);
    try {
        std::vector<Trace> traces = reader(std::string_view(text.data(), text.size()), std::string("fuzz-input"));
        for (const Trace &t : traces)
            for (const Hop &h : t.hops)
                if (h.mpls_labels.size() > 4096) std::abort(); // touch every hop: ASan sees bad ones
    } catch (const graph::InputError &) {
        // rejected with a message: fine
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: escaped the reader (not InputError): %s\n", fuzzer, e.what());
        std::abort();
    }
    return 0;
}

} // namespace pathmap::fuzz

// The readers warn about what they skip; a line per input would slow the
// fuzzer and flood its log. Errors still print.
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    pathmap::log::set_level(pathmap::log::Level::error);
    return 0;
}
