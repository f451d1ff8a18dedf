// XDP hook inspection: bpf_xdp_query for the program ids per mode, the BPF
// link table for whether a link holds each, /proc fdinfo for who holds it.
#include "userspace/engine/rx/xdp_attachment.h"

#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/core.h>

namespace pathmap::rx
{
namespace
{

class OwnedFd
{
  public:
    explicit OwnedFd(int fd) noexcept : fd_(fd) {}
    ~OwnedFd()
    {
        if (fd_ >= 0) ::close(fd_);
    }
    OwnedFd(const OwnedFd &) = delete;
    OwnedFd &operator=(const OwnedFd &) = delete;
    int get() const noexcept { return fd_; }

  private:
    int fd_;
};

std::string prog_name(uint32_t id)
{
    OwnedFd fd(bpf_prog_get_fd_by_id(id));
    if (fd.get() < 0) return {};
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return {};
    return std::string(info.name, strnlen(info.name, sizeof(info.name)));
}

struct XdpLink {
    uint32_t id;
    uint32_t prog_id;
};

// Every XDP link on ifindex. Link ids are global while ifindexes are per
// network namespace, so callers also match the program id. False when the
// table cannot be walked (EPERM without CAP_SYS_ADMIN).
bool xdp_links(int ifindex, std::vector<XdpLink> &out)
{
    uint32_t id = 0;
    for (;;) {
        int err = bpf_link_get_next_id(id, &id);
        if (err == -ENOENT) return true;
        if (err) return false;
        OwnedFd fd(bpf_link_get_fd_by_id(id));
        if (fd.get() < 0) continue; // released meanwhile
        bpf_link_info info{};
        uint32_t len = sizeof(info);
        if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) continue;
        if (info.type == BPF_LINK_TYPE_XDP && info.xdp.ifindex == static_cast<uint32_t>(ifindex))
            out.push_back({info.id, info.prog_id});
    }
}

// Processes holding link_id open: /proc/PID/fdinfo of a BPF link names it
// ("link_id:\t7"). Only bpf_link fds are read, so the walk stays cheap.
std::vector<LinkHolder> link_holders(uint32_t link_id)
{
    namespace fs = std::filesystem;
    std::vector<LinkHolder> holders;
    const std::string want = fmt::format("link_id:\t{}", link_id);
    std::error_code ec;
    for (fs::directory_iterator proc("/proc", ec), end; !ec && proc != end; proc.increment(ec)) {
        const std::string pid = proc->path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code fec;
        for (fs::directory_iterator fds(proc->path() / "fd", fec); !fec && fds != end; fds.increment(fec)) {
            std::error_code lec;
            if (fs::read_symlink(fds->path(), lec).native() != "anon_inode:bpf_link") continue;
            std::ifstream info(proc->path() / "fdinfo" / fds->path().filename());
            bool match = false;
            for (std::string line; std::getline(info, line);)
                if (line == want) match = true;
            if (!match) continue;
            std::string comm;
            std::ifstream comm_file(proc->path() / "comm");
            std::getline(comm_file, comm);
            holders.push_back({static_cast<pid_t>(std::stol(pid)), comm});
            break;
        }
    }
    return holders;
}

} // namespace

std::string_view hook_name(XdpHook hook) noexcept
{
    switch (hook) {
    case XdpHook::native:
        return "native";
    case XdpHook::generic:
        return "generic";
    case XdpHook::offload:
        return "offload";
    }
    return "unknown";
}

std::string removal_command(std::string_view ifname, XdpHook hook)
{
    // `xdp off` without a mode removes the driver-mode program only: a
    // generic one needs `xdpgeneric off`.
    std::string_view verb = hook == XdpHook::generic   ? "xdpgeneric"
                            : hook == XdpHook::offload ? "xdpoffload"
                                                       : "xdp";
    return fmt::format("ip link set dev {} {} off", ifname, verb);
}

std::vector<XdpAttachment> xdp_attachments(int ifindex)
{
    bpf_xdp_query_opts q{};
    q.sz = sizeof(q);
    if (int err = bpf_xdp_query(ifindex, 0, &q))
        throw std::runtime_error(
            fmt::format("querying XDP on ifindex {} failed: {}", ifindex, std::strerror(-err)));

    std::vector<XdpAttachment> out;
    for (auto [hook, id] :
         {std::pair{XdpHook::native, q.drv_prog_id}, std::pair{XdpHook::generic, q.skb_prog_id},
          std::pair{XdpHook::offload, q.hw_prog_id}})
        if (id != 0) out.push_back({.hook = hook, .prog_id = id, .prog_name = prog_name(id)});
    if (out.empty()) return out;

    std::vector<XdpLink> links;
    const bool known = xdp_links(ifindex, links);
    for (auto &a : out) {
        a.link_known = known;
        for (const XdpLink &l : links)
            if (l.prog_id == a.prog_id) a.link_id = l.id;
        if (a.link_id != 0) a.holders = link_holders(a.link_id);
    }
    return out;
}

std::string describe(const XdpAttachment &a, std::string_view ifname)
{
    const std::string prog = a.prog_name.empty() ? fmt::format("program id {}", a.prog_id)
                                                 : fmt::format("program {} (id {})", a.prog_name, a.prog_id);
    const std::string_view mode = hook_name(a.hook);
    if (!a.link_known)
        return fmt::format("{} is attached in {} mode; run as root to tell whether a BPF link holds it "
                           "(if not, remove it with `{}`)",
                           prog, mode, removal_command(ifname, a.hook));
    if (a.link_id == 0) {
        const char *origin = a.prog_name == "reply_rx" ? " (left by an older pathmap?)" : "";
        return fmt::format("{} is attached in {} mode through netlink, not a BPF link{}: it stays after its "
                           "process exits; remove it with `{}`",
                           prog, mode, origin, removal_command(ifname, a.hook));
    }
    std::string held;
    for (const LinkHolder &h : a.holders)
        held += fmt::format("{}pid {} ({})", held.empty() ? "" : ", ", h.pid, h.comm);
    if (held.empty())
        return fmt::format(
            "{} is attached in {} mode through BPF link {}, held by no process (pinned in bpffs?): "
            "remove the pin or run `bpftool link detach id {}`",
            prog, mode, a.link_id, a.link_id);
    return fmt::format(
        "{} is attached in {} mode through BPF link {}, held by {}: the kernel detaches it when "
        "that process exits",
        prog, mode, a.link_id, held);
}

} // namespace pathmap::rx
