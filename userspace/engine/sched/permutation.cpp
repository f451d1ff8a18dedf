// Feistel permutation with cycle walking. The round function is a 64-bit
// mixer (splitmix64 finalizer); four rounds are plenty for load spreading,
// this is not cryptography.
#include "userspace/engine/sched/permutation.h"

namespace pathmap::sched {
Permutation::Permutation(uint64_t n, uint64_t seed) noexcept : n_(n)
{
    unsigned bits = 2;
    while (bits < 64 && (uint64_t{1} << bits) < n) bits += 2;
    half_bits_ = bits / 2;
    half_mask_ = (uint64_t{1} << half_bits_) - 1;
    uint64_t k = seed;
    for (auto &key : keys_) key = k = mix64(k + 0x632be59bd9b4e019ull);
}

uint64_t Permutation::encrypt(uint64_t x) const noexcept
{
    uint64_t l = x >> half_bits_, r = x & half_mask_;
    for (uint64_t key : keys_) {
        const uint64_t nl = r;
        r = l ^ (mix64(r ^ key) & half_mask_);
        l = nl;
    }
    return (l << half_bits_) | r;
}

uint64_t Permutation::at(uint64_t i) const noexcept
{
    // The domain is at most 4n, so the walk ends after a few steps on average;
    // it always ends because encrypt is a bijection on the domain.
    uint64_t x = encrypt(i);
    while (x >= n_) x = encrypt(x);
    return x;
}

} // namespace pathmap::sched
