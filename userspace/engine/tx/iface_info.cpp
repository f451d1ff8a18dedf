// Interface lookups through SIOC* / ethtool ioctls on a throw-away socket.
#include "userspace/engine/tx/iface_info.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "userspace/engine/tx/fd.h"

namespace pathmap::tx {
namespace {

ifreq make_ifreq(const std::string &iface)
{
    if (iface.empty() || iface.size() >= IFNAMSIZ) throw std::runtime_error("invalid interface name '" + iface + "'");
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, iface.c_str(), iface.size());
    return ifr;
}

} // namespace

std::string errno_text(int err) { return std::string(strerror(err)) + " (errno " + std::to_string(err) + ")"; }

int iface_index(const std::string &iface)
{
    const unsigned idx = if_nametoindex(iface.c_str());
    if (idx == 0) throw std::runtime_error("interface '" + iface + "' does not exist (see `ip link`)");
    return static_cast<int>(idx);
}

std::string iface_name(int ifindex)
{
    char buf[IF_NAMESIZE] = {};
    if (if_indextoname(static_cast<unsigned>(ifindex), buf) == nullptr) return {};
    return buf;
}

std::array<uint8_t, 6> iface_mac(const std::string &iface)
{
    ifreq ifr = make_ifreq(iface);
    UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd || ioctl(fd.get(), SIOCGIFHWADDR, &ifr) < 0)
        throw std::runtime_error("cannot read the MAC address of '" + iface + "': " + errno_text(errno));
    std::array<uint8_t, 6> mac{};
    std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
    return mac;
}

uint32_t iface_tx_queues(const std::string &iface) noexcept
{
    try {
        ifreq ifr = make_ifreq(iface);
        ethtool_channels ch{};
        ch.cmd = ETHTOOL_GCHANNELS;
        ifr.ifr_data = reinterpret_cast<char *>(&ch);
        UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (!fd || ioctl(fd.get(), SIOCETHTOOL, &ifr) < 0) return 1;
        return std::max<uint32_t>(1, std::max(ch.combined_count, ch.tx_count));
    } catch (...) {
        return 1;
    }
}

} // namespace pathmap::tx
