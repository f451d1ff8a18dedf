// A keyed pseudo-random permutation of [0, n): a 4-round Feistel network
// over the smallest even-width bit domain holding n, with cycle walking to
// stay inside [0, n). Visiting at(0..n-1) yields every index exactly once
// in a scrambled order, with O(1) state: this is how a sweep spreads probes
// over targets and TTLs (yarrp's idea) without a shuffled array.
#pragma once

#include <cstdint>

namespace pathmap::sched {

// splitmix64's finaliser: the Feistel round function, and whatever else in
// the scheduler needs a sample that does not follow address order.
inline uint64_t mix64(uint64_t x) noexcept
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

class Permutation {
public:
    Permutation(uint64_t n, uint64_t seed) noexcept;
    uint64_t size() const noexcept { return n_; }
    // The i-th element of the permutation, i < size().
    uint64_t at(uint64_t i) const noexcept;

private:
    uint64_t encrypt(uint64_t x) const noexcept;
    uint64_t n_;
    unsigned half_bits_;
    uint64_t half_mask_;
    uint64_t keys_[4];
};

// (target, TTL) pairs in permuted order: element e is target e / max_ttl,
// TTL 1 + e % max_ttl.
struct TargetTtl {
    uint64_t target;
    uint8_t ttl;
};
inline TargetTtl split_target_ttl(uint64_t e, uint8_t max_ttl) noexcept
{
    return {e / max_ttl, static_cast<uint8_t>(1 + e % max_ttl)};
}

} // namespace pathmap::sched
