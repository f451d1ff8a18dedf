// Next-hop resolution over rtnetlink: RTM_GETROUTE for the destination
// (interface, gateway, preferred source), then RTM_GETNEIGH for the
// gateway's (or on-link destination's) MAC. An unknown neighbour is resolved
// by the kernel itself (RTM_NEWNEIGH with NTF_USE starts ARP), so no probe is
// ever sent just to learn a MAC.
#include "userspace/engine/tx/next_hop.h"

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "pathmap/ipv4.h"
#include "userspace/engine/tx/fd.h"
#include "userspace/engine/tx/iface_info.h"
#include "userspace/engine/tx/pacer.h"

namespace pathmap::tx {
namespace {

// A request under construction: header, family message, attributes.
class NlRequest {
public:
    NlRequest(uint16_t type, uint16_t flags, const void *body, size_t body_len)
    {
        buf_.resize(NLMSG_SPACE(body_len));
        nlmsghdr h{};
        h.nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(body_len));
        h.nlmsg_type = type;
        h.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
        std::memcpy(buf_.data(), &h, sizeof(h));
        std::memcpy(buf_.data() + NLMSG_HDRLEN, body, body_len);
    }
    void add_attr(uint16_t type, const void *data, size_t len)
    {
        const size_t off = NLMSG_ALIGN(length());
        buf_.resize(off + RTA_SPACE(len));
        rtattr a{};
        a.rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
        a.rta_type = type;
        std::memcpy(buf_.data() + off, &a, sizeof(a));
        std::memcpy(buf_.data() + off + RTA_LENGTH(0), data, len);
        set_length(static_cast<uint32_t>(off + RTA_SPACE(len)));
    }
    void set_seq(uint32_t seq) { std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof(seq)); }
    const uint8_t *data() const { return buf_.data(); }
    uint32_t length() const
    {
        uint32_t l;
        std::memcpy(&l, buf_.data(), sizeof(l));
        return l;
    }

private:
    void set_length(uint32_t l) { std::memcpy(buf_.data(), &l, sizeof(l)); }
    std::vector<uint8_t> buf_;
};

struct Reply {
    uint16_t type = 0;
    std::vector<uint8_t> body; // after the nlmsghdr
};

class Rtnl {
public:
    Rtnl() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE))
    {
        if (!fd_) throw std::runtime_error("cannot open an rtnetlink socket: " + errno_text(errno));
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        if (bind(fd_.get(), reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
            throw std::runtime_error("cannot bind an rtnetlink socket: " + errno_text(errno));
        const int one = 1;
        setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    }

    // Sends one request, returns its reply message (or nullopt with the
    // kernel's error in *err for an NLMSG_ERROR; ack-only requests give
    // nullopt with *err = 0).
    std::optional<Reply> call(NlRequest &req, int *err)
    {
        std::optional<Reply> out;
        exchange(req, [&](Reply &&r) {
            if (r.type == NLMSG_ERROR) {
                nlmsgerr e{};
                std::memcpy(&e, r.body.data(), std::min(r.body.size(), sizeof(e)));
                *err = -e.error;
            } else {
                *err = 0;
                out = std::move(r);
            }
            return true;
        });
        return out;
    }

    // Sends a dump request and calls f(reply) for each message of the
    // answer, until NLMSG_DONE. Throws on an NLMSG_ERROR.
    template <typename F> void dump(NlRequest &req, F &&f)
    {
        exchange(req, [&](Reply &&r) {
            if (r.type == NLMSG_DONE) return true;
            if (r.type == NLMSG_ERROR) {
                nlmsgerr e{};
                std::memcpy(&e, r.body.data(), std::min(r.body.size(), sizeof(e)));
                throw std::runtime_error("rtnetlink dump failed: " + errno_text(-e.error));
            }
            f(r);
            return false;
        });
    }

private:
    // Sends req, then hands each message answering it to on_msg until that
    // returns true.
    template <typename F> void exchange(NlRequest &req, F &&on_msg)
    {
        const uint32_t seq = ++seq_;
        req.set_seq(seq);
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        if (sendto(fd_.get(), req.data(), req.length(), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof(kernel)) < 0)
            throw std::runtime_error("rtnetlink request failed: " + errno_text(errno));
        std::vector<uint8_t> buf(65536);
        for (;;) {
            pollfd p{fd_.get(), POLLIN, 0};
            if (poll(&p, 1, 2000) <= 0) throw std::runtime_error("rtnetlink: no answer from the kernel");
            const ssize_t n = recv(fd_.get(), buf.data(), buf.size(), 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw std::runtime_error("rtnetlink receive failed: " + errno_text(errno));
            }
            size_t off = 0;
            while (off + sizeof(nlmsghdr) <= static_cast<size_t>(n)) {
                nlmsghdr h;
                std::memcpy(&h, buf.data() + off, sizeof(h));
                if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > static_cast<size_t>(n)) break;
                if (h.nlmsg_seq == seq) {
                    const uint8_t *body = buf.data() + off + NLMSG_HDRLEN, *end = buf.data() + off + h.nlmsg_len;
                    if (on_msg(Reply{h.nlmsg_type, std::vector<uint8_t>(body, end)})) return;
                }
                off += NLMSG_ALIGN(h.nlmsg_len);
            }
        }
    }

    UniqueFd fd_;
    uint32_t seq_ = 0;
};

// Walks the rtattrs of a reply body after a fixed header of `hdr_len` bytes.
template <typename F> void for_each_attr(const Reply &r, size_t hdr_len, F &&f)
{
    size_t off = NLMSG_ALIGN(hdr_len);
    while (off + sizeof(rtattr) <= r.body.size()) {
        rtattr a;
        std::memcpy(&a, r.body.data() + off, sizeof(a));
        if (a.rta_len < sizeof(rtattr) || off + a.rta_len > r.body.size()) break;
        f(a.rta_type, r.body.data() + off + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0));
        off += RTA_ALIGN(a.rta_len);
    }
}

uint32_t read_be32(const uint8_t *p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }

Route get_route(Rtnl &nl, uint32_t dst, int oif)
{
    rtmsg rm{};
    rm.rtm_family = AF_INET;
    rm.rtm_dst_len = 32;
    NlRequest req(RTM_GETROUTE, 0, &rm, sizeof(rm));
    const uint32_t dst_be = htonl(dst);
    req.add_attr(RTA_DST, &dst_be, 4);
    if (oif) req.add_attr(RTA_OIF, &oif, sizeof(oif));
    int err = 0;
    auto r = nl.call(req, &err);
    if (!r || r->type != RTM_NEWROUTE)
        throw std::runtime_error("no route to " + format_ipv4(dst) + (err ? ": " + errno_text(err) : std::string()));
    rtmsg got{};
    std::memcpy(&got, r->body.data(), std::min(r->body.size(), sizeof(got)));
    if (got.rtm_type != RTN_UNICAST && got.rtm_type != RTN_LOCAL)
        throw std::runtime_error("the route to " + format_ipv4(dst) + " is not a unicast route (blackhole/unreachable?)");
    if (got.rtm_type == RTN_LOCAL)
        throw std::runtime_error(format_ipv4(dst) + " is an address of this host; probes would never leave it");
    Route route;
    for_each_attr(*r, sizeof(rtmsg), [&](uint16_t type, const uint8_t *p, size_t len) {
        if (type == RTA_OIF && len >= 4) std::memcpy(&route.oif, p, 4);
        if (type == RTA_GATEWAY && len >= 4) route.gateway = read_be32(p);
        if (type == RTA_PREFSRC && len >= 4) route.src = read_be32(p);
    });
    if (route.oif == 0) throw std::runtime_error("the route to " + format_ipv4(dst) + " has no output interface");
    return route;
}

struct Neighbour {
    uint16_t state = 0;
    bool has_mac = false;
    std::array<uint8_t, 6> mac{};
};

std::optional<Neighbour> get_neigh(Rtnl &nl, uint32_t addr, int ifindex)
{
    ndmsg nd{};
    nd.ndm_family = AF_INET;
    nd.ndm_ifindex = ifindex;
    NlRequest req(RTM_GETNEIGH, 0, &nd, sizeof(nd));
    const uint32_t be = htonl(addr);
    req.add_attr(NDA_DST, &be, 4);
    int err = 0;
    auto r = nl.call(req, &err);
    if (!r || r->type != RTM_NEWNEIGH) return std::nullopt;
    ndmsg got{};
    std::memcpy(&got, r->body.data(), std::min(r->body.size(), sizeof(got)));
    Neighbour n;
    n.state = got.ndm_state;
    for_each_attr(*r, sizeof(ndmsg), [&](uint16_t type, const uint8_t *p, size_t len) {
        if (type == NDA_LLADDR && len == 6) {
            std::memcpy(n.mac.data(), p, 6);
            n.has_mac = true;
        }
    });
    return n;
}

// Asks the kernel to resolve the neighbour (as if it had a packet for it).
int trigger_resolution(Rtnl &nl, uint32_t addr, int ifindex)
{
    ndmsg nd{};
    nd.ndm_family = AF_INET;
    nd.ndm_ifindex = ifindex;
    nd.ndm_state = NUD_NONE;
    nd.ndm_flags = NTF_USE;
    NlRequest req(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, &nd, sizeof(nd));
    const uint32_t be = htonl(addr);
    req.add_attr(NDA_DST, &be, 4);
    int err = 0;
    nl.call(req, &err);
    return err;
}

bool usable(const Neighbour &n)
{
    constexpr uint16_t ok = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
    return n.has_mac && (n.state & ok);
}

} // namespace

struct RouteLookup::Impl {
    Rtnl nl;
};

RouteLookup::RouteLookup(const std::string &iface_hint)
    : impl_(std::make_unique<Impl>()), hint_index_(iface_hint.empty() ? 0 : iface_index(iface_hint))
{
}

RouteLookup::~RouteLookup() = default;

Route RouteLookup::route(uint32_t dst)
{
    Route r = get_route(impl_->nl, dst, hint_index_);
    if (hint_index_ && r.oif != hint_index_)
        throw std::runtime_error("the route to " + format_ipv4(dst) + " leaves through " + iface_name(r.oif) + ", not " +
                                 iface_name(hint_index_));
    return r;
}

std::vector<RoutePrefix> RouteLookup::routes_longer_than(uint8_t len)
{
    rtmsg rm{};
    rm.rtm_family = AF_INET;
    NlRequest req(RTM_GETROUTE, NLM_F_DUMP, &rm, sizeof(rm));
    std::vector<RoutePrefix> out;
    impl_->nl.dump(req, [&](const Reply &r) {
        if (r.type != RTM_NEWROUTE || r.body.size() < sizeof(rtmsg)) return;
        rtmsg got{};
        std::memcpy(&got, r.body.data(), sizeof(got));
        if (got.rtm_family != AF_INET || got.rtm_dst_len <= len || got.rtm_dst_len > 32) return;
        RoutePrefix p{.addr = 0, .len = got.rtm_dst_len};
        for_each_attr(r, sizeof(rtmsg), [&](uint16_t type, const uint8_t *a, size_t alen) {
            if (type == RTA_DST && alen >= 4) p.addr = read_be32(a);
        });
        out.push_back(p);
    });
    return out;
}

NextHop resolve_next_hop(uint32_t dst, const std::string &iface_hint, NextHopOptions opt)
{
    const int hint_index = iface_hint.empty() ? 0 : iface_index(iface_hint);
    Rtnl nl;
    const Route route = get_route(nl, dst, hint_index);
    NextHop hop;
    hop.ifindex = route.oif;
    hop.iface = iface_name(route.oif);
    if (hint_index && route.oif != hint_index)
        throw std::runtime_error("the route to " + format_ipv4(dst) + " leaves through " + hop.iface + ", not " + iface_hint);
    hop.gateway = route.gateway;
    hop.src_ip = route.src;
    if (hop.src_ip == 0)
        throw std::runtime_error("the route to " + format_ipv4(dst) + " via " + hop.iface +
                                 " has no source address; assign an IPv4 address to " + hop.iface);
    hop.src_mac = iface_mac(hop.iface);

    const uint32_t neigh = route.gateway ? route.gateway : dst;
    const std::string who = format_ipv4(neigh) + " on " + hop.iface;
    auto n = get_neigh(nl, neigh, hop.ifindex);
    if (!n || !usable(*n)) {
        const int err = trigger_resolution(nl, neigh, hop.ifindex);
        if (err) throw std::runtime_error("cannot start ARP resolution of " + who + ": " + errno_text(err));
        const uint64_t deadline = monotonic_ns() + uint64_t(opt.resolve_timeout_ms) * 1'000'000ull;
        while (true) {
            n = get_neigh(nl, neigh, hop.ifindex);
            if (n && usable(*n)) break;
            if (n && (n->state & NUD_FAILED))
                throw std::runtime_error("next hop " + who + " does not answer ARP (neighbour entry FAILED)");
            if (monotonic_ns() > deadline)
                throw std::runtime_error("next hop " + who + " did not answer ARP within " +
                                         std::to_string(opt.resolve_timeout_ms) + " ms");
            const timespec ts{0, 10'000'000};
            nanosleep(&ts, nullptr);
        }
    }
    hop.dst_mac = n->mac;
    return hop;
}

} // namespace pathmap::tx
