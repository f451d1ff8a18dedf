// pfx2as and IXP list parsing; lookups walk prefix lengths from /32 down.
#include "graph/prefix_table.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pathmap::graph {

void PrefixTable::add(Entry e)
{
    e.prefix.addr &= e.prefix.mask();
    auto [it, inserted] = by_len_[e.prefix.len].insert_or_assign(e.prefix.addr, e);
    (void)it;
    if (inserted) ++count_;
}

std::optional<PrefixTable::Entry> PrefixTable::lookup(uint32_t addr) const
{
    if (count_ == 0) return std::nullopt;
    for (int len = 32; len >= 0; --len) {
        const auto &m = by_len_[len];
        if (m.empty()) continue;
        uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
        auto it = m.find(addr & mask);
        if (it != m.end()) return it->second;
    }
    return std::nullopt;
}

namespace {
[[noreturn]] void bad_line(const std::filesystem::path &f, size_t n, const std::string &what)
{
    throw std::runtime_error(f.string() + ":" + std::to_string(n) + ": " + what);
}
} // namespace

PrefixTable PrefixTable::load_pfx2as(const std::filesystem::path &file)
{
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open pfx2as file " + file.string());
    PrefixTable t;
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ss(line);
        std::string addr, asn;
        int len = -1;
        if (!(ss >> addr >> len >> asn)) bad_line(file, n, "expected 'prefix length asn'");
        auto a = parse_ipv4(addr);
        if (!a || len < 0 || len > 32) bad_line(file, n, "bad prefix '" + addr + "/" + std::to_string(len) + "'");
        size_t cut = asn.find_first_of("_,");
        std::string first = asn.substr(0, cut);
        int64_t as = 0;
        try {
            size_t used = 0;
            as = std::stoll(first, &used);
            if (used != first.size() || as <= 0) throw std::invalid_argument(first);
        } catch (const std::exception &) {
            bad_line(file, n, "bad ASN '" + asn + "'");
        }
        t.add({.prefix = {.addr = *a, .len = static_cast<uint8_t>(len)}, .asn = as, .name = "AS" + first});
    }
    return t;
}

PrefixTable PrefixTable::load_ixp(const std::filesystem::path &file)
{
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open IXP prefix file " + file.string());
    PrefixTable t;
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        size_t hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        std::istringstream ss(line);
        std::string cidr;
        if (!(ss >> cidr)) continue;
        auto p = parse_prefix(cidr);
        if (!p) bad_line(file, n, "bad prefix '" + cidr + "'");
        std::string name, word;
        while (ss >> word) name += (name.empty() ? "" : " ") + word;
        t.add({.prefix = *p, .asn = 0, .name = name.empty() ? cidr : name});
    }
    return t;
}

} // namespace pathmap::graph
