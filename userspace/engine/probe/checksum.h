// RFC 1071 Internet checksum, with incremental helpers. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace pathmap::probe {

// Unfolded 32-bit sum of the 16-bit big-endian words of `data` (an odd
// trailing byte is padded with zero). Add partial sums, then fold.
uint32_t checksum_partial(std::span<const uint8_t> data, uint32_t sum = 0) noexcept;
// Folds a partial sum to 16 bits (one's complement addition).
uint16_t checksum_fold(uint32_t sum) noexcept;
// The checksum to store: ~fold(sum). Host-order value, write big-endian.
inline uint16_t checksum_finish(uint32_t sum) noexcept { return static_cast<uint16_t>(~checksum_fold(sum)); }
// Checksum of a whole buffer.
inline uint16_t internet_checksum(std::span<const uint8_t> data) noexcept
{
    return checksum_finish(checksum_partial(data));
}

} // namespace pathmap::probe
