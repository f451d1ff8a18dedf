// Target parsing and the special-purpose blocklist.
#include "userspace/mtr/target_list.h"

#include <charconv>
#include <stdexcept>
#include <unordered_set>

namespace pathmap::mtr {

const std::vector<Ipv4Prefix> &special_purpose_blocklist()
{
    static const std::vector<Ipv4Prefix> list = [] {
        std::vector<Ipv4Prefix> v;
        for (const char *p : {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                              "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
                              "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"})
            v.push_back(*parse_prefix(p));
        return v;
    }();
    return list;
}

namespace {
bool allowed(uint32_t a, const std::vector<Ipv4Prefix> &allow)
{
    for (const auto &p : allow)
        if (p.contains(a)) return true;
    for (const auto &p : special_purpose_blocklist())
        if (p.contains(a)) return false;
    return true;
}
} // namespace

TargetList parse_targets(const std::vector<std::string> &items, const std::vector<Ipv4Prefix> &allow, size_t max_targets)
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
            if (!allowed(addr, allow))
                throw std::invalid_argument("target " + format_ipv4(addr) +
                                            " is in a special-purpose range; pass --allow CIDR to probe it");
            if (seen.insert(addr).second) out.addrs.push_back(addr);
        }
    }
    return out;
}

} // namespace pathmap::mtr
