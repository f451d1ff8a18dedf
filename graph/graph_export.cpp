// GraphML/GEXF/DOT/profile writers. Only types Gephi reads (string, int,
// long, double), no NaN or infinity (such values are left out), text escaped.
#include "graph/graph_export.h"

#include "graph/as_layer.h"

#include <cmath>
#include <ostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pathmap::graph {

namespace {

std::string xml_escape(const std::string &s)
{
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            // XML 1.0 forbids most control characters even escaped.
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += '?';
            else out += static_cast<char>(c);
        }
    }
    return out;
}

std::string dot_escape(const std::string &s)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string(); }

std::string edge_role(const TopologyGraph &g, const EdgeRef &e)
{
    switch (e.info->kind) {
    case EdgeKind::link:
    case EdgeKind::reaches: return hop_role_name(g.vertex(e.dst).role);
    case EdgeKind::member_of: {
        const VertexInfo &t = g.vertex(e.dst);
        return t.kind == VertexKind::cluster ? cluster_kind_name(t.cluster_kind) : "alias";
    }
    case EdgeKind::located_in: return "located_in";
    case EdgeKind::in_as: return "in_as";
    case EdgeKind::as_link: return "as_boundary";
    }
    return "unknown";
}

// Gephi's node size: grows with the log of the degree.
double node_size(size_t degree) { return 4.0 + 4.0 * std::log2(1.0 + static_cast<double>(degree)); }

std::string cluster_kind_or_empty(const VertexInfo &v)
{
    return v.kind == VertexKind::cluster ? cluster_kind_name(v.cluster_kind) : "";
}

} // namespace

Rgb role_colour(HopRole r, VertexKind k)
{
    if (k == VertexKind::vantage) return {0, 0, 0};
    if (k == VertexKind::prefix) return {160, 160, 160};
    if (k == VertexKind::region) return {120, 180, 120};
    if (k == VertexKind::autonomous_system) return {200, 160, 90};
    if (k == VertexKind::router) return {90, 90, 140};
    switch (r) {
    case HopRole::cpe: return {141, 211, 199};
    case HopRole::rf_link: return {255, 237, 111};
    case HopRole::packet_core: return {190, 186, 218};
    case HopRole::cgnat: return {251, 128, 114};
    case HopRole::private_backbone: return {128, 177, 211};
    case HopRole::mpls_backbone: return {31, 120, 180};
    case HopRole::access_router: return {253, 180, 98};
    case HopRole::peering_edge: return {179, 222, 105};
    case HopRole::ixp: return {51, 160, 44};
    case HopRole::transit: return {252, 205, 229};
    case HopRole::international_transit: return {227, 26, 28};
    case HopRole::destination: return {106, 61, 154};
    case HopRole::unknown: break;
    }
    return {217, 217, 217};
}

void write_graphml(const TopologyGraph &g, std::ostream &out, const GraphLayout *layout)
{
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
           "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";
    struct Key {
        const char *id, *forr, *type;
    };
    static constexpr Key keys[] = {
        {"label", "node", "string"},       {"kind", "node", "string"},        {"role", "node", "string"},
        {"layer", "node", "string"},       {"scope", "node", "string"},       {"region", "node", "string"},
        {"rdns", "node", "string"},        {"evidence", "node", "string"},    {"cluster_kind", "node", "string"},
        {"asn", "node", "long"},           {"times_seen", "node", "long"},    {"min_ttl", "node", "int"},
        {"max_ttl", "node", "int"},        {"rtt_min_ms", "node", "double"},  {"reliability", "node", "double"},
        {"as_name", "node", "string"},     {"country", "node", "string"},
        {"degree", "node", "int"},         {"hosts_probed", "node", "long"},  {"hosts_reached", "node", "long"},
        {"rtt_max_ms", "node", "double"},  {"x", "node", "double"},           {"y", "node", "double"},
        {"size", "node", "double"},        {"r", "node", "int"},              {"g", "node", "int"},
        {"b", "node", "int"},              {"weight", "edge", "double"},      {"ekind", "edge", "string"},
        {"erole", "edge", "string"},       {"flows", "edge", "long"},         {"emin_ttl", "edge", "int"},
        {"emax_ttl", "edge", "int"},       {"ttl_gap", "edge", "int"},        {"min_rtt_delta_ms", "edge", "double"},
        {"as_boundary", "edge", "boolean"},
    };
    for (const Key &k : keys) {
        // Edge keys share attribute names with node keys ("kind", "role") but need distinct ids.
        std::string name = k.id;
        if (name == "ekind") name = "kind";
        else if (name == "erole") name = "role";
        else if (name == "emin_ttl") name = "min_ttl";
        else if (name == "emax_ttl") name = "max_ttl";
        out << "  <key id=\"" << k.id << "\" for=\"" << k.forr << "\" attr.name=\"" << name << "\" attr.type=\""
            << k.type << "\"/>\n";
    }
    out << "  <graph id=\"pathmap\" edgedefault=\"directed\">\n";
    std::string buf;
    for (VertexId v = 0; v < g.vertex_count(); ++v) {
        const VertexInfo &vi = g.vertex(v);
        buf.clear();
        auto data = [&](const char *key, const std::string &val) {
            if (!val.empty()) fmt::format_to(std::back_inserter(buf), "      <data key=\"{}\">{}</data>\n", key, val);
        };
        fmt::format_to(std::back_inserter(buf), "    <node id=\"n{}\">\n", v);
        data("label", xml_escape(vi.label));
        data("kind", vertex_kind_name(vi.kind));
        data("role", hop_role_name(vi.role));
        data("layer", xml_escape(vi.layer));
        data("scope", scope_name(vi.scope));
        data("region", xml_escape(vi.region));
        data("rdns", xml_escape(vi.rdns));
        data("evidence", xml_escape(vi.evidence));
        data("cluster_kind", cluster_kind_or_empty(vi));
        data("asn", std::to_string(vi.asn));
        data("as_name", xml_escape(vi.as_name));
        data("country", xml_escape(vi.country));
        data("times_seen", std::to_string(vi.times_seen));
        if (vi.max_ttl >= vi.min_ttl) {
            data("min_ttl", std::to_string(vi.min_ttl));
            data("max_ttl", std::to_string(vi.max_ttl));
        }
        if (vi.kind == VertexKind::interface && vi.rtt_samples) data("rtt_min_ms", num(vi.rtt_min_ms));
        if (const PrefixStats *ps = vi.kind == VertexKind::prefix ? g.prefix_stats(v) : nullptr) {
            data("hosts_probed", std::to_string(ps->hosts_probed));
            data("hosts_reached", std::to_string(ps->hosts_reached));
            data("rtt_min_ms", num(ps->rtt_min_ms));
            if (ps->hosts_reached) data("rtt_max_ms", num(ps->rtt_max_ms));
        }
        data("reliability", num(vi.reliability));
        const size_t degree = g.degree(v);
        data("degree", std::to_string(degree));
        if (layout && v < layout->position.size()) {
            const Rgb c = role_colour(vi.role, vi.kind);
            data("x", fmt::format("{:.2f}", layout->position[v].x));
            data("y", fmt::format("{:.2f}", layout->position[v].y));
            data("size", fmt::format("{:.3f}", node_size(degree)));
            data("r", std::to_string(c.r));
            data("g", std::to_string(c.g));
            data("b", std::to_string(c.b));
        }
        buf += "    </node>\n";
        out << buf;
    }
    size_t idx = 0;
    g.for_each_edge([&](const EdgeRef &e) {
        buf.clear();
        auto data = [&](const char *key, const std::string &val) {
            if (!val.empty()) fmt::format_to(std::back_inserter(buf), "      <data key=\"{}\">{}</data>\n", key, val);
        };
        fmt::format_to(std::back_inserter(buf), "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\">\n", idx++, e.src,
                       e.dst);
        data("weight", num(std::max<uint32_t>(1, e.info->times_seen)));
        data("ekind", edge_kind_name(e.info->kind));
        data("erole", edge_role(g, e));
        data("flows", std::to_string(e.info->flows));
        if (e.info->max_ttl >= e.info->min_ttl) {
            data("emin_ttl", std::to_string(e.info->min_ttl));
            data("emax_ttl", std::to_string(e.info->max_ttl));
        }
        if (e.info->kind == EdgeKind::link || e.info->kind == EdgeKind::reaches)
            data("ttl_gap", std::to_string(e.info->ttl_gap == 255 ? 0 : e.info->ttl_gap));
        data("min_rtt_delta_ms", num(e.info->min_rtt_delta_ms));
        if (e.info->kind == EdgeKind::link || e.info->kind == EdgeKind::as_link)
            data("as_boundary", is_as_boundary(g, e) ? "true" : "false");
        buf += "    </edge>\n";
        out << buf;
    });
    out << "  </graph>\n</graphml>\n";
}

void write_gexf(const TopologyGraph &g, std::ostream &out, const GraphLayout *layout)
{
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<gexf xmlns=\"http://www.gexf.net/1.2draft\" xmlns:viz=\"http://www.gexf.net/1.2draft/viz\" "
           "version=\"1.2\">\n"
           "  <meta><creator>pathmap</creator><description>network topology from traceroutes</description></meta>\n"
           "  <graph mode=\"static\" defaultedgetype=\"directed\">\n"
           "    <attributes class=\"node\">\n"
           "      <attribute id=\"0\" title=\"kind\" type=\"string\"/>\n"
           "      <attribute id=\"1\" title=\"role\" type=\"string\"/>\n"
           "      <attribute id=\"2\" title=\"layer\" type=\"string\"/>\n"
           "      <attribute id=\"3\" title=\"scope\" type=\"string\"/>\n"
           "      <attribute id=\"4\" title=\"region\" type=\"string\"/>\n"
           "      <attribute id=\"5\" title=\"asn\" type=\"long\"/>\n"
           "      <attribute id=\"6\" title=\"reliability\" type=\"double\"/>\n"
           "      <attribute id=\"7\" title=\"rdns\" type=\"string\"/>\n"
           "    </attributes>\n"
           "    <attributes class=\"edge\">\n"
           "      <attribute id=\"0\" title=\"kind\" type=\"string\"/>\n"
           "      <attribute id=\"1\" title=\"role\" type=\"string\"/>\n"
           "      <attribute id=\"2\" title=\"as_boundary\" type=\"boolean\"/>\n"
           "    </attributes>\n"
           "    <nodes>\n";
    std::string buf;
    for (VertexId v = 0; v < g.vertex_count(); ++v) {
        const VertexInfo &vi = g.vertex(v);
        Rgb c = role_colour(vi.role, vi.kind);
        double size = node_size(g.degree(v));
        buf.clear();
        fmt::format_to(std::back_inserter(buf),
                       "      <node id=\"n{}\" label=\"{}\">\n        <attvalues>\n"
                       "          <attvalue for=\"0\" value=\"{}\"/>\n          <attvalue for=\"1\" value=\"{}\"/>\n"
                       "          <attvalue for=\"2\" value=\"{}\"/>\n          <attvalue for=\"3\" value=\"{}\"/>\n"
                       "          <attvalue for=\"4\" value=\"{}\"/>\n          <attvalue for=\"5\" value=\"{}\"/>\n"
                       "          <attvalue for=\"6\" value=\"{}\"/>\n          <attvalue for=\"7\" value=\"{}\"/>\n"
                       "        </attvalues>\n"
                       "        <viz:color r=\"{}\" g=\"{}\" b=\"{}\"/>\n        <viz:size value=\"{:.3f}\"/>\n"
                       "{}      </node>\n",
                       v, xml_escape(vi.label), vertex_kind_name(vi.kind), hop_role_name(vi.role), xml_escape(vi.layer),
                       scope_name(vi.scope), xml_escape(vi.region), vi.asn,
                       std::isfinite(vi.reliability) ? vi.reliability : 0.0, xml_escape(vi.rdns), c.r, c.g, c.b, size,
                       layout && v < layout->position.size()
                           ? fmt::format("        <viz:position x=\"{:.2f}\" y=\"{:.2f}\" z=\"0.0\"/>\n",
                                         layout->position[v].x, layout->position[v].y)
                           : std::string());
        out << buf;
    }
    out << "    </nodes>\n    <edges>\n";
    size_t idx = 0;
    g.for_each_edge([&](const EdgeRef &e) {
        buf.clear();
        fmt::format_to(std::back_inserter(buf),
                       "      <edge id=\"e{}\" source=\"n{}\" target=\"n{}\" weight=\"{}\">\n        <attvalues>\n"
                       "          <attvalue for=\"0\" value=\"{}\"/>\n          <attvalue for=\"1\" value=\"{}\"/>\n"
                       "          <attvalue for=\"2\" value=\"{}\"/>\n"
                       "        </attvalues>\n      </edge>\n",
                       idx++, e.src, e.dst, std::max<uint32_t>(1, e.info->times_seen), edge_kind_name(e.info->kind),
                       edge_role(g, e), is_as_boundary(g, e) ? "true" : "false");
        out << buf;
    });
    out << "    </edges>\n  </graph>\n</gexf>\n";
}

std::string dot_node_line(const TopologyGraph &g, VertexId v, const std::string &name)
{
    const VertexInfo &vi = g.vertex(v);
    Rgb c = role_colour(vi.role, vi.kind);
    const char *shape = vi.kind == VertexKind::prefix      ? "note"
                        : vi.kind == VertexKind::vantage   ? "house"
                        : vi.kind == VertexKind::anonymous ? "circle"
                                                           : "box";
    std::string label = vi.label;
    if (vi.kind == VertexKind::interface && !vi.rdns.empty()) label += "\n" + vi.rdns.str();
    if (vi.kind == VertexKind::interface && vi.role != HopRole::unknown) label += std::string("\n") + hop_role_name(vi.role);
    if (vi.kind == VertexKind::prefix)
        if (const PrefixStats *ps = g.prefix_stats(v))
            label += fmt::format("\n{}/{} hosts answered", ps->hosts_reached, ps->hosts_probed);
    return fmt::format("    {} [label=\"{}\", shape={}, fillcolor=\"#{:02x}{:02x}{:02x}\"{}];\n", name, dot_escape(label),
                       shape, c.r, c.g, c.b, vi.kind == VertexKind::vantage ? ", fontcolor=white" : "");
}

void write_dot(const TopologyGraph &g, const Annotation &a, std::ostream &out)
{
    out << "digraph pathmap {\n  rankdir=LR;\n  node [style=filled, fontname=\"Helvetica\", fontsize=10];\n"
           "  edge [color=\"#555555\"];\n";
    auto drawn = [&](const VertexInfo &v) {
        return v.kind == VertexKind::interface || v.kind == VertexKind::anonymous || v.kind == VertexKind::prefix ||
               v.kind == VertexKind::vantage;
    };
    auto node_line = [&](VertexId v) { return dot_node_line(g, v, "n" + std::to_string(v)); };
    std::vector<char> placed(g.vertex_count(), 0);
    for (size_t ci = 0; ci < a.clusters.size(); ++ci) {
        const ClusterRecord &c = a.clusters[ci];
        std::string body;
        for (VertexId m : c.members)
            if (m < a.primary_cluster.size() && a.primary_cluster[m] == static_cast<int>(ci) && !placed[m]) {
                body += node_line(m);
                placed[m] = 1;
            }
        if (body.empty()) continue;
        out << "  subgraph cluster_" << ci << " {\n    label=\"" << dot_escape(c.id) << "\"; style=rounded;\n" << body
            << "  }\n";
    }
    for (VertexId v = 0; v < g.vertex_count(); ++v)
        if (!placed[v] && drawn(g.vertex(v))) out << node_line(v);
    g.for_each_edge([&](const EdgeRef &e) {
        if (e.info->kind != EdgeKind::link && e.info->kind != EdgeKind::reaches) return;
        double w = 1.0 + std::log2(1.0 + e.info->times_seen);
        std::string style = e.info->kind == EdgeKind::reaches ? ", style=dashed" : "";
        if (e.info->ttl_gap > 0 && e.info->ttl_gap != 255) style = fmt::format(", style=dotted, label=\"+{}\"", e.info->ttl_gap);
        out << fmt::format("  n{} -> n{} [penwidth={:.2f}{}];\n", e.src, e.dst, std::min(w, 8.0), style);
    });
    out << "}\n";
}

std::string profile_json_line(const TraceProfile &p, const Annotation &a)
{
    using nlohmann::json;
    json hops = json::array();
    std::set<std::string> cluster_ids;
    for (const HopProfile &h : p.hops) {
        json jh = {{"index", h.index},
                   {"ip", h.ip.empty() ? json(nullptr) : json(h.ip)},
                   {"hostname", h.hostname.empty() ? json(nullptr) : json(h.hostname)},
                   {"rtt_ms", h.responded && !std::isnan(h.rtt_ms) ? json(h.rtt_ms) : json(nullptr)},
                   {"role", hop_role_name(h.role)},
                   {"layer", h.layer},
                   {"scope", scope_name(h.scope)},
                   {"tags", h.tags},
                   {"reliability", std::round(h.reliability * 1000.0) / 1000.0},
                   {"cluster_id", h.cluster_id.empty() ? json(nullptr) : json(h.cluster_id)},
                   {"region", h.region.empty() ? json(nullptr) : json(h.region)},
                   {"distance_km", h.distance_km ? json(std::round(*h.distance_km)) : json(nullptr)},
                   {"usable_for_distance", h.usable_for_distance},
                   {"evidence", h.evidence},
                   {"rule", h.rule}};
        if (h.asn) jh["asn"] = h.asn;
        if (!h.as_name.empty()) jh["as_name"] = h.as_name;
        if (!h.country.empty()) jh["country"] = h.country;
        if (!h.cluster_id.empty()) cluster_ids.insert(h.cluster_id);
        hops.push_back(std::move(jh));
    }
    json clusters = json::array();
    for (const ClusterRecord &c : a.clusters) {
        if (!cluster_ids.count(c.id)) continue;
        json idx = json::array();
        for (const HopProfile &h : p.hops)
            if (h.cluster_id == c.id) idx.push_back(h.index);
        json jc = {{"id", c.id}, {"kind", cluster_kind_name(c.kind)}, {"hops", idx}, {"members", c.members.size()}};
        if (c.asn) jc["asn"] = c.asn;
        clusters.push_back(std::move(jc));
    }
    json segments = json::array();
    for (const PathSegment &s : p.segments)
        segments.push_back({{"role", hop_role_name(s.role)},
                            {"layer", s.layer},
                            {"from_hop", s.from_hop},
                            {"to_hop", s.to_hop},
                            {"region", s.region.empty() ? json(nullptr) : json(s.region)}});
    json j = {{"dst", p.dst},
              {"vantage", p.vantage},
              {"flow_id", p.flow_id},
              {"reached", p.reached},
              {"summary",
               {{"total_hops", p.total_hops},
                {"usable_distance_hops", p.usable_distance_hops},
                {"estimated_distance_km", std::round(p.estimated_distance_km)},
                {"path_confidence", std::round(p.path_confidence * 1000.0) / 1000.0},
                {"notes", p.notes}}},
              {"hops", std::move(hops)},
              {"clusters", std::move(clusters)},
              {"segments", std::move(segments)}};
    return j.dump();
}

} // namespace pathmap::graph
