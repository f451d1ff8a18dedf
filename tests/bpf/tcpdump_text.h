// What tcpdump decodes from a capture, read from `tcpdump -vv -nn --number`
// text: per packet the outer IPv4 header, the ICMP or TCP summary, the
// quoted IPv4 header and its addresses, and the RFC 4884 extension objects
// with their MPLS label stack entries (-vv is what prints the objects).
// Lets a test assert a parser against an independent decoder of the same
// bytes. Header-only test helper.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace pathmap::bpftest
{

struct TcpdumpIp {
    unsigned ttl = 0, id = 0, proto = 0, length = 0;
    std::string src, dst; // dotted quads
    unsigned sport = 0, dport = 0;
    std::string summary; // what follows "src > dst: "
};

struct TcpdumpPacket {
    size_t number = 0;
    std::string first_line;              // after the number and timestamp
    std::optional<TcpdumpIp> ip;         // outer IPv4, when tcpdump printed one first
    std::optional<TcpdumpIp> quoted;     // the IPv4 datagram an ICMP error quotes
    bool has_extension = false;          // "ICMP Multi-Part extension v2"
    bool extension_checksum_ok = false;  // "... checksum 0x.... (correct)"
    std::vector<uint32_t> mpls;          // raw LSEs rebuilt from "label L, tc T, [S], ttl N"
    std::vector<unsigned> other_objects; // classes of the other extension objects
    std::vector<std::string> lines;
};

// Runs tcpdump on `path`; throws when it cannot run or fails.
inline std::map<size_t, TcpdumpPacket> tcpdump_decode(const std::string &path)
{
    const std::string cmd = "tcpdump -vv -nn --number -r '" + path + "' 2>/dev/null";
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run: " + cmd);
    std::vector<std::string> lines;
    char buf[4096];
    std::string cur;
    while (fgets(buf, sizeof buf, p)) {
        cur += buf;
        if (!cur.empty() && cur.back() == '\n') {
            cur.pop_back();
            lines.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty()) lines.push_back(cur);
    const int rc = pclose(p);
    if (rc != 0)
        throw std::runtime_error(cmd + " failed (status " + std::to_string(rc) + "): is tcpdump installed?");

    static const std::regex head(R"(^\s*(\d+)\s+\d\d:\d\d:\d\d\.\d+ (.*)$)");
    static const std::regex ip_hdr(
        R"(IP \(tos 0x[0-9a-f]+, ttl (\d+), id (\d+), offset \d+, flags \[[^\]]*\], proto \w+ \((\d+)\), length (\d+))");
    static const std::regex addrs(
        R"(^\s*(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))? > (\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?: (.*)$)");
    static const std::regex ext(
        R"(ICMP Multi-Part extension v2, checksum 0x[0-9a-f]+ \((correct|incorrect)\))");
    static const std::regex object(R"(^\s+.* Object \((\d+)\), Class-Type: (\d+), length \d+)");
    static const std::regex label(R"(^\s+label (\d+), tc (\d+)(, \[S\])?, ttl (\d+))");

    std::map<size_t, TcpdumpPacket> out;
    TcpdumpPacket *pkt = nullptr;
    TcpdumpIp *want_addrs = nullptr; // the IP header whose address line comes next
    unsigned cur_class = 0;
    for (const std::string &line : lines) {
        std::smatch m;
        std::string rest = line;
        bool first = false;
        if (std::regex_match(line, m, head)) {
            size_t n = std::stoul(m[1]);
            pkt = &out[n];
            pkt->number = n;
            pkt->first_line = m[2];
            rest = m[2];
            first = true;
            want_addrs = nullptr;
            cur_class = 0;
        }
        if (!pkt) continue;
        pkt->lines.push_back(line);
        const bool outer_hdr = first && rest.rfind("IP (", 0) == 0;
        const bool quoted_hdr = !first && pkt->ip && !pkt->quoted && line.rfind("\tIP (", 0) == 0;
        if ((outer_hdr || quoted_hdr) && std::regex_search(rest, m, ip_hdr)) {
            TcpdumpIp ip{.ttl = unsigned(std::stoul(m[1])),
                         .id = unsigned(std::stoul(m[2])),
                         .proto = unsigned(std::stoul(m[3])),
                         .length = unsigned(std::stoul(m[4]))};
            auto &slot = outer_hdr ? pkt->ip : pkt->quoted;
            slot = ip;
            want_addrs = &*slot;
            continue;
        }
        if (want_addrs && std::regex_match(line, m, addrs)) {
            want_addrs->src = m[1];
            want_addrs->sport = m[2].matched ? unsigned(std::stoul(m[2])) : 0;
            want_addrs->dst = m[3];
            want_addrs->dport = m[4].matched ? unsigned(std::stoul(m[4])) : 0;
            want_addrs->summary = m[5];
            want_addrs = nullptr;
            continue;
        }
        if (std::regex_search(line, m, ext)) {
            pkt->has_extension = true;
            pkt->extension_checksum_ok = m[1] == "correct";
            continue;
        }
        if (pkt->has_extension && std::regex_search(line, m, object)) {
            cur_class = unsigned(std::stoul(m[1]));
            unsigned ctype = unsigned(std::stoul(m[2]));
            if (cur_class != 1 || ctype != 1) pkt->other_objects.push_back(cur_class);
            continue;
        }
        if (cur_class == 1 && std::regex_search(line, m, label)) {
            uint32_t lse = uint32_t(std::stoul(m[1])) << 12 | uint32_t(std::stoul(m[2]) & 7) << 9 |
                           (m[3].matched ? 0x100u : 0u) | uint32_t(std::stoul(m[4]));
            pkt->mpls.push_back(lse);
        }
    }
    return out;
}

} // namespace pathmap::bpftest
