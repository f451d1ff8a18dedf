// IPv4 addresses and prefixes in host byte order, parsing and formatting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pathmap {

struct Ipv4Prefix {
    uint32_t addr = 0; // host order, host bits cleared
    uint8_t len = 32;

    uint64_t size() const { return uint64_t{1} << (32 - len); }
    uint32_t mask() const { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }
    bool contains(uint32_t a) const { return (a & mask()) == addr; }
    uint32_t first() const { return addr; }
    uint32_t last() const { return addr | ~mask(); }
};

std::optional<uint32_t> parse_ipv4(std::string_view s);           // host order
std::optional<Ipv4Prefix> parse_prefix(std::string_view s);       // "a.b.c.d/n" or "a.b.c.d"
std::string format_ipv4(uint32_t host_order);
std::string format_prefix(const Ipv4Prefix &p);

} // namespace pathmap
