// reply_rx on a real device: inside a private network namespace (a forked
// child that unshares CLONE_NEWNET, so nothing outlives it) the program is
// loaded through the verifier, attached to a veth in native and generic
// mode through a BPF link, checked with bpf_xdp_query, fed a crafted reply
// from the peer via AF_PACKET, and detached again by the RAII destructor or,
// after SIGKILL, by the kernel. A netlink attach (what older versions did)
// is told apart from a link and named with the command that removes it.
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "tests/bpf/xdp_harness.h"
#include "userspace/engine/rx/xdp_attachment.h"

namespace pathmap::bpftest
{
namespace
{

constexpr uint32_t kRun = 77;

// Child-side checks report on stderr and exit non-zero; the parent asserts 0.
#define CHILD_CHECK(cond, ...)                                                                               \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);                                  \
            std::fprintf(stderr, __VA_ARGS__);                                                               \
            std::fprintf(stderr, "\n");                                                                      \
            return 1;                                                                                        \
        }                                                                                                    \
    } while (0)

int run_in_private_netns(int (*body)())
{
    pid_t pid = fork();
    if (pid == 0) {
        int rc = 1;
        try {
            if (unshare(CLONE_NEWNET) != 0) {
                std::perror("unshare(CLONE_NEWNET)");
                _exit(3);
            }
            rc = body();
        } catch (const std::exception &e) {
            std::fprintf(stderr, "child: %s\n", e.what());
        }
        std::fflush(stderr);
        _exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool make_veth()
{
    return std::system("ip link add pmrx0 type veth peer name pmrx1 && ip link set pmrx0 up && ip link set "
                       "pmrx1 up") == 0;
}

uint32_t attached_prog_id(int ifindex, uint32_t mode_flag)
{
    bpf_xdp_query_opts q{};
    q.sz = sizeof(q);
    if (bpf_xdp_query(ifindex, 0, &q) != 0) return 0;
    return mode_flag == XDP_FLAGS_DRV_MODE ? q.drv_prog_id : q.skb_prog_id;
}

int attach_and_detach()
{
    CHILD_CHECK(make_veth(), "creating a veth pair in the private namespace failed");
    int ifindex = static_cast<int>(if_nametoindex("pmrx0"));
    CHILD_CHECK(ifindex > 0, "pmrx0 missing");
    for (auto [mode, flag] : {std::pair{rx::XdpMode::native, XDP_FLAGS_DRV_MODE},
                              std::pair{rx::XdpMode::generic, XDP_FLAGS_SKB_MODE}}) {
        uint32_t id = 0;
        {
            rx::ReplyRxProgram prog({.run_id = kRun});
            prog.attach(ifindex, mode);
            id = prog.prog_id();
            CHILD_CHECK(id != 0, "no program id");
            CHILD_CHECK(prog.attached_mode() == mode, "attached in another mode");
            CHILD_CHECK(attached_prog_id(ifindex, flag) == id, "bpf_xdp_query reports %u, want %u",
                        attached_prog_id(ifindex, flag), id);
            // A second program must not silently replace the first.
            rx::ReplyRxProgram other({.run_id = kRun});
            std::string refusal;
            try {
                other.attach(ifindex, mode);
            } catch (const std::runtime_error &e) {
                refusal = e.what();
            }
            CHILD_CHECK(!refusal.empty(), "a second attach replaced our program");
            // ...and says the first sits behind a link held by this process.
            CHILD_CHECK(refusal.find("through BPF link") != std::string::npos &&
                            refusal.find(fmt::format("pid {}", getpid())) != std::string::npos,
                        "refusal does not name the link and its holder: %s", refusal.c_str());
        }
        CHILD_CHECK(attached_prog_id(ifindex, flag) == 0, "program left attached after the destructor");
    }
    return 0;
}

bool hook_free_within(int ifindex, std::chrono::milliseconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        bpf_xdp_query_opts q{};
        q.sz = sizeof(q);
        if (bpf_xdp_query(ifindex, 0, &q) == 0 && q.prog_id == 0 && q.drv_prog_id == 0 && q.skb_prog_id == 0)
            return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// A process that attached and is then SIGKILLed (no destructor runs) leaves
// nothing behind: the kernel drops the link with the process's files.
int link_dies_with_its_process()
{
    CHILD_CHECK(make_veth(), "creating a veth pair in the private namespace failed");
    int ifindex = static_cast<int>(if_nametoindex("pmrx0"));
    CHILD_CHECK(ifindex > 0, "pmrx0 missing");
    for (auto mode : {rx::XdpMode::native, rx::XdpMode::generic}) {
        int ready[2];
        CHILD_CHECK(pipe(ready) == 0, "pipe: %s", std::strerror(errno));
        pid_t holder = fork();
        if (holder == 0) {
            close(ready[0]);
            try {
                rx::ReplyRxProgram prog({.run_id = kRun});
                prog.attach(ifindex, mode);
                char c = 'a';
                if (write(ready[1], &c, 1) == 1)
                    for (;;)
                        pause();
            } catch (const std::exception &e) {
                std::fprintf(stderr, "holder: %s\n", e.what());
            }
            _exit(1);
        }
        close(ready[1]);
        char c = 0;
        const bool attached = read(ready[0], &c, 1) == 1;
        close(ready[0]);
        std::vector<rx::XdpAttachment> on;
        if (attached) on = rx::xdp_attachments(ifindex);
        kill(holder, SIGKILL);
        waitpid(holder, nullptr, 0);
        CHILD_CHECK(attached, "the holder did not attach");
        CHILD_CHECK(on.size() == 1, "%zu programs on the hook", on.size());
        const rx::XdpAttachment &a = on[0];
        CHILD_CHECK(a.hook == (mode == rx::XdpMode::native ? rx::XdpHook::native : rx::XdpHook::generic),
                    "hook %s", std::string(rx::hook_name(a.hook)).c_str());
        CHILD_CHECK(a.prog_name == "reply_rx" && a.link_known && a.link_id != 0 && !a.through_netlink(),
                    "name '%s' link %u", a.prog_name.c_str(), a.link_id);
        CHILD_CHECK(a.holders.size() == 1 && a.holders[0].pid == holder, "%zu holders", a.holders.size());
        CHILD_CHECK(hook_free_within(ifindex, std::chrono::seconds(2)),
                    "program still attached after SIGKILL");
    }
    return 0;
}

// What pathmap before BPF links did (bpf_xdp_attach, netlink): the program
// outlives its process, is reported as such, and blocks a new attach with a
// message that says how to remove it.
int netlink_attach_is_reported()
{
    CHILD_CHECK(make_veth(), "creating a veth pair in the private namespace failed");
    int ifindex = static_cast<int>(if_nametoindex("pmrx0"));
    CHILD_CHECK(ifindex > 0, "pmrx0 missing");
    rx::ReplyRxProgram old({.run_id = kRun});
    CHILD_CHECK(bpf_xdp_attach(ifindex, old.prog_fd(), XDP_FLAGS_SKB_MODE, nullptr) == 0,
                "netlink attach: %s", std::strerror(errno));
    auto on = rx::xdp_attachments(ifindex);
    CHILD_CHECK(on.size() == 1 && on[0].hook == rx::XdpHook::generic && on[0].prog_id == old.prog_id(),
                "%zu programs", on.size());
    CHILD_CHECK(on[0].through_netlink() && on[0].prog_name == "reply_rx", "link %u name '%s'", on[0].link_id,
                on[0].prog_name.c_str());
    const std::string said = rx::describe(on[0], "pmrx0");
    CHILD_CHECK(said.find("through netlink") != std::string::npos &&
                    said.find("`ip link set dev pmrx0 xdpgeneric off`") != std::string::npos,
                "describe: %s", said.c_str());

    std::string refusal;
    try {
        rx::ReplyRxProgram prog({.run_id = kRun});
        prog.attach(ifindex, rx::XdpMode::automatic);
    } catch (const std::runtime_error &e) {
        refusal = e.what();
    }
    CHILD_CHECK(refusal.find("xdpgeneric off") != std::string::npos, "refusal: '%s'", refusal.c_str());
    CHILD_CHECK(bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, nullptr) == 0, "netlink detach");
    CHILD_CHECK(rx::xdp_attachments(ifindex).empty(), "program left after detach");
    return 0;
}

struct Collected {
    std::vector<pm_reply_record> records;
};

void collect(void *ctx, const pm_reply_record &rec) noexcept
{
    static_cast<Collected *>(ctx)->records.push_back(rec);
}

int reply_through_veth()
{
    CHILD_CHECK(make_veth(), "creating a veth pair in the private namespace failed");
    int rx_if = static_cast<int>(if_nametoindex("pmrx0"));
    int tx_if = static_cast<int>(if_nametoindex("pmrx1"));
    CHILD_CHECK(rx_if > 0 && tx_if > 0, "veth ends missing");

    const uint32_t local = addr("198.18.200.1");
    Probe p{.proto = PM_PROTO_UDP,
            .src_be = local,
            .dst_be = addr("198.19.1.2"),
            .ttl = 9,
            .ts24 = 0x0a0b0c,
            .flow_id = 0,
            .run_id = kRun};
    IcmpError e{.router_be = addr("198.18.200.254"),
                .local_be = local,
                .reply_ttl = 63,
                .reply_id = 0xbeef,
                .quote = probe_datagram(p)};
    e.quote_bytes = e.quote.size();
    e.extension = mpls_extension({mpls_lse(24001, 0, true, 1)});
    Bytes frame = icmp_error(e);

    rx::ReplyRxProgram prog({.run_id = kRun, .local_addr_be = local});
    prog.attach(rx_if, rx::XdpMode::native);
    Collected got;
    rx::ReplyRing ring(prog.ring_fd(), collect, &got);

    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    CHILD_CHECK(fd >= 0, "AF_PACKET socket: %s", std::strerror(errno));
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = tx_if;
    to.sll_halen = 6;
    // Also an ARP frame, which must be passed and counted, not recorded.
    Bytes arp = ethernet(0x0806, Bytes(28, 0));
    CHILD_CHECK(sendto(fd, arp.data(), arp.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof(to)) ==
                    static_cast<ssize_t>(arp.size()),
                "send ARP: %s", std::strerror(errno));
    CHILD_CHECK(sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr *>(&to), sizeof(to)) ==
                    static_cast<ssize_t>(frame.size()),
                "send reply: %s", std::strerror(errno));
    close(fd);

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (got.records.empty() && std::chrono::steady_clock::now() < deadline) {
        ring.consume();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHILD_CHECK(got.records.size() == 1, "%zu records from the ring", got.records.size());
    const pm_reply_record &r = got.records[0];
    CHILD_CHECK(r.kind == PM_REPLY_TIME_EXCEEDED && r.proto == PM_PROTO_UDP, "kind %u proto %u", r.kind,
                r.proto);
    CHILD_CHECK(r.reply_src == e.router_be && r.probe_dst == p.dst_be, "addresses");
    CHILD_CHECK(r.probe_ts == p.ts24 && r.probe_ttl == p.ttl && r.flow_id == 0, "ts %x ttl %u", r.probe_ts,
                r.probe_ttl);
    CHILD_CHECK(r.reply_ttl == 63 && r.reply_ip_id == 0xbeef && r.quoted_ttl == 1, "reply fields");
    CHILD_CHECK(r.mpls_count == 1 && r.mpls[0] == mpls_lse(24001, 0, true, 1), "mpls %u", r.mpls_count);
    auto c = prog.counters();
    CHILD_CHECK(c[PM_RX_TIME_EXCEEDED] == 1, "time_exceeded counter %llu",
                static_cast<unsigned long long>(c[PM_RX_TIME_EXCEEDED]));
    // Only the ARP frame and whatever the kernel itself sends (IPv6 router
    // solicitations) were passed; nothing was lost to a full ring.
    CHILD_CHECK(c[PM_RX_PASS_NOT_IPV4] >= 1 && c[PM_RX_RINGBUF_FULL] == 0, "pass counters");
    return 0;
}

class XdpVeth : public ::testing::Test
{
  protected:
    void SetUp() override
    {
        PM_REQUIRE_BPF();
        if (std::system("ip -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "iproute2 (ip) is missing";
    }
};

TEST_F(XdpVeth, AttachesNativeAndGenericAndDetachesOnDestruction)
{
    EXPECT_EQ(run_in_private_netns(attach_and_detach), 0);
}

TEST_F(XdpVeth, KernelDetachesTheLinkOfAKilledProcess)
{
    EXPECT_EQ(run_in_private_netns(link_dies_with_its_process), 0);
}

TEST_F(XdpVeth, NetlinkAttachIsReportedWithItsRemedy)
{
    EXPECT_EQ(run_in_private_netns(netlink_attach_is_reported), 0);
}

TEST_F(XdpVeth, CraftedReplyThroughVethComesOutOfTheRing)
{
    EXPECT_EQ(run_in_private_netns(reply_through_veth), 0);
}

} // namespace
} // namespace pathmap::bpftest
