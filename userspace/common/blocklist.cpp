// The special-purpose blocklist: registry table, longest-match lookup, the
// refusal message.
#include "pathmap/blocklist.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

namespace pathmap {
namespace {

constexpr Ipv4Prefix pfx(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint8_t len)
{
    return Ipv4Prefix{.addr = (a << 24) | (b << 16) | (c << 8) | d, .len = len};
}

// Every registry entry whose "Globally Reachable" is False (or N/A, as for
// the deprecated 6to4 relay block), the reachable entries nested in one of
// them, and multicast. Reachable entries outside any blocked block (AS112
// 192.31.196.0/24 and 192.175.48.0/24, AMT 192.52.193.0/24) are ordinary
// unicast to a prober and are left out.
constexpr SpecialPurposeBlock kRegistry[] = {
    {pfx(0, 0, 0, 0, 8), "this network", "RFC 791"},
    {pfx(0, 0, 0, 0, 32), "this host on this network", "RFC 1122"},
    {pfx(10, 0, 0, 0, 8), "private use", "RFC 1918"},
    {pfx(100, 64, 0, 0, 10), "shared address space", "RFC 6598"},
    {pfx(127, 0, 0, 0, 8), "loopback", "RFC 1122"},
    {pfx(169, 254, 0, 0, 16), "link local", "RFC 3927"},
    {pfx(172, 16, 0, 0, 12), "private use", "RFC 1918"},
    {pfx(192, 0, 0, 0, 24), "IETF protocol assignments", "RFC 6890"},
    {pfx(192, 0, 0, 0, 29), "IPv4 service continuity prefix", "RFC 7335"},
    {pfx(192, 0, 0, 8, 32), "IPv4 dummy address", "RFC 7600"},
    {pfx(192, 0, 0, 9, 32), "Port Control Protocol anycast", "RFC 7723", true},
    {pfx(192, 0, 0, 10, 32), "TURN anycast", "RFC 8155", true},
    {pfx(192, 0, 0, 170, 32), "NAT64/DNS64 discovery", "RFC 8880"},
    {pfx(192, 0, 0, 171, 32), "NAT64/DNS64 discovery", "RFC 8880"},
    {pfx(192, 0, 2, 0, 24), "documentation, TEST-NET-1", "RFC 5737"},
    // Deprecated: the anycast relays left are run by unknown third parties.
    {pfx(192, 88, 99, 0, 24), "deprecated 6to4 relay anycast", "RFC 7526"},
    {pfx(192, 168, 0, 0, 16), "private use", "RFC 1918"},
    {pfx(198, 18, 0, 0, 15), "benchmarking", "RFC 2544"},
    {pfx(198, 51, 100, 0, 24), "documentation, TEST-NET-2", "RFC 5737"},
    {pfx(203, 0, 113, 0, 24), "documentation, TEST-NET-3", "RFC 5737"},
    // Not in the special-purpose registry, but never a unicast destination.
    {pfx(224, 0, 0, 0, 4), "multicast", "RFC 5771"},
    {pfx(240, 0, 0, 0, 4), "reserved", "RFC 1112"},
    {pfx(255, 255, 255, 255, 32), "limited broadcast", "RFC 919"},
};

std::vector<SpecialPurposeBlock> longest_first(std::vector<SpecialPurposeBlock> v)
{
    std::stable_sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.prefix.len > b.prefix.len; });
    return v;
}

} // namespace

std::span<const SpecialPurposeBlock> special_purpose_registry()
{
    static const std::vector<SpecialPurposeBlock> sorted =
        longest_first(std::vector<SpecialPurposeBlock>(std::begin(kRegistry), std::end(kRegistry)));
    return sorted;
}

Blocklist::Blocklist(std::vector<Ipv4Prefix> allowed)
    : entries_(special_purpose_registry().begin(), special_purpose_registry().end()), allowed_(std::move(allowed))
{
}

Blocklist::Blocklist(std::vector<Ipv4Prefix> blocked, std::vector<Ipv4Prefix> allowed) : allowed_(std::move(allowed))
{
    for (const auto &p : blocked) entries_.push_back({p, "blocked", ""});
    entries_ = longest_first(std::move(entries_));
}

const SpecialPurposeBlock *Blocklist::refusing_block(uint32_t addr) const noexcept
{
    for (const auto &a : allowed_)
        if (a.contains(addr)) return nullptr;
    for (const auto &e : entries_)
        if (e.prefix.contains(addr)) return e.globally_reachable ? nullptr : &e; // longest match decides
    return nullptr;
}

bool Blocklist::blocks_all(const Ipv4Prefix &range) const noexcept
{
    auto inside = [&](const Ipv4Prefix &p) { return p.len > range.len && range.contains(p.addr); };
    bool split = false;
    for (const auto &a : allowed_) {
        if (a.len <= range.len && a.contains(range.addr)) return false; // all of range allowed
        split = split || inside(a);
    }
    const SpecialPurposeBlock *cover = nullptr;
    for (const auto &e : entries_) {
        if (inside(e.prefix)) split = true;
        else if (!cover && e.prefix.contains(range.addr)) cover = &e; // most specific entry holding all of range
    }
    // With nothing smaller inside, every address of range has the same
    // longest match; otherwise decide half by half (depth <= 32, and only
    // along the few entries, so a handful of steps).
    if (!split) return cover && !cover->globally_reachable;
    const auto half_len = static_cast<uint8_t>(range.len + 1);
    const Ipv4Prefix lo{.addr = range.addr, .len = half_len};
    const Ipv4Prefix hi{.addr = range.addr | (uint32_t{1} << (32 - half_len)), .len = half_len};
    return blocks_all(lo) && blocks_all(hi);
}

std::string Blocklist::reason(uint32_t addr) const
{
    const auto *b = refusing_block(addr);
    return b ? format_prefix(b->prefix) : std::string();
}

std::string Blocklist::refusal(uint32_t addr) const
{
    const auto *b = refusing_block(addr);
    if (!b) return "";
    const std::string block = format_prefix(b->prefix);
    return fmt::format("target {} is in {} ({}{}{}), a special-purpose block: pass --allow {} to probe it",
                       format_ipv4(addr), block, b->name, b->source.empty() ? "" : ", ", b->source, block);
}

std::vector<Ipv4Prefix> parse_allow_list(const std::vector<std::string> &texts)
{
    std::vector<Ipv4Prefix> out;
    for (const auto &t : texts) {
        auto p = parse_prefix(t);
        if (!p) throw std::invalid_argument(fmt::format("--allow {}: not a CIDR prefix (host bits must be zero)", t));
        out.push_back(*p);
    }
    return out;
}

} // namespace pathmap
