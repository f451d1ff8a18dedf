// Strict dotted-quad and CIDR parsing: no leading zeros tricks, no
// trailing garbage, host bits must be zero in a prefix.
#include "pathmap/ipv4.h"

#include <charconv>

namespace pathmap {

std::optional<uint32_t> parse_ipv4(std::string_view s)
{
    uint32_t out = 0;
    for (int i = 0; i < 4; ++i) {
        if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        size_t used = static_cast<size_t>(p - s.data());
        if (ec != std::errc{} || v > 255 || used > 3) return std::nullopt;
        out = (out << 8) | v;
        s.remove_prefix(used);
        if (i < 3) {
            if (s.empty() || s.front() != '.') return std::nullopt;
            s.remove_prefix(1);
        }
    }
    if (!s.empty()) return std::nullopt;
    return out;
}

std::optional<Ipv4Prefix> parse_prefix(std::string_view s)
{
    auto slash = s.find('/');
    auto a = parse_ipv4(s.substr(0, slash));
    if (!a) return std::nullopt;
    Ipv4Prefix p{.addr = *a, .len = 32};
    if (slash != std::string_view::npos) {
        auto rest = s.substr(slash + 1);
        unsigned len = 0;
        auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
        if (rest.empty() || ec != std::errc{} || ptr != rest.data() + rest.size() || len > 32)
            return std::nullopt;
        p.len = static_cast<uint8_t>(len);
    }
    if ((p.addr & ~p.mask()) != 0) return std::nullopt;
    return p;
}

std::string format_ipv4(uint32_t a)
{
    return std::to_string(a >> 24) + '.' + std::to_string((a >> 16) & 0xff) + '.' +
           std::to_string((a >> 8) & 0xff) + '.' + std::to_string(a & 0xff);
}

std::string format_prefix(const Ipv4Prefix &p) { return format_ipv4(p.addr) + '/' + std::to_string(p.len); }

} // namespace pathmap
