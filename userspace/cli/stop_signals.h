// SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session) call one
// handler for as long as the scope lives, then the previous handlers are
// back. sweep and mtr keep it until their last output file is written, so a
// signal never cuts a file short; the handler only sets flags.
#pragma once

#include <csignal>

namespace pathmap::cli {

class StopSignals {
public:
    explicit StopSignals(void (*handler)(int))
    {
        struct sigaction sa {};
        sa.sa_handler = handler;
        sigemptyset(&sa.sa_mask);
        for (int i = 0; i < kCount; ++i) sigaction(kSignals[i], &sa, &old_[i]);
    }
    ~StopSignals()
    {
        for (int i = 0; i < kCount; ++i) sigaction(kSignals[i], &old_[i], nullptr);
    }
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

private:
    static constexpr int kCount = 3;
    static constexpr int kSignals[kCount] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction old_[kCount] {};
};

} // namespace pathmap::cli
