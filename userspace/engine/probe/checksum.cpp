// RFC 1071 Internet checksum over bytes (big-endian 16-bit words).
#include "userspace/engine/probe/checksum.h"

namespace pathmap::probe {

uint32_t checksum_partial(std::span<const uint8_t> data, uint32_t sum) noexcept
{
    // 64-bit accumulator: no carry handling needed inside the loop for any
    // frame size we build.
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2) acc += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
    if (i < data.size()) acc += static_cast<uint32_t>(data[i] << 8);
    while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
    return static_cast<uint32_t>(acc);
}

uint16_t checksum_fold(uint32_t sum) noexcept
{
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

} // namespace pathmap::probe
