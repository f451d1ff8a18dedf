// The once-a-second progress line a sweep prints on stderr.
#pragma once

#include <cstdint>
#include <string>

namespace pathmap::sweep {

struct Progress {
    uint64_t sent = 0, received = 0;
    double done = 0.0; // 0..1
    const char *phase = "";
};

// "[  3.0s] preprobe  sent 30000 (10.0k/s)  recv 29876 (9.9k/s)  42.1% done  ETA 4s"
std::string format_status(const Progress &now, const Progress &prev, double elapsed_s, double interval_s);

class StatusLine {
public:
    StatusLine(bool quiet, uint64_t start_ns) noexcept : quiet_(quiet), start_ns_(start_ns), last_ns_(start_ns) {}
    // Prints when at least a second passed since the last line (or force).
    void tick(uint64_t now_ns, const Progress &p, bool force = false);

private:
    bool quiet_;
    uint64_t start_ns_, last_ns_;
    Progress prev_;
};

} // namespace pathmap::sweep
