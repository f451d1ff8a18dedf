// Longest-prefix-match tables for user-supplied evidence: CAIDA pfx2as
// (prefix -> origin ASN) and IXP peering LAN lists (prefix -> IXP name).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "pathmap/ipv4.h"

namespace pathmap::graph {

class PrefixTable {
public:
    struct Entry {
        Ipv4Prefix prefix;
        int64_t asn = 0;
        std::string name;
    };
    void add(Entry e);
    std::optional<Entry> lookup(uint32_t addr) const; // longest match
    size_t size() const { return count_; }

    // CAIDA pfx2as: "a.b.c.d<TAB>len<TAB>asn" per line; multi-origin ASNs
    // ("1_2" or "1,2") keep the first. Throws std::runtime_error naming file:line.
    static PrefixTable load_pfx2as(const std::filesystem::path &file);
    // IXP list: "a.b.c.d/len [name...]" per line, '#' comments.
    static PrefixTable load_ixp(const std::filesystem::path &file);

private:
    std::unordered_map<uint32_t, Entry> by_len_[33];
    size_t count_ = 0;
};

} // namespace pathmap::graph
