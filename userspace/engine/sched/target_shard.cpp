// sweep --shard K/N (target_shard.h).
#include "userspace/engine/sched/target_shard.h"

#include <algorithm>
#include <charconv>

#include "userspace/engine/sched/permutation.h"

namespace pathmap::sched
{
namespace
{

// The probe order uses Permutation(n, seed) too; another key keeps the split
// unrelated to it.
constexpr uint64_t kShardKey = 0x5348415244ull; // "SHARD"

std::optional<uint32_t> parse_u32(std::string_view s)
{
    uint32_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

} // namespace

std::optional<Shard> parse_shard(std::string_view text)
{
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const auto k = parse_u32(text.substr(0, slash)), n = parse_u32(text.substr(slash + 1));
    if (!k || !n || *n == 0 || *n > 65536 || *k == 0 || *k > *n) return std::nullopt;
    return Shard{.index = *k, .count = *n};
}

std::vector<uint32_t> shard_targets(const std::vector<uint32_t> &targets, Shard shard, uint64_t seed)
{
    const uint64_t n = targets.size();
    // Shard K holds permuted positions [(K-1) n / N, K n / N).
    const uint64_t begin = (shard.index - 1) * n / shard.count, end = shard.index * n / shard.count;
    const Permutation order(n, seed ^ kShardKey);
    std::vector<uint32_t> out;
    out.reserve(end - begin);
    for (uint64_t i = begin; i < end; ++i)
        out.push_back(targets[order.at(i)]);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace pathmap::sched
