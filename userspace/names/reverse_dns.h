// Asynchronous reverse DNS (PTR) through c-ares, with the system's resolver
// configuration (inside `ip netns exec`, /etc/netns/NAME/resolv.conf), or
// the servers given. Hundreds of queries in flight, a per-query timeout, a
// cache that remembers negative answers too. resolve() runs the queries to a
// deadline and never longer: a resolver that does not answer costs its
// timeout once, not per address. ask() and poll() do the same without ever
// blocking, for callers that probe while names arrive (pathmap mtr).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace pathmap::names {

struct ReverseDnsConfig {
    unsigned timeout_ms = 1000; // per try
    unsigned tries = 2;
    // Queries in flight at once. The testbed's dnsmasq answered 10,000 in
    // 0.2 s with 128, and dropped some at 256 (each then cost a 1 s retry).
    size_t max_in_flight = 128;
    std::string servers;        // "198.18.3.2,198.18.3.6"; empty = the system's resolv.conf
};

struct ReverseDnsStats {
    uint64_t queries = 0;   // sent to a server (cache misses)
    uint64_t answered = 0;  // a PTR name came back
    uint64_t no_name = 0;   // NXDOMAIN / no PTR record (remembered)
    uint64_t failed = 0;    // server failure, refused, bad answer
    uint64_t timed_out = 0; // no answer within tries x timeout
    uint64_t cut = 0;       // still in flight or never sent at the deadline
};

struct ResolverError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ReverseDns {
public:
    // Throws ResolverError with one line (bad --resolver list, no usable
    // resolver configuration).
    explicit ReverseDns(ReverseDnsConfig cfg = {});
    ~ReverseDns();
    ReverseDns(const ReverseDns &) = delete;
    ReverseDns &operator=(const ReverseDns &) = delete;

    // Looks up every address not yet cached (host order), with at most
    // max_in_flight queries at once, until all are answered or deadline_ms
    // has passed; what is left is counted in stats().cut.
    void resolve(std::span<const uint32_t> addrs, unsigned deadline_ms);
    // The name of an address resolved before; nullopt when it has none (or
    // it was not asked, or its query did not finish).
    std::optional<std::string> name(uint32_t addr) const;

    // Non-blocking use. ask() queues a lookup for an address that is not
    // cached, not asked already and not given up on (its query timed out or
    // failed once: a dead resolver costs one timeout per address, not one
    // per call); true when it queued one. poll() sends queued queries, at
    // most max_in_flight at once, and takes the answers that have arrived,
    // waiting at most wait_ms for them (0: never blocks); it returns how
    // many lookups finished. drain() polls until nothing is outstanding or
    // deadline_ms has passed; what is left is cancelled and counted in
    // stats().cut, as resolve() does.
    bool ask(uint32_t addr);
    size_t poll(int wait_ms = 0);
    void drain(unsigned deadline_ms);
    // Lookups asked and not finished: queued or in flight.
    size_t outstanding() const noexcept { return queued_.size() + in_flight_; }
    // Lookups that came back with a name or a definite "no name".
    uint64_t answered_any() const noexcept { return stats_.answered + stats_.no_name; }

    const ReverseDnsStats &stats() const noexcept { return stats_; }
    // The servers c-ares uses, for messages ("198.18.3.2").
    std::string servers() const;

private:
    struct Query;
    static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) noexcept;
    void pump(int wait_ms);
    bool enqueue(uint32_t addr, bool retry_given_up);
    void send_queued();

    ReverseDnsConfig cfg_;
    void *channel_ = nullptr; // ares_channel
    std::unordered_map<uint32_t, std::optional<std::string>> cache_; // names and remembered "no name"s
    std::unordered_set<uint32_t> pending_;                            // queued or in flight
    std::unordered_set<uint32_t> given_up_; // timed out or failed; ask() does not retry them
    std::deque<uint32_t> queued_;           // asked, waiting for a free query slot
    ReverseDnsStats stats_;
    size_t in_flight_ = 0;
    uint64_t finished_ = 0; // callbacks run (answers, failures, timeouts)
};

} // namespace pathmap::names
