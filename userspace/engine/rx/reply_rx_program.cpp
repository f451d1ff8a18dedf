// ReplyRxProgram: skeleton lifetime, .rodata config, XDP attach through a
// BPF link and detach, per-CPU counter reads. Setup failures become
// exceptions a user can act on.
#include "userspace/engine/rx/reply_rx_program.h"

#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/core.h>

#include "pathmap/log.h"
#include "reply_rx.skel.h"
#include "userspace/engine/rx/xdp_attachment.h"

namespace pathmap::rx
{
namespace
{

int libbpf_print(enum libbpf_print_level level, const char *format, va_list args)
{
    // One level lower than libbpf's own: its warnings are our info.
    log::Level ours = level == LIBBPF_WARN ? log::Level::info : log::Level::debug;
    if (log::level() < ours) return 0;
    char buf[1024];
    int n = std::vsnprintf(buf, sizeof(buf), format, args);
    if (n < 0) return n;
    size_t len = std::strlen(buf);
    while (len > 0 && buf[len - 1] == '\n')
        len--;
    log::write(ours, fmt::string_view(buf, len));
    return n;
}

std::string ifname(int ifindex)
{
    char name[IF_NAMESIZE] = {};
    if (if_indextoname(static_cast<unsigned>(ifindex), name)) return name;
    return fmt::format("ifindex {}", ifindex);
}

// Why the XDP hook is taken, from what is on it: a netlink attach (with the
// command that removes it) or a BPF link (with the process holding it).
// *left_behind: one of them is a netlink attach, which outlives its process.
std::string blocker_hint(int ifindex, bool *left_behind)
{
    const std::string name = ifname(ifindex);
    std::string hint;
    try {
        for (const XdpAttachment &a : xdp_attachments(ifindex)) {
            hint += (hint.empty() ? "" : "; ") + describe(a, name);
            if (a.link_known && a.link_id == 0) *left_behind = true;
        }
    } catch (const std::exception &) {
    }
    if (!hint.empty()) return hint;
    return fmt::format(
        "another XDP program is attached (`ip -d link show dev {0}` shows it, `pathmap doctor "
        "--iface {0}` says how it got there): remove a netlink one with `ip link set dev {0} xdp "
        "off` (`xdpgeneric off` in generic mode); one behind a BPF link goes away when its process "
        "(another pathmap run?) exits",
        name);
}

std::string load_hint(int err)
{
    if (err == EPERM || err == EACCES) return "run as root (or with CAP_BPF and CAP_NET_ADMIN)";
    if (err == ENOMEM) return "the ring buffer could not be allocated: check the memory cgroup limit";
    if (err == EINVAL || err == E2BIG)
        return "the kernel verifier rejected it: run with -v to see the verifier log";
    return "run `pathmap doctor` to check kernel features";
}

} // namespace

std::string_view counter_name(int slot) noexcept
{
    switch (slot) {
    case PM_RX_PASS_NOT_IPV4:
        return "pass_not_ipv4";
    case PM_RX_PASS_NOT_OURS:
        return "pass_not_ours";
    case PM_RX_BAD_IP_HEADER:
        return "bad_ip_header";
    case PM_RX_BAD_ICMP:
        return "bad_icmp";
    case PM_RX_BAD_QUOTE:
        return "bad_quote";
    case PM_RX_BAD_EXTENSION:
        return "bad_extension";
    case PM_RX_FOREIGN_TAG:
        return "foreign_tag";
    case PM_RX_TIME_EXCEEDED:
        return "time_exceeded";
    case PM_RX_DEST_UNREACH:
        return "dest_unreach";
    case PM_RX_EXT_SKIPPED:
        return "ext_skipped";
    case PM_RX_ECHO_REPLY:
        return "echo_reply";
    case PM_RX_TCP_SYNACK:
        return "tcp_synack";
    case PM_RX_TCP_RST:
        return "tcp_rst";
    case PM_RX_RINGBUF_FULL:
        return "ringbuf_full";
    case PM_RX_BAD_TCP:
        return "bad_tcp";
    default:
        return "unknown";
    }
}

void route_libbpf_logs() noexcept
{
    static std::once_flag once;
    std::call_once(once, [] { libbpf_set_print(libbpf_print); });
}

void ReplyRxProgram::SkeletonDeleter::operator()(::reply_rx *s) const noexcept { reply_rx::destroy(s); }

ReplyRxProgram::ReplyRxProgram(const RxConfig &cfg)
{
    if (cfg.num_flows == 0) throw std::runtime_error("reply_rx: num_flows must be at least 1");
    route_libbpf_logs();
    skel_.reset(reply_rx::open());
    if (!skel_) {
        int e = errno;
        throw std::runtime_error(fmt::format("opening the reply_rx BPF object failed: {}", std::strerror(e)));
    }
    skel_->rodata->cfg = wire_config(cfg);
    int err = reply_rx::load(skel_.get());
    if (err) {
        int e = -err;
        throw std::runtime_error(
            fmt::format("loading the reply_rx XDP program failed: {}; {}", std::strerror(e), load_hint(e)));
    }
}

ReplyRxProgram::~ReplyRxProgram()
{
    if (link_fd_ < 0) return;
    // Closing the last fd of the link detaches the program; detaching first
    // also covers a copy of the fd a fork may still hold. A link detaches
    // only its own program, never one someone else attached.
    int err = bpf_link_detach(link_fd_);
    if (err && err != -ENOLINK && err != -ENODEV)
        log::debug("detaching reply_rx from {}: {}", ifname(ifindex_), std::strerror(-err));
    ::close(link_fd_);
}

void ReplyRxProgram::attach(int ifindex, XdpMode mode)
{
    if (link_fd_ >= 0) throw std::runtime_error("reply_rx: already attached to " + ifname(ifindex_));
    // A BPF link, not a netlink attach (bpf_xdp_attach): a link dies with
    // the process, so kill -9 cannot leave the interface blocked. libbpf 1.1's
    // bpf_program__attach_xdp takes no mode, hence bpf_link_create with the
    // mode in flags (the kernel accepts only XDP_FLAGS_MODES there). A link
    // never replaces a program that is already attached: EBUSY instead.
    auto try_attach = [&](uint32_t mode_flag) {
        bpf_link_create_opts opts{};
        opts.sz = sizeof(opts);
        opts.flags = mode_flag;
        int fd = bpf_link_create(prog_fd(), ifindex, BPF_XDP, &opts);
        if (fd < 0) return fd;
        link_fd_ = fd;
        ifindex_ = ifindex;
        return 0;
    };
    auto fail = [&](const char *what, int err) {
        std::string hint;
        bool left_behind = false;
        if (err == -EBUSY || err == -EEXIST)
            hint = blocker_hint(ifindex, &left_behind);
        else if (err == -ENODEV)
            hint = "no such interface in this network namespace";
        else if (err == -EOPNOTSUPP)
            hint = "the driver has no native XDP; use generic mode";
        else if (err == -EPERM)
            hint = "run as root (or with CAP_NET_ADMIN)";
        else if (err == -EINVAL)
            hint = "the kernel refused an XDP BPF link (Linux 5.9 or newer has them); run `pathmap doctor`";
        else
            hint = "run `pathmap doctor`";
        const std::string msg = fmt::format("attaching reply_rx to {} in {} mode failed: {}; {}", ifname(ifindex), what,
                                            std::strerror(-err), hint);
        if (err == -EBUSY || err == -EEXIST) throw XdpHookBusy(msg, left_behind);
        return std::runtime_error(msg);
    };

    if (mode == XdpMode::generic) {
        if (int err = try_attach(XDP_FLAGS_SKB_MODE)) throw fail("generic", err);
        attached_mode_ = XdpMode::generic;
        return;
    }
    int err = try_attach(XDP_FLAGS_DRV_MODE);
    if (err == 0) {
        attached_mode_ = XdpMode::native;
        return;
    }
    if (mode == XdpMode::native || err == -EBUSY || err == -EEXIST || err == -ENODEV || err == -EPERM)
        throw fail("native", err);
    log::info("reply_rx: native XDP on {} failed ({}); using generic mode", ifname(ifindex),
              std::strerror(-err));
    if (int gerr = try_attach(XDP_FLAGS_SKB_MODE)) throw fail("generic", gerr);
    attached_mode_ = XdpMode::generic;
}

int ReplyRxProgram::ring_fd() const { return bpf_map__fd(skel_->maps.replies); }
int ReplyRxProgram::prog_fd() const { return bpf_program__fd(skel_->progs.reply_rx); }

uint32_t ReplyRxProgram::prog_id() const
{
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog_fd(), &info, &len) != 0) return 0;
    return info.id;
}

RxCounters ReplyRxProgram::counters() const
{
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0)
        throw std::runtime_error(fmt::format("reply_rx: cannot count CPUs: {}", std::strerror(-ncpu)));
    std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
    RxCounters sum{};
    int fd = bpf_map__fd(skel_->maps.counters);
    for (uint32_t slot = 0; slot < PM_RX_COUNTER_MAX; ++slot) {
        if (bpf_map_lookup_elem(fd, &slot, per_cpu.data()) != 0)
            throw std::runtime_error(
                fmt::format("reply_rx: reading counter {} failed: {}", slot, std::strerror(errno)));
        for (uint64_t v : per_cpu)
            sum[slot] += v;
    }
    return sum;
}

} // namespace pathmap::rx
