// HostNaming: mtr's host text and AS text for a hop address.
#include "userspace/mtr/host_naming.h"

#include "pathmap/ipv4.h"

namespace pathmap::mtr {

std::string printable_name(const std::string &name)
{
    std::string out = name;
    for (char &c : out) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_';
        if (!ok) c = '?';
    }
    return out;
}

std::string HostNaming::host(const std::optional<uint32_t> &addr) const
{
    if (!addr) return "???";
    std::string ip = format_ipv4(*addr);
    if (!name_of) return ip;
    std::optional<std::string> name = name_of(*addr);
    if (!name || name->empty()) return ip;
    return show_ips ? printable_name(*name) + " (" + ip + ")" : printable_name(*name);
}

std::string HostNaming::as_text(const std::optional<uint32_t> &addr) const
{
    const int64_t asn = addr && asn_of ? asn_of(*addr) : 0;
    return asn > 0 ? "AS" + std::to_string(asn) : "AS???";
}

} // namespace pathmap::mtr
