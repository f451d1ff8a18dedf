// pathmap doctor: checks privileges, kernel features and interfaces, and
// says what is missing in words a user can act on.
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <CLI/CLI.hpp>
#include <bpf/libbpf.h>
#include <fmt/core.h>

#include "userspace/cli/commands.h"
#include "userspace/engine/rx/reply_rx_program.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

namespace pathmap::cli {
namespace {

struct Check {
    std::string name;
    bool ok;
    std::string detail;
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
    bool ok = major > 5 || (major == 5 && minor >= 8);
    return {"kernel version", ok,
            fmt::format("{} ({})", u.release, ok ? "ring buffer and AF_XDP available" : "need 5.8 or newer for BPF ring buffer")};
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

} // namespace

void add_doctor_command(CLI::App &app)
{
    auto *cmd = app.add_subcommand("doctor", "Check privileges, kernel features and interfaces; say what is missing");
    auto iface = std::make_shared<std::string>();
    cmd->add_option("--iface", *iface, "Also check this interface exists");
    cmd->callback([iface] {
        std::vector<Check> checks{check_root(), check_kernel(), check_xdp_prog(), check_ringbuf(), check_reply_rx(), check_af_xdp(), check_memlock()};
        if (!iface->empty()) checks.push_back(check_interface(*iface));
        bool all = true;
        for (const auto &c : checks) {
            fmt::print("[{}] {:<18} {}\n", c.ok ? " ok " : "FAIL", c.name, c.detail);
            all = all && c.ok;
        }
        if (!all) throw std::runtime_error("doctor: some checks failed (see above)");
    });
}

} // namespace pathmap::cli
