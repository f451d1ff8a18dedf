// Streaming round-trip-time statistics for one MTR row: Welford's running
// mean and variance (constant memory, no catastrophic cancellation over
// hours of samples), best/worst/last, and jitter as the mean absolute
// difference of successive RTTs. Units are microseconds throughout.
#pragma once

#include <cstdint>

namespace pathmap::mtr {

class RttStats {
public:
    void add(double rtt_us) noexcept;

    uint64_t count() const noexcept { return count_; }
    double last_us() const noexcept { return last_; }
    double best_us() const noexcept { return count_ ? best_ : 0.0; }
    double worst_us() const noexcept { return count_ ? worst_ : 0.0; }
    double mean_us() const noexcept { return count_ ? mean_ : 0.0; }
    // Sample standard deviation (n-1), as mtr reports it; 0 below 2 samples.
    double stdev_us() const noexcept;
    // Mean |rtt_i - rtt_{i-1}| over successive samples; 0 below 2 samples.
    double jitter_us() const noexcept;

private:
    uint64_t count_ = 0;
    double mean_ = 0.0, m2_ = 0.0;
    double last_ = 0.0, best_ = 0.0, worst_ = 0.0;
    // Kahan-compensated so millions of small differences keep their precision.
    double jitter_sum_ = 0.0, jitter_carry_ = 0.0;
};

} // namespace pathmap::mtr
