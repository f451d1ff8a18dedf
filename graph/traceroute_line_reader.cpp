// Tokens of a traceroute hop line. Each tool prints a probe as
// "[name] (addr) rtt ms [!annotation]" or "addr rtt ms", repeats the address
// only when it changes, and prints "*" for a silent probe, so a reply is
// emitted at every RTT with the address most recently printed.
#include "graph/traceroute_line_reader.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "graph/reader_hops.h"
#include "graph/reader_text.h"

namespace pathmap::graph
{

namespace
{

bool all_digits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::optional<double> number(std::string_view s)
{
    if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return std::nullopt;
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// "23.07", "4.063ms" (tracepath glues the unit), or paris-traceroute's
// "min/avg/max/mdev" (the minimum is kept, as for several plain probes).
std::optional<double> rtt_value(std::string_view tok, bool &has_unit)
{
    has_unit = tok.size() > 2 && tok.substr(tok.size() - 2) == "ms";
    if (has_unit) tok.remove_suffix(2);
    if (size_t slash = tok.find('/'); slash != std::string_view::npos) {
        for (std::string_view rest = tok; !rest.empty();) {
            size_t s = rest.find('/');
            if (!number(rest.substr(0, s))) return std::nullopt;
            rest = s == std::string_view::npos ? std::string_view() : rest.substr(s + 1);
        }
        return number(tok.substr(0, slash));
    }
    return number(tok);
}

// "<MPLS:L=201007,E=0,S=0,T=1/L=201003,E=0,S=1,T=2>" (Linux traceroute -e).
std::optional<std::vector<uint32_t>> mpls_token(std::string_view tok)
{
    if (tok.rfind("<MPLS:", 0) != 0 || tok.back() != '>') return std::nullopt;
    std::vector<uint32_t> labels;
    std::string_view body = tok.substr(6, tok.size() - 7);
    for (size_t at = body.find("L="); at != std::string_view::npos; at = body.find("L=", at + 2)) {
        if (at > 0 && body[at - 1] != '/' && body[at - 1] != ',') continue;
        uint32_t v = 0;
        auto r = std::from_chars(body.data() + at + 2, body.data() + body.size(), v);
        if (r.ec != std::errc()) return std::nullopt;
        labels.push_back(v);
    }
    if (labels.empty()) return std::nullopt;
    return labels;
}

// Applies "!H", "!N", "!P", "!X", "!S", "!F-1500", "!<10>", "!T3", ... to a reply.
void annotate(Hop &h, std::string_view tok)
{
    std::string_view a = tok.substr(1);
    auto unreachable = [&](int code) {
        h.icmp_type = 3;
        h.icmp_code = code;
    };
    if (a.empty()) return;
    if (a[0] == 'T') { // paris-traceroute: the probe's TTL as quoted in the reply (1 outside tunnels)
        int v = 0;
        auto r = std::from_chars(a.data() + 1, a.data() + a.size(), v);
        if (r.ec == std::errc() && r.ptr == a.data() + a.size()) h.quoted_ttl = v;
        return;
    }
    if (a == "H") return unreachable(1);
    if (a == "N") return unreachable(0);
    if (a == "P") return unreachable(2);
    if (a == "S") return unreachable(5);
    if (a[0] == 'F') return unreachable(4); // "!F-1500": fragmentation needed, next-hop MTU
    if (a == "X" || a == "A" || a == "Z") return unreachable(13);
    if (a == "V") return unreachable(14);
    if (a == "C") return unreachable(15);
    if (a.front() == '<' && a.back() == '>') {
        int v = -1;
        std::from_chars(a.data() + 1, a.data() + a.size() - 1, v);
        return unreachable(v);
    }
    unreachable(-1); // another flag: an unreachable of a code the tool did not name
}

std::vector<uint32_t> flow_list(std::string_view s)
{
    std::vector<uint32_t> flows;
    while (!s.empty()) {
        size_t comma = s.find(',');
        uint32_t v = 0;
        std::string_view part = s.substr(0, comma);
        auto r = std::from_chars(part.data(), part.data() + part.size(), v);
        if (r.ec == std::errc()) flows.push_back(v);
        s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return flows;
}

} // namespace

int leading_hop_number(std::string_view line, std::string_view &rest)
{
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    size_t j = i;
    while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j])))
        ++j;
    if (j == i || j - i > 3 || (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))))
        return 0;
    int v = std::atoi(std::string(line.substr(i, j - i)).c_str());
    if (v < 1 || v > 255) return 0;
    rest = line.substr(j);
    return v;
}

std::vector<uint32_t> paris_mpls_line(std::string_view line)
{
    std::vector<std::string_view> t = split_words(line);
    std::vector<uint32_t> labels;
    if (t.size() < 3 || t[0] != "MPLS" || t[1] != "Label") return labels;
    for (size_t i = 2; i < t.size(); ++i) {
        if (i == 2 || t[i - 1] == "|") {
            uint32_t v = 0;
            auto r = std::from_chars(t[i].data(), t[i].data() + t[i].size(), v);
            if (r.ec != std::errc()) return {};
            labels.push_back(v);
        }
    }
    return labels;
}

std::optional<std::string> read_hop_tokens(std::string_view line, HopLine &hop)
{
    const std::vector<std::string_view> tok = split_words(line);
    std::string addr; // the address replies are now coming from ("" if none or IPv6)
    std::string name; // its name, when one was printed before "(addr)"
    std::vector<uint32_t> labels, flows;
    int64_t asn = 0;
    std::string_view pending; // a word that may be a name, if "(addr)" follows
    bool addr_known = false;  // false until an address (or an IPv6 one) was printed
    for (size_t i = 0; i < tok.size(); ++i) {
        std::string_view t = tok[i];
        if (t == "*") continue; // a silent probe; the hop is probed either way
        if (t == "ms") continue;
        if (t.front() == '!') {
            if (!hop.replies.empty()) annotate(hop.replies.back().hop, t);
            continue;
        }
        if (t.front() == '[' && t.back() == ']') { // macOS -a: "[AS7018]"
            if (t.rfind("[AS", 0) == 0) asn = std::atoll(std::string(t.substr(3, t.size() - 4)).c_str());
            continue;
        }
        if (t.rfind("P(", 0) == 0 || (t.back() == ')' && all_digits(t.substr(0, t.size() - 1))))
            continue; // paris-traceroute's "P(6, 6)": replies out of probes
        if (auto l = mpls_token(t)) {
            labels = *l;
            continue;
        }
        if (t.front() == '(') {
            size_t close = t.find(')');
            if (close == std::string_view::npos) return "unclosed address " + std::string(t);
            std::string_view inside = t.substr(1, close - 1);
            std::string_view after = t.substr(close + 1);
            labels.clear();
            flows =
                after.size() > 1 && after[0] == ':' ? flow_list(after.substr(1)) : std::vector<uint32_t>{};
            addr_known = true;
            if (auto v4 = ipv4_text(inside)) {
                addr = *v4;
                name = pending.empty() || pending == inside ? std::string() : std::string(pending);
            } else if (looks_like_ipv6(inside)) {
                hop.ipv6 = true;
                addr.clear();
            } else {
                return "bad address " + std::string(t);
            }
            pending = {};
            continue;
        }
        bool has_unit = false;
        if (auto rtt = rtt_value(t, has_unit);
            rtt && (has_unit || (i + 1 < tok.size() && tok[i + 1] == "ms"))) {
            if (!addr_known) return "an RTT before any address: '" + std::string(t) + "'";
            if (addr.empty()) continue; // an IPv6 reply
            LineReply r{.hop = Hop{.addr = addr, .rtt_ms = *rtt, .mpls_labels = labels, .asn = asn},
                        .flows = flows};
            r.hop.ttl = static_cast<uint8_t>(hop.ttl);
            if (!name.empty()) r.hop.rdns = name;
            hop.replies.push_back(std::move(r));
            continue;
        }
        const bool name_follows = i + 1 < tok.size() && tok[i + 1].front() == '(';
        if (!name_follows) {
            if (auto v4 = ipv4_text(t)) { // "-n": a bare address
                addr = *v4;
                name.clear();
                labels.clear();
                flows.clear();
                addr_known = true;
                pending = {};
                continue;
            }
            if (looks_like_ipv6(t)) {
                hop.ipv6 = true;
                addr.clear();
                addr_known = true;
                pending = {};
                continue;
            }
        }
        pending = t; // a host name; its address follows in parentheses
    }
    return std::nullopt;
}

} // namespace pathmap::graph
