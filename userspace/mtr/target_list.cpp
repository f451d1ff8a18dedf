// Target parsing: addresses, ADDR:PORT, CIDRs.
#include "userspace/mtr/target_list.h"

#include <charconv>
#include <stdexcept>
#include <unordered_set>

namespace pathmap::mtr {

TargetList parse_targets(const std::vector<std::string> &items, const Blocklist &blocklist, size_t max_targets)
{
    TargetList out;
    std::unordered_set<uint32_t> seen;
    bool port_set = false;
    if (items.empty()) throw std::invalid_argument("no targets given (an address, ADDR:PORT or CIDR)");
    for (const std::string &item : items) {
        std::string text = item;
        auto colon = text.find(':');
        if (colon != std::string::npos) {
            std::string port_text = text.substr(colon + 1);
            unsigned port = 0;
            auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
            if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535)
                throw std::invalid_argument("target '" + item + "': port must be 1..65535");
            if (port_set && port != out.port)
                throw std::invalid_argument("target '" + item + "': all targets of one run share one port");
            out.port = static_cast<uint16_t>(port);
            port_set = true;
            text = text.substr(0, colon);
        }
        auto prefix = parse_prefix(text);
        if (!prefix) throw std::invalid_argument("target '" + item + "' is not an IPv4 address or CIDR");
        if (prefix->size() > max_targets || out.addrs.size() + prefix->size() > max_targets)
            throw std::invalid_argument("target '" + item + "': more than " + std::to_string(max_targets) +
                                        " targets in one run");
        for (uint64_t a = prefix->first(); a <= prefix->last(); ++a) {
            auto addr = static_cast<uint32_t>(a);
            // Same words as `pathmap sweep` for the same target.
            if (blocklist.blocked(addr)) throw std::invalid_argument(blocklist.refusal(addr));
            if (seen.insert(addr).second) out.addrs.push_back(addr);
        }
    }
    return out;
}

} // namespace pathmap::mtr
