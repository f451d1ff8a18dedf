// Welford update and jitter accumulation for RttStats.
#include "userspace/mtr/rtt_stats.h"

#include <cmath>

namespace pathmap::mtr {

void RttStats::add(double rtt_us) noexcept
{
    if (count_ == 0) {
        best_ = worst_ = rtt_us;
    } else {
        if (rtt_us < best_) best_ = rtt_us;
        if (rtt_us > worst_) worst_ = rtt_us;
        double y = std::fabs(rtt_us - last_) - jitter_carry_;
        double t = jitter_sum_ + y;
        jitter_carry_ = (t - jitter_sum_) - y;
        jitter_sum_ = t;
    }
    ++count_;
    double delta = rtt_us - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (rtt_us - mean_);
    last_ = rtt_us;
}

double RttStats::stdev_us() const noexcept
{
    if (count_ < 2) return 0.0;
    double var = m2_ / static_cast<double>(count_ - 1);
    return var > 0 ? std::sqrt(var) : 0.0;
}

double RttStats::jitter_us() const noexcept
{
    if (count_ < 2) return 0.0;
    return jitter_sum_ / static_cast<double>(count_ - 1);
}

} // namespace pathmap::mtr
