// The one list of address blocks pathmap never probes unless --allow opens
// them, shared by `sweep` and `mtr` so both refuse the same targets with the
// same words. Source: the IANA IPv4 Special-Purpose Address Registry (RFC
// 6890 and its updates) plus multicast (RFC 5771, its own registry).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pathmap/ipv4.h"

namespace pathmap {

struct SpecialPurposeBlock {
    Ipv4Prefix prefix;
    std::string_view name;   // what the block is for, e.g. "private use"
    std::string_view source; // defining document, e.g. "RFC 1918"
    // The registry's "Globally Reachable" column. True only for the few
    // entries nested inside a block that is not (192.0.0.9/32 in
    // 192.0.0.0/24): the most specific entry decides.
    bool globally_reachable = false;
};

// Registry entries as pathmap applies them, most specific first.
std::span<const SpecialPurposeBlock> special_purpose_registry();

class Blocklist {
public:
    // The registry, with `allowed` prefixes opened (--allow).
    explicit Blocklist(std::vector<Ipv4Prefix> allowed = {});
    // Arbitrary blocks instead of the registry.
    Blocklist(std::vector<Ipv4Prefix> blocked, std::vector<Ipv4Prefix> allowed);

    bool blocked(uint32_t addr) const noexcept { return refusing_block(addr) != nullptr; }
    // Every address of `range` blocked: lets a sampler skip it whole.
    bool blocks_all(const Ipv4Prefix &range) const noexcept;
    // The entry that refuses addr; nullptr when addr may be probed.
    const SpecialPurposeBlock *refusing_block(uint32_t addr) const noexcept;
    // "10.0.0.0/8" for a refused addr, "" otherwise.
    std::string reason(uint32_t addr) const;
    // The one-line error every command gives for a refused target.
    std::string refusal(uint32_t addr) const;

private:
    std::vector<SpecialPurposeBlock> entries_; // longest prefix first
    std::vector<Ipv4Prefix> allowed_;
};

// --allow values; throws std::invalid_argument with one line naming the bad text.
std::vector<Ipv4Prefix> parse_allow_list(const std::vector<std::string> &texts);

} // namespace pathmap
