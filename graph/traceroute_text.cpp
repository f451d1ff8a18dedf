// Traceroute-family text into Traces: Linux traceroute 2.x (with or without
// -n, -e), BSD and macOS traceroute (continuation lines, -a's "[ASn]"),
// paris-traceroute, and tracepath (tracepath_reader.cpp).
//   traceroute to 198.19.1.1 (198.19.1.1), 30 hops max, 60 byte packets
//    1  198.18.0.1  0.061 ms  0.020 ms  0.016 ms
//    4  192.171.61.61  23.07 ms 206.248.155.109  17.07 ms *
//    7  12.255.10.226 (12.255.10.226)  25.375 ms
//       12.255.10.224 (12.255.10.224)  24.011 ms  25.322 ms
// Several runs may be concatenated; each header starts a trace, and so does
// a hop number that goes down. Output without its header (the header goes to
// stderr on some systems) takes its destination from the last hop line when
// that line says it (headerless_destination); a run where it does not is
// read with no destination (Trace::dst ""): its hops are real, what it was
// aimed at is not in the file and is not made up.
#include <sstream>

#include "graph/input_formats.h"
#include "graph/reader_hops.h"
#include "graph/traceroute_line_reader.h"
#include "pathmap/ipv4.h"
#include "pathmap/log.h"

namespace pathmap::graph
{

namespace
{

[[noreturn]] void fail(const std::string &name, size_t line, const std::string &what)
{
    throw InputError(name + ":" + std::to_string(line) + ": " + what);
}

// The destination of a header line, "" when it names none:
//   traceroute to host (a.b.c.d), ...      traceroute6 to host (v6) from ...
//   traceroute [(src:port) -> (dst:port)], protocol icmp, ...   (paris-traceroute)
std::string header_destination(const std::string &line)
{
    if (size_t arrow = line.find("-> ("); arrow != std::string::npos) {
        size_t start = arrow + 4, end = line.find_first_of(":)", start);
        // an IPv6 destination has colons: it ends at the last colon before ')'
        size_t close = line.find(')', start);
        if (close != std::string::npos &&
            line.substr(start, close - start).find(':') != line.rfind(':', close)) {
            end = line.rfind(':', close);
        }
        return end == std::string::npos ? std::string() : line.substr(start, end - start);
    }
    size_t to = line.find(" to ");
    size_t open = line.find('(', to), close = line.find(')', open);
    if (open != std::string::npos && close != std::string::npos)
        return line.substr(open + 1, close - open - 1);
    std::istringstream ss(line.substr(to + 4));
    std::string dst;
    ss >> dst;
    if (!dst.empty() && dst.back() == ',') dst.pop_back();
    return dst;
}

bool is_header(const std::string &line)
{
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos) return false;
    std::string_view l = std::string_view(line).substr(i);
    return l.rfind("traceroute to ", 0) == 0 || l.rfind("traceroute6 to ", 0) == 0 ||
           l.rfind("traceroute [(", 0) == 0;
}

// One run being read: its destination (empty without a header) and its hops.
struct Run {
    std::string dst;
    bool has_header = false;
    bool ipv6 = false; // header destination, or only IPv6 addresses printed
    bool any_v4 = false;
    HopAlternatives hops;
};

// traceroute stops when the destination answers, so without a header the
// destination is the last line's address, provided that line answered from
// one address seen at no lower TTL. A silent tail (stopped by -m or by hand),
// several addresses on the last line or a loop leave it unknown: "".
std::string headerless_destination(const HopAlternatives &hops)
{
    if (hops.empty()) return {};
    const auto &[last_ttl, last] = *hops.by_ttl().rbegin();
    if (last.size() != 1) return {};
    const std::string &addr = last.front().hop.addr;
    for (const auto &[ttl, alts] : hops.by_ttl())
        for (const HopAlternative &a : alts)
            if (ttl != last_ttl && a.hop.addr == addr) return {};
    return addr;
}

} // namespace

std::vector<Trace> parse_traceroute_text(std::string_view text, const std::string &name)
{
    {
        size_t first = text.find_first_not_of(" \t\r\n");
        if (first != std::string_view::npos) {
            std::string_view head = text.substr(first, 64);
            size_t colon = head.find(':');
            if (colon != std::string_view::npos && colon > 0 && colon <= 4 &&
                head.find_first_not_of("0123456789?") == colon)
                return parse_tracepath_text(text, name);
        }
    }
    std::vector<Trace> out;
    size_t skipped_v6 = 0, unknown_dst = 0;
    size_t lineno = 0, start = 0;
    std::optional<Run> run;
    HopLine cur; // the hop being read, added to the run when the next hop starts
    bool have_cur = false;
    auto flush_hop = [&] {
        if (!have_cur || !run) return;
        run->hops.probed(cur.ttl);
        for (LineReply &r : cur.replies) {
            if (r.flows.empty()) {
                run->hops.add(r.hop);
            } else {
                for (uint32_t f : r.flows)
                    run->hops.add(r.hop, f);
            }
        }
        run->any_v4 = run->any_v4 || !cur.replies.empty();
        if (cur.ipv6 && cur.replies.empty() && !run->any_v4) run->ipv6 = true;
        have_cur = false;
    };
    auto finish_run = [&] {
        flush_hop();
        if (!run) return;
        Run r = std::move(*run);
        run.reset();
        if (r.ipv6 && !r.any_v4) {
            ++skipped_v6;
            return;
        }
        if (!r.has_header) {
            r.dst = headerless_destination(r.hops);
            unknown_dst += r.dst.empty();
        }
        Trace base;
        base.dst = r.dst;
        for (Trace &t : r.hops.traces(base))
            out.push_back(std::move(t));
    };
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        start = end + 1;
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        if (is_header(line)) {
            finish_run();
            run.emplace();
            run->has_header = true;
            std::string dst = header_destination(line);
            if (auto v4 = ipv4_text(dst)) {
                run->dst = *v4;
            } else if (looks_like_ipv6(dst)) {
                run->ipv6 = true;
            } else {
                fail(name, lineno, "destination '" + dst + "' is not an IP address");
            }
            continue;
        }
        if (line.rfind("traceroute", 0) == 0 && line.find("Warning:") != std::string::npos) continue;
        std::string_view rest;
        const int ttl = leading_hop_number(line, rest);
        if (ttl == 0) {
            // A line below a hop: BSD/macOS print each further address on
            // its own line, paris-traceroute its MPLS label stack.
            if (!have_cur) fail(name, lineno, "expected a hop number");
            std::vector<uint32_t> labels = paris_mpls_line(line);
            if (!labels.empty()) {
                if (!cur.replies.empty()) {
                    const std::string last = cur.replies.back().hop.addr;
                    for (LineReply &r : cur.replies)
                        if (r.hop.addr == last) r.hop.mpls_labels = labels;
                }
                continue;
            }
            if (line.find_first_not_of(" \t") == 0) fail(name, lineno, "expected a hop number");
            if (auto err = read_hop_tokens(line, cur)) fail(name, lineno, *err);
            continue;
        }
        if (run && have_cur && ttl <= cur.ttl)
            finish_run(); // a new run without a header
        else
            flush_hop();
        if (!run) run.emplace();
        cur = HopLine{.ttl = ttl};
        have_cur = true;
        if (auto err = read_hop_tokens(rest, cur)) fail(name, lineno, *err);
    }
    finish_run();
    if (out.empty() && skipped_v6 > 0) {
        log::warn("{}: only IPv6 traceroute output (runs: {}); pathmap graphs IPv4 only", name, skipped_v6);
        return out;
    }
    if (out.empty()) throw InputError(name + ": no traceroute hop lines found");
    if (skipped_v6) log::info("{}: skipped IPv6 traceroute runs: {}", name, skipped_v6);
    if (unknown_dst)
        log::info("{}: {} runs without a 'traceroute to' header end silent or ambiguous: read without a destination "
                  "(keep the header line, which some systems print on stderr, to name it)",
                  name, unknown_dst);
    return out;
}

} // namespace pathmap::graph
