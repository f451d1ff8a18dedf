// Status line formatting.
#include "userspace/engine/sweep/status_line.h"

#include <cstdio>

#include <fmt/core.h>

namespace pathmap::sweep {
namespace {

std::string rate(double per_s)
{
    if (per_s >= 1e6) return fmt::format("{:.2f}M/s", per_s / 1e6);
    if (per_s >= 1e3) return fmt::format("{:.1f}k/s", per_s / 1e3);
    return fmt::format("{:.0f}/s", per_s);
}

} // namespace

std::string format_status(const Progress &now, const Progress &prev, double elapsed_s, double interval_s)
{
    const double dt = interval_s > 0 ? interval_s : 1.0;
    std::string eta = "?";
    if (now.done > 0.001 && now.done < 1.0) eta = fmt::format("{:.0f}s", elapsed_s * (1.0 - now.done) / now.done);
    if (now.done >= 1.0) eta = "0s";
    return fmt::format("[{:6.1f}s] {:<8} sent {} ({})  recv {} ({})  {:.1f}% done  ETA {}", elapsed_s, now.phase,
                       now.sent, rate(static_cast<double>(now.sent - prev.sent) / dt), now.received,
                       rate(static_cast<double>(now.received - prev.received) / dt), now.done * 100.0, eta);
}

void StatusLine::tick(uint64_t now_ns, const Progress &p, bool force)
{
    if (quiet_) return;
    if (!force && now_ns - last_ns_ < 1'000'000'000ull) return;
    const std::string line = format_status(p, prev_, (now_ns - start_ns_) / 1e9, (now_ns - last_ns_) / 1e9);
    std::fprintf(stderr, "%s\n", line.c_str());
    last_ns_ = now_ns;
    prev_ = p;
}

} // namespace pathmap::sweep
