// The --continuous terminal view: plain ANSI escapes (no curses), the
// alternate screen, a header line and every target's hop table, redrawn each
// round; `q` read from a raw-mode terminal. The terminal is restored by the
// destructor, so every exit path (normal, exception, signal flag) restores it.
#pragma once

#include <cstdint>
#include <string>

#include "userspace/mtr/host_naming.h"
#include "userspace/mtr/mtr_run.h"

namespace pathmap::mtr {

struct LiveHeader {
    std::string targets_text; // "198.19.1.1" or "198.19.1.0/24 (256 targets)"
    uint64_t rounds = 0;
    double pps_out = 0, pps_in = 0;
    double elapsed_s = 0;
    std::string proto;
    std::string names_status; // "names: 5 of 6 resolved"... after the counters; empty: none
};

// The header line (pure, for tests).
std::string format_live_header(const LiveHeader &);
// One full screen: header, counters, hop tables; at most `rows` lines. Hosts
// as `naming` writes them now: names fill in on later screens as they arrive.
std::string render_live_screen(const LiveHeader &, const MtrRun &, unsigned rows, const HostNaming &naming = {});

class LiveView {
public:
    // Enters raw mode (no echo, no line buffering; Ctrl-C still signals) and
    // the alternate screen on fd 0/1. Throws std::runtime_error if stdin or
    // stdout is not a terminal.
    LiveView();
    ~LiveView();
    LiveView(const LiveView &) = delete;
    LiveView &operator=(const LiveView &) = delete;

    void draw(const LiveHeader &, const MtrRun &, const HostNaming &naming = {});
    // Reads pending keys without blocking; true once `q` or `Q` was typed.
    bool quit_requested() noexcept;
    // Leaves the alternate screen and restores the terminal now (idempotent).
    void restore() noexcept;

private:
    struct Saved;
    Saved *saved_ = nullptr;
};

} // namespace pathmap::mtr
