// iputils tracepath output into Traces:
//    1?: [LOCALHOST]                      pmtu 1500
//    1:  gw.example (192.168.1.254)         4.063ms
//    3:  no reply
//    4:  12.242.117.16                     161.527ms asymm  5
//    9:  dns.google                          23.1ms reached
//        Resume: pmtu 1500 hops 9 back 9
// tracepath prints a hop again when another probe of it answers (or a late
// reply arrives, even after later hops), so replies are gathered per TTL.
// It has no header: the destination is the address on the "reached" line;
// a run that never reached names none and is read without one (Trace::dst ""). Without -n (or -b) it prints names only; such
// a hop answered from an unknown address and keeps its name (Hop::rdns on a
// hop without an address), by which the graph keys its vertex.
#include <cctype>

#include "graph/input_formats.h"
#include "graph/reader_hops.h"
#include "graph/reader_text.h"
#include "pathmap/log.h"

namespace pathmap::graph
{

namespace
{

struct PathRun {
    HopAlternatives hops;
    std::string reached_addr;
    bool ipv6 = false, any_v4 = false;
};

// The "4.063ms" word of a hop line (the last one if several), 0 if none.
double line_rtt_ms(const std::vector<std::string_view> &w)
{
    double rtt = 0.0;
    for (size_t i = 2; i < w.size(); ++i) {
        std::string_view t = w[i];
        if (t.size() > 2 && t.substr(t.size() - 2) == "ms") {
            try {
                rtt = std::stod(std::string(t.substr(0, t.size() - 2)));
            } catch (const std::exception &) {
            }
        }
    }
    return rtt;
}

} // namespace

std::vector<Trace> parse_tracepath_text(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    std::optional<PathRun> run;
    size_t names_only = 0, skipped_v6 = 0, unreached = 0;
    auto finish = [&] {
        if (!run || run->hops.empty()) return run.reset();
        if (run->ipv6 && !run->any_v4) {
            ++skipped_v6;
            return run.reset();
        }
        Trace base;
        base.dst = run->reached_addr;
        base.reached = !base.dst.empty();
        unreached += !base.reached;
        for (Trace &t : run->hops.traces(base))
            out.push_back(std::move(t));
        run.reset();
    };
    size_t lineno = 0, start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++lineno;
        std::vector<std::string_view> w = split_words(line);
        if (w.empty()) continue;
        const std::string_view head = w[0];
        size_t digits = 0;
        while (digits < head.size() && std::isdigit(static_cast<unsigned char>(head[digits])))
            ++digits;
        const bool hop_line =
            digits > 0 && digits <= 3 && (head.substr(digits) == ":" || head.substr(digits) == "?:");
        if (!hop_line) {
            if (head == "Resume:" || head == "Too" || head == "pmtu") continue; // the footer
            throw InputError(name + ":" + std::to_string(lineno) + ": expected a tracepath hop line");
        }
        const int ttl = std::stoi(std::string(head.substr(0, digits)));
        if (ttl < 1 || ttl > 255)
            throw InputError(name + ":" + std::to_string(lineno) + ": hop number out of range");
        if (w.size() >= 2 && w[1] == "[LOCALHOST]") { // each run begins with the local MTU line
            finish();
            run.emplace();
            continue;
        }
        if (!run) run.emplace();
        run->hops.probed(ttl);
        if (w.size() >= 2 && w[1] == "no" && w.size() >= 3 && w[2] == "reply") continue;
        if (w.size() < 2) continue;
        std::string addr, rdns;
        bool v6 = false;
        if (auto v4 = ipv4_text(w[1])) {
            addr = *v4;
        } else if (looks_like_ipv6(w[1])) {
            v6 = true;
        } else if (w.size() >= 3 && w[2].size() > 2 && w[2].front() == '(' && w[2].back() == ')') {
            std::string_view inside = w[2].substr(1, w[2].size() - 2);
            if (auto a = ipv4_text(inside)) {
                addr = *a;
                rdns = std::string(w[1]);
            } else if (looks_like_ipv6(inside)) {
                v6 = true;
            } else {
                throw InputError(name + ":" + std::to_string(lineno) + ": bad address " + std::string(w[2]));
            }
        } else {
            ++names_only;
            run->hops.answered_by_name(ttl, std::string(w[1]), line_rtt_ms(w));
            continue;
        }
        if (v6) {
            run->ipv6 = true;
            continue;
        }
        run->any_v4 = true;
        Hop h{.ttl = static_cast<uint8_t>(ttl), .addr = addr, .rtt_ms = line_rtt_ms(w)};
        if (!rdns.empty()) h.rdns = rdns;
        for (size_t i = 2; i < w.size(); ++i)
            if (w[i] == "reached") run->reached_addr = addr;
        run->hops.add(std::move(h));
    }
    finish();
    if (out.empty() && skipped_v6) {
        log::warn("{}: only IPv6 tracepath output; pathmap graphs IPv4 only", name);
        return out;
    }
    if (out.empty()) throw InputError(name + ": no tracepath hop lines found");
    if (unreached)
        log::info("{}: {} tracepath runs never reached their destination: read without one (tracepath prints no header)",
                  name, unreached);
    if (names_only)
        log::info(
            "{}: {} tracepath replies printed as names only (no address; run tracepath -n): kept by name",
            name, names_only);
    return out;
}

} // namespace pathmap::graph
