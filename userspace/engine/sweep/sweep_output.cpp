// traces.jsonl and summary.json writers.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "pathmap/atomic_file.h"
#include "pathmap/trace_io.h"
#include "userspace/engine/sweep/sweep_run.h"

namespace pathmap::sweep {

uint64_t estimate_sweep_bytes(size_t targets, uint16_t flows, uint8_t max_ttl, bool graph) noexcept
{
    const uint64_t traces = uint64_t{targets} * std::max<uint16_t>(flows, 1);
    const uint64_t table = traces * (uint64_t{max_ttl} * 16 + 64); // hop slots; bitmaps, terminal, Doubletree state, target
    const uint64_t assembled = traces * 1024;                      // Trace objects and their hops
    const uint64_t graph_bytes = graph ? traces * 512 : 0;         // builder, paths, exports
    return (32ull << 20) + table + assembled + graph_bytes;
}

std::string format_bytes(uint64_t bytes)
{
    if (bytes >= (1ull << 30)) return fmt::format("{:.1f} GiB", double(bytes) / double(1ull << 30));
    return fmt::format("{} MiB", (bytes + (1ull << 20) - 1) >> 20);
}

void write_sweep_outputs(const std::string &dir, const SweepResult &result)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create output directory {}: {}", dir, ec.message()));
    // Each file appears whole or not at all (AtomicFile): an interrupted
    // write leaves the previous run's file.
    AtomicFile traces(dir + "/traces.jsonl");
    for (const Trace &t : result.traces) write_trace_line(traces.stream(), t);
    traces.commit();
    AtomicFile summary(dir + "/summary.json");
    summary.stream() << result.summary.dump(2) << '\n';
    summary.commit();
}

} // namespace pathmap::sweep
