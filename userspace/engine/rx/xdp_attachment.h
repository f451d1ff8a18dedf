// What sits on an interface's XDP hook and how it got there: through a BPF
// link (the kernel detaches it when the last holder of the link exits) or
// through netlink (it stays until someone removes it, e.g. one left by an
// older pathmap). `pathmap doctor` reports these; ReplyRxProgram::attach uses
// them to say what blocks an interface.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pathmap::rx
{

enum class XdpHook { native, generic, offload };

struct LinkHolder {
    pid_t pid = 0;
    std::string comm; // /proc/PID/comm
};

struct XdpAttachment {
    XdpHook hook = XdpHook::native;
    uint32_t prog_id = 0;
    std::string prog_name;           // empty when it could not be read (needs CAP_SYS_ADMIN)
    bool link_known = false;         // false: BPF links could not be listed (needs CAP_SYS_ADMIN)
    uint32_t link_id = 0;            // 0 with link_known: attached through netlink
    std::vector<LinkHolder> holders; // processes with the link open

    bool through_netlink() const noexcept { return link_known && link_id == 0; }
};

// One entry per occupied hook of ifindex (in this network namespace).
// Throws std::runtime_error if the interface cannot be queried.
std::vector<XdpAttachment> xdp_attachments(int ifindex);

std::string_view hook_name(XdpHook hook) noexcept; // native, generic, offload
// The iproute2 command that removes a netlink-attached program from a hook.
std::string removal_command(std::string_view ifname, XdpHook hook);
// One sentence: what is attached, how, and what to do about it.
std::string describe(const XdpAttachment &a, std::string_view ifname);

} // namespace pathmap::rx
