// traces.jsonl and summary.json writers.
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "pathmap/atomic_file.h"
#include "pathmap/trace_io.h"
#include "userspace/engine/sweep/sweep_run.h"

namespace pathmap::sweep {

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
