// traces.jsonl and summary.json writers.
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "pathmap/trace_io.h"
#include "userspace/engine/sweep/sweep_run.h"

namespace pathmap::sweep {

void write_sweep_outputs(const std::string &dir, const SweepResult &result)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create output directory {}: {}", dir, ec.message()));
    const std::string traces_path = dir + "/traces.jsonl", summary_path = dir + "/summary.json";
    {
        std::ofstream out(traces_path, std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", traces_path));
        for (const Trace &t : result.traces) write_trace_line(out, t);
        if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", traces_path));
    }
    std::ofstream out(summary_path, std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", summary_path));
    out << result.summary.dump(2) << '\n';
    if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", summary_path));
}

} // namespace pathmap::sweep
