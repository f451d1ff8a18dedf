// pathmap doctor: checks privileges, kernel features and interfaces (and
// what occupies their XDP hooks), and says what is missing in words a user
// can act on.
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <bpf/libbpf.h>
#include <fmt/core.h>

#include "userspace/cli/commands.h"
#include "userspace/engine/rx/reply_rx_program.h"
#include "userspace/engine/rx/xdp_attachment.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

namespace pathmap::cli {
namespace {

struct Check {
    std::string name;
    bool ok;
    std::string detail;
    bool warn = false; // ok but worth a look: printed as [warn], doctor still passes
};

Check check_root()
{
    bool ok = geteuid() == 0;
    return {"root privileges", ok, ok ? "running as root" : "run as root (or with CAP_BPF, CAP_NET_ADMIN, CAP_NET_RAW)"};
}

Check check_kernel()
{
    utsname u{};
    uname(&u);
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    bool ok = major > 5 || (major == 5 && minor >= 9);
    return {"kernel version", ok,
            fmt::format("{} ({})", u.release,
                        ok ? "ring buffer, AF_XDP and XDP BPF links available"
                           : "need 5.9 or newer: BPF ring buffer (5.8), XDP attached through a BPF link (5.9)")};
}

Check check_xdp_prog()
{
    int r = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr);
    bool ok = r == 1;
    return {"XDP programs", ok, ok ? "the kernel loads XDP programs" : fmt::format("cannot load XDP programs: {}", r < 0 ? std::strerror(-r) : "not supported")};
}

Check check_ringbuf()
{
    int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr);
    bool ok = r == 1;
    return {"BPF ring buffer", ok, ok ? "available" : fmt::format("unavailable: {}", r < 0 ? std::strerror(-r) : "not supported")};
}

// Loads the embedded reply_rx skeleton through the verifier (not attached):
// proves the program and its ring buffer fit this kernel and memory limits.
Check check_reply_rx()
{
    try {
        rx::ReplyRxProgram prog({.run_id = 1});
        return {"reply_rx program", true, fmt::format("verifier accepted the XDP reply parser (prog id {})", prog.prog_id())};
    } catch (const std::exception &e) {
        return {"reply_rx program", false, e.what()};
    }
}

Check check_af_xdp()
{
    int fd = socket(AF_XDP, SOCK_RAW, 0);
    if (fd < 0) {
        int e = errno;
        return {"AF_XDP sockets", false,
                fmt::format("socket(AF_XDP) failed: {}; use --tx packet or --tx raw", std::strerror(e))};
    }
    close(fd);
    return {"AF_XDP sockets", true, "available (copy mode on veth, zero-copy where the driver has it)"};
}

Check check_memlock()
{
    rlimit rl{};
    getrlimit(RLIMIT_MEMLOCK, &rl);
    bool unlimited = rl.rlim_cur == RLIM_INFINITY;
    std::string cur = unlimited ? "unlimited" : fmt::format("{} KiB", rl.rlim_cur / 1024);
    // The UMEM is sized to fit 8 MiB; BPF maps are charged to the memory cgroup on 5.11+.
    bool ok = unlimited || rl.rlim_cur >= 8 * 1024 * 1024;
    return {"RLIMIT_MEMLOCK", ok, ok ? cur + " (enough for the UMEM)" : cur + ": raise to 8 MiB (ulimit -l 8192) or grant CAP_IPC_LOCK"};
}

Check check_interface(const std::string &iface)
{
    unsigned idx = if_nametoindex(iface.c_str());
    return {"interface " + iface, idx != 0, idx ? fmt::format("ifindex {}", idx) : "no such interface in this network namespace"};
}

// What is on one interface's XDP hook: one check per attached program,
// none when the hook is free. named: the user asked about this interface, so
// anything there fails (a sweep could not attach); in the scan of all
// interfaces only a leftover reply_rx fails, another program attached through
// netlink is a warning and one behind a live BPF link is fine.
std::vector<Check> check_xdp_hook(const std::string &iface, unsigned ifindex, bool named)
{
    const std::string name = "XDP on " + iface;
    std::vector<rx::XdpAttachment> on;
    try {
        on = rx::xdp_attachments(static_cast<int>(ifindex));
    } catch (const std::exception &e) {
        return {{name, false, e.what()}};
    }
    std::vector<Check> out;
    for (const auto &a : on) {
        const bool leftover = a.through_netlink() && a.prog_name == "reply_rx";
        std::string detail = rx::describe(a, iface);
        if (named) detail += "; pathmap cannot attach reply_rx here until it is gone";
        if (named || leftover)
            out.push_back({name, false, detail});
        else
            out.push_back({name, true, detail, !a.link_known || a.through_netlink()});
    }
    return out;
}

// Every interface of this network namespace: a summary line, then one line
// per attached program.
std::vector<Check> check_xdp_hooks()
{
    struct if_nameindex *all = if_nameindex();
    if (!all) return {{"XDP hooks", false, fmt::format("listing interfaces failed: {}", std::strerror(errno))}};
    std::vector<Check> found;
    unsigned total = 0, vacant = 0;
    for (struct if_nameindex *i = all; i->if_index != 0; ++i, ++total) {
        auto on = check_xdp_hook(i->if_name, i->if_index, false);
        if (on.empty()) ++vacant;
        found.insert(found.end(), on.begin(), on.end());
    }
    if_freenameindex(all);
    std::vector<Check> out{{"XDP hooks", true,
                            fmt::format("{} of {} interface(s) have no XDP program attached", vacant, total)}};
    out.insert(out.end(), found.begin(), found.end());
    return out;
}

} // namespace

void add_doctor_command(CLI::App &app)
{
    auto *cmd = app.add_subcommand("doctor", "Check privileges, kernel features and interfaces; say what is missing");
    auto iface = std::make_shared<std::string>();
    cmd->add_option("--iface", *iface,
                    "Also check this interface exists and its XDP hook is free (default: report programs left on "
                    "any interface)");
    cmd->callback([iface] {
        std::vector<Check> checks{check_root(), check_kernel(), check_xdp_prog(), check_ringbuf(), check_reply_rx(), check_af_xdp(), check_memlock()};
        std::vector<Check> hooks;
        if (!iface->empty()) {
            checks.push_back(check_interface(*iface));
            if (checks.back().ok) {
                hooks = check_xdp_hook(*iface, if_nametoindex(iface->c_str()), true);
                if (hooks.empty()) hooks.push_back({"XDP on " + *iface, true, "no XDP program attached"});
            }
        } else {
            hooks = check_xdp_hooks();
        }
        checks.insert(checks.end(), hooks.begin(), hooks.end());
        bool all = true;
        for (const auto &c : checks) {
            fmt::print("[{}] {:<18} {}\n", !c.ok ? "FAIL" : c.warn ? "warn" : " ok ", c.name, c.detail);
            all = all && c.ok;
        }
        if (!all) throw std::runtime_error("doctor: some checks failed (see above)");
    });
}

} // namespace pathmap::cli
