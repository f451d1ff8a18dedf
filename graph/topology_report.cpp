// Report assembly from profiles.jsonl.
#include "graph/topology_report.h"

#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include <fmt/core.h>

#include "graph/topology_analysis.h"
#include "graph/topology_builder.h"
#include "pathmap/ipv4.h"

namespace pathmap::graph {

using nlohmann::json;

namespace {

// A profile hop's "rtt_ms": null for an answer whose RTT was not measured
// (an Atlas late reply), which is not 0 ms.
void read_rtt(const json &h, Hop &hop)
{
    const auto it = h.find("rtt_ms");
    if (it == h.end() || it->is_null()) {
        hop.rtt_known = false;
        hop.rtt_ms = 0.0;
    } else {
        hop.rtt_ms = it->get<double>();
    }
}

} // namespace

json build_report(const std::filesystem::path &dir, const ReportOptions &opts)
{
    auto file = dir / "profiles.jsonl";
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string() + " (run 'pathmap graph ... -o " + dir.string() + "' first)");
    std::optional<uint32_t> want;
    if (!opts.path_to.empty()) {
        want = parse_ipv4(opts.path_to);
        if (!want) throw std::runtime_error("--path-to: '" + opts.path_to + "' is not an IPv4 address");
    }
    TopologyBuilder builder;
    std::map<uint32_t, std::map<std::string, int>> role_votes;
    struct Segment {
        std::string kind;
        std::set<std::string> members;
        size_t traces = 0;
    };
    std::map<std::string, Segment> segments;
    // AS path per destination /24: the ASes of the answering hops in order,
    // repeats folded, hops with no known AS left out; traces per distinct path.
    std::map<uint32_t, std::map<std::vector<int64_t>, size_t>> as_paths;
    std::map<int64_t, std::string> as_names;
    json paths = json::array(), near_paths = json::array();
    size_t reached = 0, lineno = 0;
    std::string line;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            json p = json::parse(line);
            Trace t;
            t.dst = p.at("dst").get<std::string>();
            t.flow_id = p.value("flow_id", uint16_t{0});
            t.reached = p.value("reached", false);
            reached += t.reached;
            std::set<std::string> seen_clusters;
            std::vector<int64_t> as_path;
            for (const json &h : p.at("hops")) {
                if (const int64_t asn = h.value("asn", int64_t{0}); asn != 0) {
                    if (as_path.empty() || as_path.back() != asn) as_path.push_back(asn);
                    if (h.contains("as_name") && h["as_name"].is_string()) as_names.emplace(asn, h["as_name"].get<std::string>());
                }
                if (h.at("ip").is_null()) {
                    // A probed silent hop keeps its anonymous vertex; one that
                    // answered by name only (an RTT, a hostname) its named vertex.
                    Hop hop{.ttl = h.at("index").get<uint8_t>()};
                    if (h.contains("hostname") && h["hostname"].is_string()) {
                        hop.rdns = h["hostname"].get<std::string>();
                        read_rtt(h, hop);
                    }
                    t.hops.push_back(std::move(hop));
                    continue;
                }
                Hop hop;
                hop.ttl = h.at("index").get<uint8_t>();
                hop.addr = h["ip"].get<std::string>();
                read_rtt(h, hop);
                if (h.contains("hostname") && h["hostname"].is_string()) hop.rdns = h["hostname"].get<std::string>();
                auto a = parse_ipv4(hop.addr);
                if (!a) throw std::runtime_error("hop address '" + hop.addr + "' is not IPv4");
                ++role_votes[*a][h.value("role", std::string("unknown"))];
                if (h.contains("cluster_id") && h["cluster_id"].is_string()) {
                    std::string id = h["cluster_id"].get<std::string>();
                    segments[id].members.insert(hop.addr);
                    seen_clusters.insert(id);
                }
                t.hops.push_back(std::move(hop));
            }
            for (const json &c : p.value("clusters", json::array()))
                if (segments.count(c.value("id", std::string()))) segments[c["id"].get<std::string>()].kind = c.value("kind", "");
            for (const std::string &id : seen_clusters) ++segments[id].traces;
            if (auto d = parse_ipv4(t.dst); d && !as_path.empty()) ++as_paths[*d & 0xffffff00u][as_path];
            if (want) {
                auto d = parse_ipv4(t.dst);
                if (d && *d == *want) paths.push_back(p);
                else if (d && (*d >> 8) == (*want >> 8)) near_paths.push_back(p);
            }
            builder.add(t);
        } catch (const std::exception &e) {
            throw std::runtime_error(file.string() + ":" + std::to_string(lineno) + ": " + e.what());
        }
    }
    builder.finish();
    if (opts.name_interfaces) opts.name_interfaces(builder);
    TopologyGraph &g = builder.graph();
    auto name_of = [&g](VertexId v) -> json {
        if (v == kNoVertex || v >= g.vertex_count() || g.vertex(v).rdns.empty()) return nullptr;
        if (g.vertex(v).addr == 0 && g.vertex(v).kind == VertexKind::interface) return nullptr; // the label is the name
        return g.vertex(v).rdns.str();
    };
    for (auto &[addr, votes] : role_votes) {
        auto v = g.find_interface(addr);
        if (!v) continue;
        auto best = std::max_element(votes.begin(), votes.end(),
                                     [](const auto &a, const auto &b) { return a.second < b.second; });
        parse_hop_role(best->first, g.vertex(*v).role);
    }
    json report;
    size_t prefixes = 0;
    for (VertexId v = 0; v < g.vertex_count(); ++v) prefixes += g.vertex(v).kind == VertexKind::prefix;
    report["summary"] = {{"traces", builder.paths().size()},
                         {"reached", reached},
                         {"prefixes_reached", prefixes},
                         {"vertices", g.vertex_count()},
                         {"links", g.edge_count()}};
    if (want) {
        if (paths.empty() && near_paths.empty()) throw std::runtime_error("no trace to " + opts.path_to + " in " + file.string());
        report["path_to"] = {{"host", opts.path_to}, {"exact", !paths.empty()}, {"traces", paths.empty() ? near_paths : paths}};
    }
    json chokes = json::array();
    auto cps = find_chokepoints(builder);
    for (size_t i = 0; i < cps.size() && i < opts.top_chokepoints; ++i)
        chokes.push_back({{"hop", cps[i].label},
                          {"name", name_of(cps[i].vertex)},
                          {"role", hop_role_name(cps[i].role)},
                          {"prefixes_behind", cps[i].prefixes_behind},
                          {"articulation_point", cps[i].articulation_point}});
    report["chokepoints"] = chokes;
    json links = json::array();
    for (const LinkLoad &l : top_links(builder, opts.top_links))
        links.push_back({{"from", l.from},
                         {"to", l.to},
                         {"from_name", name_of(l.src)},
                         {"to_name", name_of(l.dst)},
                         {"paths", l.paths},
                         {"silent_between", l.silent_between}});
    report["top_links"] = links;
    json segs = json::array();
    for (auto &[id, s] : segments)
        segs.push_back({{"id", id}, {"kind", s.kind}, {"members", s.members}, {"traces", s.traces}});
    report["segments"] = segs;
    json asp = json::array();
    for (const auto &[net, by_path] : as_paths) {
        json variants = json::array();
        for (const auto &[path, traces] : by_path) {
            json names = json::array();
            for (int64_t a : path) names.push_back(as_names.count(a) ? json(as_names[a]) : json(nullptr));
            variants.push_back({{"as_path", path}, {"as_names", names}, {"traces", traces}});
        }
        asp.push_back({{"prefix", format_ipv4(net) + "/24"}, {"paths", variants}});
    }
    report["as_paths"] = asp;
    return report;
}

std::string render_report_text(const json &r)
{
    std::string out;
    const json &s = r.at("summary");
    out += fmt::format("{} traces ({} reached), {} prefixes, {} vertices, {} links\n", s["traces"].get<size_t>(),
                       s["reached"].get<size_t>(), s["prefixes_reached"].get<size_t>(), s["vertices"].get<size_t>(),
                       s["links"].get<size_t>());
    if (r.contains("path_to")) {
        const json &p = r["path_to"];
        out += fmt::format("\nPath to {}{}:\n", p["host"].get<std::string>(), p["exact"].get<bool>() ? "" : " (nearest traced address in its /24)");
        for (const json &t : p["traces"]) {
            out += fmt::format("  to {} flow {}: {} hops, {} usable for distance, ~{} km, confidence {:.2f}\n",
                               t["dst"].get<std::string>(), t["flow_id"].get<int>(), t["summary"]["total_hops"].get<int>(),
                               t["summary"]["usable_distance_hops"].get<int>(),
                               t["summary"]["estimated_distance_km"].get<double>(),
                               t["summary"]["path_confidence"].get<double>());
            for (const json &h : t["hops"]) {
                // Silent: "*"; answered by name only (no address printed): the name.
                std::string ip = !h["ip"].is_null()                                 ? h["ip"].get<std::string>()
                                 : h["hostname"].is_string() ? h["hostname"].get<std::string>()
                                                             : "*";
                std::string rtt = h["rtt_ms"].is_null() ? "" : fmt::format("{:.2f} ms", h["rtt_ms"].get<double>());
                std::string cl = h["cluster_id"].is_null() ? "" : " [" + h["cluster_id"].get<std::string>() + "]";
                out += fmt::format("    {:>3}  {:<16} {:>10}  {:<22} {:<8} rel {:.2f}{}\n", h["index"].get<int>(), ip, rtt,
                                   h["role"].get<std::string>(), h["scope"].get<std::string>(),
                                   h["reliability"].get<double>(), cl);
            }
            for (const json &n : t["summary"]["notes"]) out += "    note: " + n.get<std::string>() + "\n";
        }
    }
    out += "\nChokepoints (prefixes cut off if the hop fails):\n";
    if (r["chokepoints"].empty()) out += "  none\n";
    // A name (profiles.jsonl's, or report --rdns) follows the address, as mtr -b shows both.
    auto named = [](const json &name) { return name.is_string() ? "  " + name.get<std::string>() : std::string(); };
    for (const json &c : r["chokepoints"])
        out += fmt::format("  {:<18} {:<22} {:>6} prefixes{}{}\n", c["hop"].get<std::string>(), c["role"].get<std::string>(),
                           c["prefixes_behind"].get<size_t>(), c["articulation_point"].get<bool>() ? "  (articulation point)" : "",
                           named(c.value("name", json())));
    out += "\nTop links by paths:\n";
    for (const json &l : r["top_links"])
    {
        const int silent = l.value("silent_between", 0);
        const std::string via = silent ? fmt::format("({} silent hop{})", silent, silent == 1 ? "" : "s") : "";
        const json from = l.value("from_name", json()), to = l.value("to_name", json());
        const std::string names = from.is_string() || to.is_string()
                                      ? fmt::format("  {} -> {}", from.is_string() ? from.get<std::string>() : "-",
                                                    to.is_string() ? to.get<std::string>() : "-")
                                      : "";
        out += fmt::format("  {:<18} -> {:<18} {:<16} {:>7} paths{}\n", l["from"].get<std::string>(), l["to"].get<std::string>(),
                           via, l["paths"].get<size_t>(), names);
    }
    out += "\nAS paths to prefixes (hops with no known AS left out):\n";
    if (r.value("as_paths", json::array()).empty()) out += "  none (no hop has an AS number)\n";
    for (const json &p : r.value("as_paths", json::array()))
        for (const json &v : p["paths"]) {
            std::string path;
            const json &names = v["as_names"];
            for (size_t i = 0; i < v["as_path"].size(); ++i) {
                path += fmt::format("{}AS{}", path.empty() ? "" : " ", v["as_path"][i].get<int64_t>());
                if (i < names.size() && names[i].is_string()) path += " (" + names[i].get<std::string>() + ")";
            }
            out += fmt::format("  {:<18} {}  [{} trace{}]\n", p["prefix"].get<std::string>(), path,
                               v["traces"].get<size_t>(), v["traces"].get<size_t>() == 1 ? "" : "s");
        }
    out += "\nCGNAT, backbone and other segments:\n";
    if (r["segments"].empty()) out += "  none\n";
    for (const json &sg : r["segments"]) {
        std::string members;
        for (const json &m : sg["members"]) members += (members.empty() ? "" : " ") + m.get<std::string>();
        out += fmt::format("  {:<12} {:<17} {:>5} traces: {}\n", sg["id"].get<std::string>(), sg["kind"].get<std::string>(),
                           sg["traces"].get<size_t>(), members);
    }
    return out;
}

} // namespace pathmap::graph
