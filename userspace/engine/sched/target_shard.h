// sweep --shard K/N: N vantage points split one sweep. The target set (the
// same on every machine given the same targets and --seed) is put in a
// keyed permuted order and cut into N contiguous runs of that order; shard
// K keeps the K-th. The parts are disjoint, their union is the whole set,
// their sizes differ by at most one, and each is spread over the whole
// address range rather than one block of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pathmap::sched
{

struct Shard {
    uint32_t index = 1; // K, 1-based
    uint32_t count = 1; // N
};

// "K/N" with 1 <= K <= N <= 65536; nullopt for anything else.
std::optional<Shard> parse_shard(std::string_view text);

// The addresses of `targets` (host order, sorted, unique) that shard K of N
// probes, sorted. The permutation is keyed by seed: every shard must use the same one.
std::vector<uint32_t> shard_targets(const std::vector<uint32_t> &targets, Shard shard, uint64_t seed);

} // namespace pathmap::sched
