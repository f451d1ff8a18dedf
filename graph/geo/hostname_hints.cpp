// Hostname tokenising and matching against the gazetteer and code tables.
#include "graph/geo/hostname_hints.h"

#include "graph/geo/code_tables.h"

#include <algorithm>
#include <array>

namespace pathmap::geo
{
namespace
{

// Words router names use that collide with codes or city names: interface
// and role words, and codes with a common second meaning (cgn = carrier-grade
// NAT, man = metro network, los = first half of "los-angeles").
constexpr std::array kStopTokens = std::to_array<std::string_view>({
    "ae",       "xe",        "ge",      "et",      "te",      "hu",     "be",       "po",       "gi",
    "fa",       "eth",       "ether",   "bundle",  "core",    "edge",   "peer",     "peering",  "cust",
    "customer", "static",    "dynamic", "dyn",     "pool",    "dsl",    "cable",    "host",     "link",
    "transit",  "net",       "com",     "org",     "int",     "ext",    "inet",     "agg",      "dist",
    "acc",      "access",    "gw",      "rtr",     "router",  "bb",     "bbr",      "cr",       "ar",
    "br",       "pe",        "rt",      "sw",      "fw",      "lb",     "bng",      "bras",     "nat",
    "cgn",      "man",       "san",     "can",     "for",     "los",    "lin",      "new",      "mgmt",
    "loopback", "vlan",      "port",    "channel", "level",   "atlas",  "gin",      "twelve",   "telia",
    "cogent",   "zayo",      "ntt",     "gtt",     "retn",    "global", "crossing", "internet", "network",
    "networks", "broadband", "mobile",  "server",  "servers",
});

// Second-level labels under a country TLD that are still the registered
// domain ("example.co.uk", "example.net.nz").
constexpr std::array kSecondLevel =
    std::to_array<std::string_view>({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "in"});

bool is_stop(std::string_view t)
{
    return std::find(kStopTokens.begin(), kStopTokens.end(), t) != kStopTokens.end();
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::vector<std::string> split_any(std::string_view s, std::string_view seps)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (seps.find(c) != std::string_view::npos) {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

// "sngpsi07" -> {"sngpsi"}, "100ge1" -> {"ge"}, "r20" -> {"r"}.
std::vector<std::string> alpha_runs(std::string_view part)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : part) {
        if (c >= 'a' && c <= 'z') {
            cur.push_back(c);
        } else if (!cur.empty()) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

std::string country_of_label(std::string_view label)
{
    if (label.size() != 2 ||
        !std::all_of(label.begin(), label.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
        return {};
    std::string cc = lower(label);
    for (char &c : cc)
        c = static_cast<char>(c - 'a' + 'A');
    return cc == "UK" ? "GB" : cc;
}

} // namespace

std::vector<HostnameHint> parse_hostname(std::string_view hostname, const Gazetteer &gz)
{
    std::string host = lower(hostname);
    while (!host.empty() && host.back() == '.')
        host.pop_back();
    std::vector<std::string> labels = split_any(host, ".");
    size_t domain_labels = 2;
    if (labels.size() >= 3 && labels.back().size() == 2 &&
        std::find(kSecondLevel.begin(), kSecondLevel.end(), labels[labels.size() - 2]) != kSecondLevel.end())
        domain_labels = 3;
    if (labels.size() <= domain_labels) return {};
    labels.resize(labels.size() - domain_labels);

    std::vector<HostnameHint> hints;
    std::vector<std::string> countries;
    auto add = [&](const City *c, const std::string &token, HostnameHint::Kind kind) {
        if (!c) return;
        for (const HostnameHint &h : hints)
            if (h.city == c) return;
        hints.push_back({.city = c, .token = token, .kind = kind});
    };

    for (const std::string &label : labels) {
        if (std::string cc = country_of_label(label); !cc.empty()) countries.push_back(cc);
        std::vector<std::string> parts = split_any(label, "-_");
        std::vector<std::string> words; // alpha runs in order, for two-word city names
        for (const std::string &part : parts) {
            for (std::string &run : alpha_runs(part))
                words.push_back(std::move(run));
        }
        bool second_of_pair = false; // "angeles" after "los-angeles" matched
        for (size_t w = 0; w < words.size(); ++w) {
            const std::string &t = words[w];
            if (!is_stop(t) && !second_of_pair) {
                if (t.size() == 3) add(gz.find_iata(t), t, HostnameHint::Kind::iata);
                if (t.size() >= 3 && t.size() <= 6)
                    for (const City *c : gz.find_operator_code(t))
                        add(c, t, HostnameHint::Kind::operator_code);
                if (t.size() >= 4)
                    for (const City *c : gz.find_key(t, 100000))
                        add(c, t, HostnameHint::Kind::city_name);
            }
            second_of_pair = false;
            if (w + 1 < words.size()) {
                const std::string two = t + words[w + 1];
                if (two.size() >= 6)
                    for (const City *c : gz.find_key(two, 100000)) {
                        add(c, two, HostnameHint::Kind::city_name);
                        second_of_pair = true;
                    }
            }
        }
    }
    // A country label narrows the hints when at least one agrees with it.
    if (!countries.empty()) {
        auto in_countries = [&](const HostnameHint &h) {
            return std::find(countries.begin(), countries.end(), h.city->loc.country) != countries.end();
        };
        if (std::any_of(hints.begin(), hints.end(), in_countries))
            hints.erase(std::remove_if(hints.begin(), hints.end(),
                                       [&](const HostnameHint &h) { return !in_countries(h); }),
                        hints.end());
    }
    return hints;
}

std::string_view operator_domain_country(std::string_view hostname)
{
    std::string host = lower(hostname);
    while (!host.empty() && host.back() == '.')
        host.pop_back();
    for (const DomainCountry &d : operator_domains()) {
        if (host.size() < d.domain.size() ||
            host.compare(host.size() - d.domain.size(), d.domain.size(), d.domain) != 0)
            continue;
        if (host.size() == d.domain.size() || host[host.size() - d.domain.size() - 1] == '.')
            return d.country;
    }
    return {};
}

} // namespace pathmap::geo
