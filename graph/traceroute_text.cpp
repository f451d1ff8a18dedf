// Plain `traceroute` output (Linux traceroute 2.x, with or without -n):
//   traceroute to 198.19.1.1 (198.19.1.1), 30 hops max, 60 byte packets
//    1  198.18.0.1  0.061 ms  0.020 ms  0.016 ms
//    2  * r2.example.net (198.18.0.6)  0.1 ms !H  *
// Several runs may be concatenated; each header starts a trace.
#include <sstream>

#include "graph/input_formats.h"
#include "pathmap/ipv4.h"

namespace pathmap::graph {

namespace {
[[noreturn]] void fail(const std::string &name, size_t line, const std::string &what)
{
    throw InputError(name + ":" + std::to_string(line) + ": " + what);
}
} // namespace

std::vector<Trace> parse_traceroute_text(std::string_view text, const std::string &name)
{
    std::vector<Trace> out;
    Trace *cur = nullptr;
    size_t lineno = 0, start = 0;
    auto finish = [&] {
        if (cur)
            for (auto it = cur->hops.rbegin(); it != cur->hops.rend(); ++it)
                if (!it->addr.empty()) {
                    cur->reached = it->addr == cur->dst;
                    break;
                }
        if (cur && !cur->hops.empty()) cur->first_ttl = cur->hops.front().ttl;
        if (cur) cur->stop_reason = cur->reached ? "reached" : cur->stop_reason.empty() ? "max_ttl" : cur->stop_reason;
    };
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        start = end + 1;
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (line.rfind("traceroute to ", 0) == 0) {
            finish();
            out.emplace_back();
            cur = &out.back();
            size_t open = line.find('('), close = line.find(')');
            std::string dst;
            if (open != std::string::npos && close != std::string::npos && close > open)
                dst = line.substr(open + 1, close - open - 1);
            else {
                std::istringstream ss(line.substr(14));
                ss >> dst;
                if (!dst.empty() && dst.back() == ',') dst.pop_back();
            }
            if (!parse_ipv4(dst)) fail(name, lineno, "destination '" + dst + "' is not an IPv4 address");
            cur->dst = dst;
            continue;
        }
        if (!cur) fail(name, lineno, "hop line before any 'traceroute to' header");
        std::istringstream ss(line);
        int ttl = 0;
        if (!(ss >> ttl) || ttl < 1 || ttl > 255) fail(name, lineno, "expected a hop number");
        Hop hop;
        hop.ttl = static_cast<uint8_t>(ttl);
        std::string tok, pending_name;
        bool have = false;
        while (ss >> tok) {
            if (tok == "*") continue;
            if (tok == "ms") continue;
            if (tok[0] == '!') {
                if (have) {
                    hop.icmp_type = 3;
                    cur->stop_reason = "unreachable";
                }
                continue;
            }
            if (tok.front() == '(' && tok.back() == ')') {
                std::string a = tok.substr(1, tok.size() - 2);
                if (!parse_ipv4(a)) fail(name, lineno, "bad address " + tok);
                if (!have) {
                    hop.addr = a;
                    if (!pending_name.empty() && pending_name != a) hop.rdns = pending_name;
                    have = true;
                }
                pending_name.clear();
                continue;
            }
            if (parse_ipv4(tok)) {
                if (!have) {
                    hop.addr = tok;
                    have = true;
                }
                continue;
            }
            char *endp = nullptr;
            double v = std::strtod(tok.c_str(), &endp);
            if (endp && *endp == '\0') {
                if (have && hop.rtt_ms == 0.0) hop.rtt_ms = v;
                continue;
            }
            pending_name = tok; // a hostname; its address follows in parentheses
        }
        // "5  * * *": probed, no answer; a silent hop keeps its place.
        if (cur->hops.empty() || cur->hops.back().ttl < hop.ttl) cur->hops.push_back(std::move(hop));
    }
    finish();
    if (out.empty()) throw InputError(name + ": no 'traceroute to' header found");
    return out;
}

} // namespace pathmap::graph
