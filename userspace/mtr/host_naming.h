// How a hop's host is written, as mtr 0.95's snprint_addr does: "???" for a
// TTL with no reply, the reverse DNS name when one is known (the default),
// the address with -n or while no name has resolved, "name (addr)" with -b.
// Where names come from is the caller's business (the CLI asks c-ares); the
// formatters only look them up, so they stay pure and never wait.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pathmap::mtr {

struct HostNaming {
    // The name of an address if one is known now; must not block. Empty
    // function: addresses only (-n).
    std::function<std::optional<std::string>(uint32_t)> name_of;
    bool show_ips = false; // -b: "name (addr)"

    std::string host(const std::optional<uint32_t> &addr) const;
};

// A name as it may be printed on a terminal or into CSV: characters outside
// a host name's alphabet (letters, digits, '-', '.', '_') become '?', so a
// hostile PTR record cannot carry escape sequences or separators.
std::string printable_name(const std::string &name);

} // namespace pathmap::mtr
