// Senders and next-hop resolution on a real veth pair inside private network
// namespaces (root only; skipped otherwise). Frames are captured on the peer
// with an AF_PACKET socket and decoded: they must arrive intact.
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "tx_netns.h"
#include "userspace/engine/probe/probe_encoder.h"
#include "userspace/engine/tx/fd.h"
#include "userspace/engine/tx/next_hop.h"
#include "userspace/engine/tx/sender.h"

using namespace pathmap;
using pathmap::testing::run_in_private_netns;
using pathmap::testing::VethPair;

namespace {

constexpr uint32_t kTarget = 0xc6120501; // 198.18.5.1, behind gateway 10.77.0.2
constexpr uint32_t kGateway = 0x0a4d0002;
constexpr uint32_t kRunId = 0x5eed1234;

#define REQUIRE(cond, msg)                                                                                             \
    do {                                                                                                               \
        if (!(cond)) return std::string(msg) + " [" #cond "]";                                                         \
    } while (0)

tx::UniqueFd open_capture(const char *iface)
{
    tx::UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    if (!fd) throw std::runtime_error("capture socket failed");
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(if_nametoindex(iface));
    if (bind(fd.get(), reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) != 0) throw std::runtime_error("capture bind failed");
    return fd;
}

// Decoded probes of this run captured within timeout_ms.
std::vector<probe::DecodedProbe> capture(int fd, size_t want, int timeout_ms)
{
    std::vector<probe::DecodedProbe> got;
    std::vector<uint8_t> buf(2048);
    while (got.size() < want) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) break;
        const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        if (auto d = probe::decode_probe({buf.data(), static_cast<size_t>(n)}, kRunId)) got.push_back(*d);
    }
    return got;
}

bool is_root() { return geteuid() == 0; }

std::string send_and_capture(const VethPair &v, tx::TxKind kind, probe::Proto proto)
{
    const tx::NextHop hop = tx::resolve_next_hop(kTarget, "pmtx0");
    v.enter_b();
    tx::UniqueFd cap = open_capture("pmtx1");
    v.enter_a();
    tx::SenderConfig cfg{.iface = hop.iface,
                         .kind = kind,
                         .frame = {.src_mac = hop.src_mac,
                                   .dst_mac = hop.dst_mac,
                                   .src_ip = hop.src_ip,
                                   .proto = proto,
                                   .run_id = kRunId,
                                   .payload_len = 20},
                         .batch = 4,
                         .allow_fallback = false};
    auto sender = tx::make_sender(cfg);
    REQUIRE(sender->kind() == kind, "wrong sender kind: " + sender->describe());

    std::vector<probe::ProbeSpec> probes;
    for (uint8_t ttl = 1; ttl <= 5; ++ttl)
        for (uint16_t flow = 0; flow < 2; ++flow) probes.push_back({.dst = kTarget + flow * 7u, .ttl = ttl, .flow_id = flow});
    const uint32_t before = probe::now_ts24();
    size_t sent = 0;
    for (int tries = 0; sent < probes.size() && tries < 1000; ++tries) {
        sent += sender->send(std::span(probes).subspan(sent));
        sender->flush();
    }
    REQUIRE(sent == probes.size(), "not every probe was accepted by " + sender->describe());
    REQUIRE(sender->stats().sent == probes.size(), "stats.sent");
    REQUIRE(sender->stats().errors == 0, "send errors");
    const uint32_t after = probe::now_ts24();

    const auto got = capture(cap.get(), probes.size(), 2000);
    REQUIRE(got.size() == probes.size(), sender->describe() + ": captured " + std::to_string(got.size()) + " of " +
                                             std::to_string(probes.size()));
    std::set<std::tuple<uint32_t, uint8_t, uint16_t>> want, seen;
    for (const auto &p : probes) want.insert({p.dst, p.ttl, p.flow_id});
    for (const auto &d : got) {
        REQUIRE(d.checksums_ok, sender->describe() + ": bad checksum on arrival");
        REQUIRE(d.proto == proto, "protocol");
        REQUIRE(d.ts24 >= before && d.ts24 <= after + 1, "send timestamp outside the send window");
        seen.insert({d.spec.dst, d.spec.ttl, d.spec.flow_id});
    }
    REQUIRE(seen == want, sender->describe() + ": captured probes differ from those sent");
    return "";
}

void run_or_skip(const std::function<std::string(const VethPair &)> &body)
{
    const std::string r = run_in_private_netns(body);
    if (r.rfind("SKIP:", 0) == 0) GTEST_SKIP() << r;
    EXPECT_EQ(r, "");
}

} // namespace

class SenderOnVeth : public ::testing::TestWithParam<std::tuple<tx::TxKind, probe::Proto>> {};

TEST_P(SenderOnVeth, ProbesArriveIntact)
{
    if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
    const auto [kind, proto] = GetParam();
    run_or_skip([kind, proto](const VethPair &v) { return send_and_capture(v, kind, proto); });
}

std::string param_name(const ::testing::TestParamInfo<std::tuple<tx::TxKind, probe::Proto>> &info)
{
    const probe::Proto proto = std::get<1>(info.param);
    const char *p = proto == probe::Proto::icmp ? "icmp" : proto == probe::Proto::udp ? "udp" : "tcp";
    return std::string(tx::to_string(std::get<0>(info.param))) + "_" + p;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, SenderOnVeth,
                         ::testing::Combine(::testing::Values(tx::TxKind::afxdp, tx::TxKind::packet, tx::TxKind::raw),
                                            ::testing::Values(probe::Proto::icmp, probe::Proto::udp, probe::Proto::tcp)),
                         param_name);

TEST(XskSender, OneSocketPerQueue)
{
    if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
    run_or_skip([](const VethPair &v) -> std::string {
        // A second veth pair with two queues, on-link neighbour 10.79.0.2.
        pathmap::testing::sh("ip link add pmtx2 numtxqueues 2 numrxqueues 2 type veth peer name pmtx3 numtxqueues 2 "
                    "numrxqueues 2 netns /proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(v.ns_b));
        pathmap::testing::sh("ip addr add 10.79.0.1/24 dev pmtx2");
        pathmap::testing::sh("ip link set pmtx2 up");
        v.enter_b();
        pathmap::testing::sh("ip addr add 10.79.0.2/24 dev pmtx3");
        pathmap::testing::sh("ip link set pmtx3 up");
        tx::UniqueFd cap = open_capture("pmtx3");
        v.enter_a();
        const tx::NextHop hop = tx::resolve_next_hop(0x0a4f0002, "pmtx2");
        auto sender = tx::make_sender({.iface = "pmtx2",
                                       .kind = tx::TxKind::afxdp,
                                       .frame = {.src_mac = hop.src_mac, .dst_mac = hop.dst_mac, .src_ip = hop.src_ip,
                                                 .proto = probe::Proto::udp, .run_id = kRunId},
                                       .batch = 8,
                                       .allow_fallback = false,
                                       .num_queues = 0}); // all of them (the default is one)
        REQUIRE(sender->describe().find("queues 0-1, a thread each") != std::string::npos, sender->describe());
        // TX only: libxdp must not have put its redirect program on the hook
        // (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD), which reply_rx needs free.
        bpf_xdp_query_opts q{};
        q.sz = sizeof(q);
        REQUIRE(bpf_xdp_query(static_cast<int>(if_nametoindex("pmtx2")), 0, &q) == 0 && q.prog_id == 0 &&
                    q.drv_prog_id == 0 && q.skb_prog_id == 0,
                "an XDP program is attached to pmtx2 while the AF_XDP sockets are open");
        std::vector<probe::ProbeSpec> probes;
        for (uint8_t ttl = 1; ttl <= 32; ++ttl) probes.push_back({.dst = 0x0a4f0002, .ttl = ttl});
        size_t sent = 0;
        for (int tries = 0; sent < probes.size() && tries < 1000; ++tries) sent += sender->send(std::span(probes).subspan(sent));
        sender->flush();
        REQUIRE(sent == probes.size(), "accepted");
        // flush() returns once the queue threads have submitted everything.
        REQUIRE(sender->stats().sent == probes.size(), "submitted " + std::to_string(sender->stats().sent));
        const auto got = capture(cap.get(), probes.size(), 2000);
        REQUIRE(got.size() == probes.size(), "captured " + std::to_string(got.size()) + " of 32 over two queues");
        for (const auto &d : got) REQUIRE(d.checksums_ok, "checksum");
        return "";
    });
}

TEST(Sender, AfXdpFailureFallsBackToAfPacket)
{
    if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
    run_or_skip([](const VethPair &) -> std::string {
        const tx::NextHop hop = tx::resolve_next_hop(kTarget, "pmtx0");
        tx::SenderConfig cfg{.iface = "pmtx0",
                             .kind = tx::TxKind::afxdp,
                             .frame = {.src_mac = hop.src_mac, .dst_mac = hop.dst_mac, .src_ip = hop.src_ip, .run_id = kRunId},
                             .allow_fallback = false,
                             .queue = 5, // pmtx0 has one queue: the AF_XDP bind must fail
                             .num_queues = 1};
        std::string err;
        try {
            tx::make_sender(cfg);
        } catch (const std::runtime_error &e) {
            err = e.what();
        }
        REQUIRE(err.find("AF_XDP") != std::string::npos && err.find("queue 5") != std::string::npos, "error: " + err);
        cfg.allow_fallback = true;
        auto sender = tx::make_sender(cfg);
        REQUIRE(sender->kind() == tx::TxKind::packet, sender->describe());
        return "";
    });
}

// Copy mode and one queue unless asked; --zerocopy where the driver has none
// (veth) is one clear error, not a silent fallback to copy mode.
TEST(XskSender, CopyModeOneQueueByDefaultZeroCopyOnlyOnRequest)
{
    if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
    run_or_skip([](const VethPair &) -> std::string {
        const tx::NextHop hop = tx::resolve_next_hop(kTarget, "pmtx0");
        tx::SenderConfig cfg{.iface = "pmtx0",
                             .kind = tx::TxKind::afxdp,
                             .frame = {.src_mac = hop.src_mac, .dst_mac = hop.dst_mac, .src_ip = hop.src_ip, .run_id = kRunId},
                             .allow_fallback = false};
        {
            auto sender = tx::make_sender(cfg);
            const std::string d = sender->describe();
            REQUIRE(d.find("copy mode") != std::string::npos && d.find("queue 0") != std::string::npos &&
                        d.find("queues") == std::string::npos,
                    d);
        }
        cfg.zerocopy = true;
        std::string err;
        try {
            tx::make_sender(cfg);
        } catch (const std::runtime_error &e) {
            err = e.what();
        }
        REQUIRE(err.find("zero-copy") != std::string::npos && err.find("drop --zerocopy") != std::string::npos, "error: " + err);
        return "";
    });
}

TEST(NextHop, ResolvesGatewayRouteAndOnLinkNeighbour)
{
    if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
    run_or_skip([](const VethPair &v) -> std::string {
        v.enter_b();
        std::array<uint8_t, 6> b_mac{};
        {
            tx::UniqueFd s(socket(AF_INET, SOCK_DGRAM, 0));
            ifreq ifr{};
            std::snprintf(ifr.ifr_name, IFNAMSIZ, "pmtx1");
            REQUIRE(ioctl(s.get(), SIOCGIFHWADDR, &ifr) == 0, "read peer MAC");
            std::memcpy(b_mac.data(), ifr.ifr_hwaddr.sa_data, 6);
        }
        v.enter_a();
        // Nothing in the neighbour table yet: resolution must trigger ARP.
        const tx::NextHop hop = tx::resolve_next_hop(kTarget);
        REQUIRE(hop.iface == "pmtx0", "iface " + hop.iface);
        REQUIRE(hop.gateway == kGateway, "gateway");
        REQUIRE(hop.src_ip == 0x0a4d0001, "source address");
        REQUIRE(hop.dst_mac == b_mac, "gateway MAC");
        const tx::NextHop direct = tx::resolve_next_hop(kGateway, "pmtx0");
        REQUIRE(direct.gateway == 0 && direct.dst_mac == b_mac, "on-link neighbour");
        return "";
    });
}

TEST(NextHop, ClearErrors)
{
    if (!is_root()) GTEST_SKIP() << "needs root for network namespaces";
    run_or_skip([](const VethPair &) -> std::string {
        auto message = [](uint32_t dst, const std::string &iface) -> std::string {
            try {
                tx::resolve_next_hop(dst, iface, {.resolve_timeout_ms = 1500});
            } catch (const std::runtime_error &e) {
                return e.what();
            }
            return "";
        };
        const std::string no_route = message(0x0b000001, ""); // 11.0.0.1: no default route here
        REQUIRE(no_route.find("no route to 11.0.0.1") != std::string::npos, no_route);
        const std::string silent = message(0x0a4d0063, ""); // 10.77.0.99: on-link, nobody answers ARP
        REQUIRE(silent.find("10.77.0.99") != std::string::npos && silent.find("ARP") != std::string::npos, silent);
        const std::string no_iface = message(kTarget, "pmnosuch0");
        REQUIRE(no_iface.find("does not exist") != std::string::npos, no_iface);
        const std::string local = message(0x0a4d0001, "");
        REQUIRE(local.find("address of this host") != std::string::npos, local);
        return "";
    });
}

TEST(Sender, MissingInterfaceIsAClearError)
{
    tx::SenderConfig cfg{.iface = "pmnosuch0", .kind = tx::TxKind::packet, .allow_fallback = false};
    try {
        tx::make_sender(cfg);
        FAIL() << "expected an error";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("pmnosuch0"), std::string::npos) << e.what();
    }
}
