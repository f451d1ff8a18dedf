// How a hop's host is written, as mtr 0.95's snprint_addr does: "???" for a
// TTL with no reply, the reverse DNS name when one is known (the default),
// the address with -n or while no name has resolved, "name (addr)" with -b.
// Where names come from is the caller's business (the CLI asks c-ares); the
// formatters only look them up, so they stay pure and never wait. With -z
// (mtr --aslookup) each host also gets mtr's AS column, "AS15169" or
// "AS???", from an offline database the caller holds (never the network).
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
    // -z: the AS number of an address (0 = unknown); must not block. Empty
    // function: no AS column.
    std::function<int64_t(uint32_t)> asn_of;

    std::string host(const std::optional<uint32_t> &addr) const;
    bool aslookup() const { return static_cast<bool>(asn_of); }
    // mtr's AS text as its JSON "ASN" and CSV "Asn" carry it: "AS15169", or
    // "AS???" for no reply or no AS.
    std::string as_text(const std::optional<uint32_t> &addr) const;
};

// A name as it may be printed on a terminal or into CSV: characters outside
// a host name's alphabet (letters, digits, '-', '.', '_') become '?', so a
// hostile PTR record cannot carry escape sequences or separators.
std::string printable_name(const std::string &name);

} // namespace pathmap::mtr
