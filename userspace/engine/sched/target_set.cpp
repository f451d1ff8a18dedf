// Target parsing and per-/24 sampling.
#include "userspace/engine/sched/target_set.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <random>

#include <fmt/core.h>

namespace pathmap::sched {
namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

} // namespace

Ipv4Prefix parse_target(std::string_view text)
{
    auto p = parse_prefix(trim(text));
    if (!p) {
        throw TargetError(fmt::format("'{}' is not an IPv4 address or CIDR prefix (like 198.19.0.0/16, host bits zero)",
                                      std::string(text)));
    }
    return *p;
}

std::vector<Ipv4Prefix> read_target_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in) throw TargetError(fmt::format("cannot read target file {}", path));
    std::vector<Ipv4Prefix> out;
    std::string line;
    for (size_t no = 1; std::getline(in, line); ++no) {
        std::string_view s = line;
        if (auto hash = s.find('#'); hash != std::string_view::npos) s = s.substr(0, hash);
        s = trim(s);
        if (s.empty()) continue;
        auto p = parse_prefix(s);
        if (!p) throw TargetError(fmt::format("{}:{}: '{}' is not an IPv4 address or CIDR prefix", path, no, std::string(s)));
        out.push_back(*p);
    }
    return out;
}

TargetSet select_targets(const std::vector<Ipv4Prefix> &prefixes, const Blocklist &blocklist, const TargetSelection &sel)
{
    if (prefixes.empty()) throw TargetError("no targets given: name addresses or prefixes, or -f FILE");
    if (!sel.all_hosts && sel.per_24 == 0) throw TargetError("--per-24 must be at least 1");
    TargetSet set;
    std::mt19937_64 rng(sel.seed);
    std::optional<uint32_t> first_blocked;
    auto skip = [&](uint32_t a, uint64_t count) {
        if (!first_blocked) first_blocked = a;
        set.blocked += count;
    };
    auto add = [&](uint32_t a) {
        if (blocklist.blocked(a)) {
            skip(a, 1);
            return;
        }
        if (set.addrs.size() >= sel.max_targets) {
            throw TargetError(fmt::format("more than {} targets: use fewer prefixes or --per-24 instead of --all-hosts",
                                          sel.max_targets));
        }
        set.addrs.push_back(a);
    };
    for (const auto &p : prefixes) {
        if (p.len == 32 || sel.all_hosts) {
            for (uint64_t a = p.first(); a <= p.last(); ++a) add(static_cast<uint32_t>(a));
            continue;
        }
        // Per /24 (or the whole prefix when it is smaller than a /24).
        const uint8_t block_len = std::max<uint8_t>(p.len, 24);
        const uint64_t block_size = uint64_t{1} << (32 - block_len);
        for (uint64_t base = p.first(); base <= p.last(); base += block_size) {
            // Skip the network and broadcast addresses of a whole /24.
            const uint64_t lo = block_size == 256 ? base + 1 : base;
            const uint64_t hi = block_size == 256 ? base + 254 : base + block_size - 1;
            const uint64_t n = hi - lo + 1;
            if (blocklist.blocks_all(Ipv4Prefix{.addr = static_cast<uint32_t>(base), .len = block_len})) {
                skip(static_cast<uint32_t>(base), n);
                continue;
            }
            const uint64_t k = std::min<uint64_t>(sel.per_24, n);
            // Floyd's sampling: k distinct offsets in [0, n).
            std::vector<uint64_t> picked;
            for (uint64_t j = n - k; j < n; ++j) {
                uint64_t t = std::uniform_int_distribution<uint64_t>(0, j)(rng);
                if (std::find(picked.begin(), picked.end(), t) != picked.end()) t = j;
                picked.push_back(t);
            }
            for (uint64_t off : picked) add(static_cast<uint32_t>(lo + off));
        }
    }
    std::sort(set.addrs.begin(), set.addrs.end());
    set.addrs.erase(std::unique(set.addrs.begin(), set.addrs.end()), set.addrs.end());
    if (set.addrs.empty()) {
        // Same words as `pathmap mtr` for the same target.
        throw TargetError(first_blocked ? blocklist.refusal(*first_blocked) : std::string("no targets left"));
    }
    return set;
}

} // namespace pathmap::sched
