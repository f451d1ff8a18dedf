// c-ares channel, PTR queries, the select() loop that drives them.
#include "userspace/names/reverse_dns.h"

#include <arpa/inet.h>
#include <ares.h>
#include <netdb.h>
#include <sys/select.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <mutex>

namespace pathmap::names {

namespace {

uint64_t now_ms() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1'000'000;
}

ares_channel chan(void *p) { return static_cast<ares_channel>(p); }

} // namespace

struct ReverseDns::Query {
    ReverseDns *self;
    uint32_t addr;
};

ReverseDns::ReverseDns(ReverseDnsConfig cfg) : cfg_(std::move(cfg))
{
    static std::once_flag once;
    static int init_status = ARES_SUCCESS;
    std::call_once(once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
    if (init_status != ARES_SUCCESS) throw ResolverError(std::string("c-ares: ") + ares_strerror(init_status));
    ares_options opts{};
    opts.timeout = static_cast<int>(std::max(1u, cfg_.timeout_ms));
    opts.tries = static_cast<int>(std::max(1u, cfg_.tries));
    ares_channel ch = nullptr;
    int rc = ares_init_options(&ch, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (rc != ARES_SUCCESS) throw ResolverError(std::string("reverse DNS: cannot set up the resolver: ") + ares_strerror(rc));
    channel_ = ch;
    if (!cfg_.servers.empty()) {
        rc = ares_set_servers_csv(ch, cfg_.servers.c_str());
        if (rc != ARES_SUCCESS) {
            ares_destroy(ch);
            channel_ = nullptr;
            throw ResolverError("--resolver " + cfg_.servers + ": not a list of addresses (" + ares_strerror(rc) + ")");
        }
    }
}

ReverseDns::~ReverseDns()
{
    if (channel_) ares_destroy(chan(channel_)); // pending callbacks run with ARES_EDESTRUCTION
}

std::string ReverseDns::servers() const
{
    std::string out;
    ares_addr_port_node *list = nullptr;
    if (ares_get_servers_ports(chan(channel_), &list) == ARES_SUCCESS) {
        for (ares_addr_port_node *n = list; n; n = n->next) {
            char buf[INET6_ADDRSTRLEN] = {};
            inet_ntop(n->family, &n->addr, buf, sizeof buf);
            out += (out.empty() ? "" : ",") + std::string(buf);
        }
        ares_free_data(list);
    }
    return out.empty() ? "(none)" : out;
}

void ReverseDns::on_answer(void *arg, int status, int, unsigned char *abuf, int alen) noexcept
{
    auto *q = static_cast<Query *>(arg);
    ReverseDns &self = *q->self;
    --self.in_flight_;
    ++self.finished_;
    self.pending_.erase(q->addr);
    std::optional<std::string> name;
    bool definitive = false; // a name, or a remembered "no name"
    if (status == ARES_SUCCESS) {
        ::hostent *host = nullptr;
        const in_addr ia{.s_addr = htonl(q->addr)};
        const int prc = ares_parse_ptr_reply(abuf, alen, &ia, sizeof ia, AF_INET, &host);
        if (prc == ARES_SUCCESS && host && host->h_name && *host->h_name) {
            name = host->h_name;
            definitive = true;
            ++self.stats_.answered;
        } else if (prc == ARES_ENODATA || prc == ARES_SUCCESS) {
            definitive = true;
            ++self.stats_.no_name;
        } else {
            ++self.stats_.failed; // a malformed answer
        }
        if (host) ares_free_hostent(host);
    } else {
        switch (status) {
        case ARES_ENOTFOUND: // NXDOMAIN
        case ARES_ENODATA:   // the name exists, no PTR
            definitive = true;
            ++self.stats_.no_name;
            break;
        case ARES_ETIMEOUT: ++self.stats_.timed_out; break;
        case ARES_EDESTRUCTION:
        case ARES_ECANCELLED: break; // counted as cut by resolve()
        default: ++self.stats_.failed; break; // refused, server failure, unreachable server
        }
    }
    // Timeouts and failures are not cached: resolve() may ask again; ask()
    // does not (given_up_).
    if (definitive) self.cache_[q->addr] = std::move(name);
    else if (status != ARES_EDESTRUCTION && status != ARES_ECANCELLED) self.given_up_.insert(q->addr);
    delete q;
}

void ReverseDns::pump(int wait_ms)
{
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    const int nfds = ares_fds(chan(channel_), &r, &w);
    timeval max{.tv_sec = wait_ms / 1000, .tv_usec = (wait_ms % 1000) * 1000};
    timeval tv{};
    timeval *tvp = ares_timeout(chan(channel_), &max, &tv);
    select(nfds, nfds > 0 ? &r : nullptr, nfds > 0 ? &w : nullptr, nullptr, tvp);
    ares_process(chan(channel_), &r, &w);
}

bool ReverseDns::enqueue(uint32_t addr, bool retry_given_up)
{
    if (cache_.count(addr) || (!retry_given_up && given_up_.count(addr))) return false;
    if (!pending_.insert(addr).second) return false; // queued or in flight already
    queued_.push_back(addr);
    return true;
}

void ReverseDns::send_queued()
{
    while (!queued_.empty() && in_flight_ < cfg_.max_in_flight) {
        const uint32_t a = queued_.front();
        queued_.pop_front();
        // The PTR query itself, not ares_gethostbyaddr: that one reports
        // every failure, a timeout too, as "not found".
        char ptr[32];
        std::snprintf(ptr, sizeof ptr, "%u.%u.%u.%u.in-addr.arpa", a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >> 24);
        ++in_flight_;
        ++stats_.queries;
        // The callback may run inside this call (an immediate failure).
        ares_query(chan(channel_), ptr, 1 /* C_IN */, 12 /* T_PTR */, &ReverseDns::on_answer, new Query{this, a});
    }
}

bool ReverseDns::ask(uint32_t addr) { return enqueue(addr, false); }

size_t ReverseDns::poll(int wait_ms)
{
    const uint64_t before = finished_;
    send_queued();
    if (in_flight_ > 0) {
        pump(std::max(0, wait_ms));
        send_queued(); // slots freed by the answers just taken
    }
    return static_cast<size_t>(finished_ - before);
}

void ReverseDns::drain(unsigned deadline_ms)
{
    const uint64_t end = now_ms() + deadline_ms;
    for (;;) {
        send_queued();
        if (outstanding() == 0) return;
        const uint64_t now = now_ms();
        if (now >= end) break;
        if (in_flight_ > 0) pump(static_cast<int>(std::min<uint64_t>(end - now, 100)));
    }
    // Past the deadline: what is in flight is cancelled (its callbacks run
    // now) and, with what was never sent, counted as cut.
    stats_.cut += in_flight_ + queued_.size();
    for (uint32_t a : queued_) pending_.erase(a);
    queued_.clear();
    if (in_flight_ > 0) ares_cancel(chan(channel_));
}

void ReverseDns::resolve(std::span<const uint32_t> addrs, unsigned deadline_ms)
{
    for (uint32_t a : addrs) enqueue(a, true);
    drain(deadline_ms);
}

std::optional<std::string> ReverseDns::name(uint32_t addr) const
{
    auto it = cache_.find(addr);
    return it == cache_.end() ? std::nullopt : it->second;
}

} // namespace pathmap::names
