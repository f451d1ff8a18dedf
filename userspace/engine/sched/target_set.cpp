// Target parsing, blocklist and per-/24 sampling.
#include "userspace/engine/sched/target_set.h"

#include <algorithm>
#include <fstream>
#include <random>

#include <fmt/core.h>

namespace pathmap::sched {
namespace {

Ipv4Prefix pfx(const char *s) { return *parse_prefix(s); }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

} // namespace

const std::vector<Ipv4Prefix> &special_purpose_blocks()
{
    static const std::vector<Ipv4Prefix> blocks = {
        pfx("0.0.0.0/8"),       pfx("10.0.0.0/8"),      pfx("100.64.0.0/10"),  pfx("127.0.0.0/8"),
        pfx("169.254.0.0/16"),  pfx("172.16.0.0/12"),   pfx("192.0.0.0/24"),   pfx("192.0.2.0/24"),
        pfx("192.168.0.0/16"),  pfx("198.18.0.0/15"),   pfx("198.51.100.0/24"), pfx("203.0.113.0/24"),
        pfx("224.0.0.0/4"),     pfx("240.0.0.0/4"),     pfx("255.255.255.255/32"),
    };
    return blocks;
}

Blocklist::Blocklist(std::vector<Ipv4Prefix> allowed) : blocked_(special_purpose_blocks()), allowed_(std::move(allowed)) {}

Blocklist::Blocklist(std::vector<Ipv4Prefix> blocked, std::vector<Ipv4Prefix> allowed)
    : blocked_(std::move(blocked)), allowed_(std::move(allowed))
{
}

bool Blocklist::blocked(uint32_t addr) const noexcept
{
    for (const auto &a : allowed_)
        if (a.contains(addr)) return false;
    for (const auto &b : blocked_)
        if (b.contains(addr)) return true;
    return false;
}

std::string Blocklist::reason(uint32_t addr) const
{
    if (!blocked(addr)) return "";
    for (const auto &b : blocked_)
        if (b.contains(addr)) return format_prefix(b);
    return "";
}

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
    std::string first_block;
    auto add = [&](uint32_t a) {
        if (blocklist.blocked(a)) {
            if (first_block.empty()) first_block = fmt::format("{} (in {})", format_ipv4(a), blocklist.reason(a));
            ++set.blocked;
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
            if (blocklist.blocked(static_cast<uint32_t>(lo)) && blocklist.blocked(static_cast<uint32_t>(hi))) {
                // Blocklist entries are /24 or larger (except one /32), so both
                // ends blocked means the block is.
                add(static_cast<uint32_t>(lo));
                set.blocked += n - 1;
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
        throw TargetError(fmt::format("every target is in a special-purpose block, e.g. {}: pass --allow PREFIX to probe it",
                                      first_block.empty() ? std::string("(none)") : first_block));
    }
    return set;
}

} // namespace pathmap::sched
