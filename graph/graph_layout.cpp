// Folding the topology into a picture, laying it out with graphviz (or by
// hop distance), and spreading the positions back over the full graph.
#include "graph/graph_layout.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "graph/graph_export.h"
#include "pathmap/ipv4.h"

namespace pathmap::graph {

namespace {

bool drawn_kind(VertexKind k)
{
    return k == VertexKind::interface || k == VertexKind::anonymous || k == VertexKind::prefix || k == VertexKind::vantage;
}

bool path_edge(EdgeKind k) { return k == EdgeKind::link || k == EdgeKind::reaches; }

// What the picture draws: per vertex its picture node (or -1), the folded nodes.
struct Picture {
    struct Fold {
        VertexId parent = kNoVertex;
        std::vector<VertexId> members; // sorted by address
    };
    std::vector<int> node_of;   // index into nodes
    std::vector<std::string> names; // DOT node names
    std::vector<VertexId> single;   // per node: the vertex it draws, kNoVertex for a fold
    std::vector<Fold> folds;        // per node: its fold (empty members for a single vertex)
    std::vector<VertexId> hidden_at; // per vertex: the vertex whose position it takes (hidden prefixes)
};

Picture fold_picture(const TopologyGraph &g, const LayoutOptions &opts)
{
    const size_t n = g.vertex_count();
    std::vector<bool> has_out_link(n, false);
    // Strongest in-edge of every vertex: a leaf is drawn beside that parent.
    std::vector<VertexId> parent(n, kNoVertex);
    std::vector<uint32_t> parent_weight(n, 0);
    std::vector<bool> only_from_hosts(n, true), has_in(n, false);
    g.for_each_edge([&](const EdgeRef &e) {
        if (!path_edge(e.info->kind)) return;
        if (e.info->kind == EdgeKind::link) has_out_link[e.src] = true;
        has_in[e.dst] = true;
        if (e.info->times_seen > parent_weight[e.dst] || parent[e.dst] == kNoVertex) {
            parent[e.dst] = e.src;
            parent_weight[e.dst] = e.info->times_seen;
        }
    });
    auto is_host = [&](VertexId v) {
        const VertexInfo &vi = g.vertex(v);
        return vi.kind == VertexKind::interface && vi.role == HopRole::destination && !has_out_link[v];
    };
    g.for_each_edge([&](const EdgeRef &e) {
        if (path_edge(e.info->kind) && !is_host(e.src)) only_from_hosts[e.dst] = false;
    });
    Picture p;
    p.node_of.assign(n, -1);
    p.hidden_at.assign(n, kNoVertex);
    std::map<VertexId, std::vector<VertexId>> leaves; // parent -> leaves
    for (VertexId v = 0; v < n; ++v) {
        const VertexInfo &vi = g.vertex(v);
        if (!drawn_kind(vi.kind)) continue;
        if (vi.kind == VertexKind::prefix && has_in[v] && only_from_hosts[v]) {
            p.hidden_at[v] = parent[v]; // --hosts: the hosts stand for their prefix
            continue;
        }
        if ((vi.kind == VertexKind::prefix || is_host(v)) && parent[v] != kNoVertex) leaves[parent[v]].push_back(v);
    }
    std::vector<char> folded(n, 0);
    for (auto &[par, members] : leaves) {
        if (members.size() <= opts.fold_threshold) continue;
        std::sort(members.begin(), members.end(),
                  [&](VertexId a, VertexId b) { return std::tie(g.vertex(a).addr, a) < std::tie(g.vertex(b).addr, b); });
        const int node = static_cast<int>(p.names.size());
        p.names.push_back(fmt::format("f{}", par));
        p.single.push_back(kNoVertex);
        p.folds.push_back({par, members});
        for (VertexId m : members) {
            p.node_of[m] = node;
            folded[m] = 1;
        }
    }
    for (VertexId v = 0; v < n; ++v) {
        if (!drawn_kind(g.vertex(v).kind) || folded[v] || p.hidden_at[v] != kNoVertex) continue;
        p.node_of[v] = static_cast<int>(p.names.size());
        p.names.push_back(fmt::format("n{}", v));
        p.single.push_back(v);
        p.folds.push_back({});
    }
    return p;
}

std::string fold_label(const TopologyGraph &g, const Picture::Fold &f)
{
    size_t prefixes = 0;
    uint64_t probed = 0, reached = 0;
    for (VertexId m : f.members) {
        if (g.vertex(m).kind != VertexKind::prefix) continue;
        ++prefixes;
        if (const PrefixStats *s = g.prefix_stats(m)) {
            probed += s->hosts_probed;
            reached += s->hosts_reached;
        }
    }
    const std::string &first = g.vertex(f.members.front()).label, &last = g.vertex(f.members.back()).label;
    std::string what = prefixes == f.members.size() ? fmt::format("{} /24s", f.members.size())
                       : prefixes == 0               ? fmt::format("{} hosts", f.members.size())
                                                     : fmt::format("{} destinations", f.members.size());
    std::string label = fmt::format("{}\n{}\n... {}", what, first, last);
    if (probed) label += fmt::format("\n{}/{} hosts answered", reached, probed);
    return label;
}

std::string render_picture_dot(const TopologyGraph &g, const Annotation &a, const Picture &p, const LayoutOptions &opts,
                               bool large)
{
    std::string out;
    const double inches = opts.max_pixels / 96.0;
    out += "digraph pathmap {\n";
    out += fmt::format("  graph [rankdir=LR, size=\"{:.2f},{:.2f}\", dpi=96, nodesep=0.12, ranksep=0.35, "
                       "fontname=\"Helvetica\", outputorder=edgesfirst{}];\n",
                       inches, inches, large ? ", overlap=prism, overlap_scaling=-4, K=0.6" : "");
    out += "  node [style=filled, fontname=\"Helvetica\", fontsize=11];\n  edge [color=\"#555555\", arrowsize=0.6];\n";
    std::vector<char> placed(p.names.size(), 0);
    for (size_t ci = 0; ci < a.clusters.size() && !large; ++ci) {
        const ClusterRecord &c = a.clusters[ci];
        std::string body;
        for (VertexId m : c.members) {
            if (m >= a.primary_cluster.size() || a.primary_cluster[m] != static_cast<int>(ci)) continue;
            const int node = m < p.node_of.size() ? p.node_of[m] : -1;
            if (node < 0 || placed[node] || p.single[node] == kNoVertex) continue;
            body += "  " + dot_node_line(g, m, p.names[node]);
            placed[node] = 1;
        }
        if (body.empty()) continue;
        out += fmt::format("  subgraph cluster_{} {{\n    label=\"{}\"; style=rounded; color=\"#888888\";\n{}  }}\n", ci,
                           c.id, body);
    }
    for (size_t node = 0; node < p.names.size(); ++node) {
        if (placed[node]) continue;
        if (p.single[node] != kNoVertex) {
            out += dot_node_line(g, p.single[node], p.names[node]);
            continue;
        }
        const Rgb c = role_colour(HopRole::unknown, VertexKind::prefix);
        std::string label = fold_label(g, p.folds[node]);
        std::string esc;
        for (char ch : label) esc += ch == '\n' ? std::string("\\n") : ch == '"' ? std::string("\\\"") : std::string(1, ch);
        out += fmt::format("    {} [label=\"{}\", shape=folder, fillcolor=\"#{:02x}{:02x}{:02x}\"];\n", p.names[node], esc,
                           c.r, c.g, c.b);
    }
    struct Drawn {
        uint64_t weight = 0;
        bool reaches = true;
        uint8_t gap = 255;
    };
    std::map<std::pair<int, int>, Drawn> edges;
    g.for_each_edge([&](const EdgeRef &e) {
        if (!path_edge(e.info->kind)) return;
        const int s = p.node_of[e.src], d = p.node_of[e.dst];
        if (s < 0 || d < 0 || s == d) return;
        Drawn &de = edges[{s, d}];
        de.weight += e.info->times_seen;
        de.reaches = de.reaches && e.info->kind == EdgeKind::reaches;
        de.gap = std::min(de.gap, e.info->ttl_gap);
    });
    for (const auto &[ends, de] : edges) {
        const double w = std::min(6.0, 0.8 + 0.8 * std::log2(1.0 + static_cast<double>(de.weight)));
        std::string style = de.reaches ? ", style=dashed" : "";
        if (de.gap > 0 && de.gap != 255) style = fmt::format(", style=dotted, label=\"+{} unprobed\", fontsize=9", de.gap);
        out += fmt::format("  {} -> {} [penwidth={:.2f}{}];\n", p.names[ends.first], p.names[ends.second], w, style);
    }
    out += "}\n";
    return out;
}

// Runs graphviz; its stderr goes to `err`. False when it could not run or failed.
bool run_graphviz(const std::string &engine, const std::vector<std::string> &args, const std::filesystem::path &err)
{
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        std::vector<char *> argv;
        argv.push_back(const_cast<char *>(engine.c_str()));
        for (const std::string &s : args) argv.push_back(const_cast<char *>(s.c_str()));
        argv.push_back(nullptr);
        execvp(engine.c_str(), argv.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool on_path(const char *tool)
{
    const char *path = std::getenv("PATH");
    if (!path) return false;
    std::string dirs = path;
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / tool;
        if (access(candidate.c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

// Positions of the picture's nodes from graphviz's -Tplain output (inches).
std::unordered_map<std::string, Point> read_plain(const std::filesystem::path &file)
{
    std::unordered_map<std::string, Point> out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::string word, name;
        double x = 0, y = 0;
        if (!(ss >> word) || word != "node" || !(ss >> name >> x >> y)) continue;
        if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
        out[name] = Point{x * 72.0, y * 72.0};
    }
    return out;
}

// Hop distance columns, for when graphviz does not lay the picture out.
std::vector<Point> layered_positions(const TopologyGraph &g, const Picture &p)
{
    std::vector<Point> pos(p.names.size());
    std::map<int, int> column_fill;
    for (size_t node = 0; node < p.names.size(); ++node) {
        const VertexId v = p.single[node] != kNoVertex ? p.single[node] : p.folds[node].members.front();
        const VertexInfo &vi = g.vertex(v);
        int column = vi.kind == VertexKind::vantage ? 0 : vi.max_ttl >= vi.min_ttl ? vi.min_ttl : 64;
        int row = column_fill[column]++;
        pos[node] = Point{column * 160.0, -row * 40.0};
    }
    return pos;
}

} // namespace

std::string picture_dot(const TopologyGraph &g, const Annotation &a, const LayoutOptions &opts)
{
    Picture p = fold_picture(g, opts);
    return render_picture_dot(g, a, p, opts, p.names.size() > 400);
}

GraphLayout lay_out_graph(const TopologyGraph &g, const Annotation &a, const std::filesystem::path &png,
                          const LayoutOptions &opts)
{
    GraphLayout out;
    const Picture p = fold_picture(g, opts);
    out.picture_nodes = p.names.size();
    for (const auto &f : p.folds) out.folded_nodes += !f.members.empty();
    const bool large = p.names.size() > 400;
    std::vector<Point> node_pos;
    if (!opts.render_png) {
        out.note = "not asked for";
    } else if (p.names.size() > opts.max_picture_nodes) {
        out.note = fmt::format("{} nodes after folding (limit {})", p.names.size(), opts.max_picture_nodes);
    } else {
        const std::string engine = large ? "sfdp" : "dot";
        if (!on_path(engine.c_str())) {
            out.note = "graphviz '" + engine + "' not found";
        } else {
            const std::filesystem::path dir = png.parent_path().empty() ? "." : png.parent_path();
            const std::filesystem::path dot = dir / ".topology.picture.dot", plain = dir / ".topology.plain",
                                        err = dir / ".topology.graphviz.err";
            {
                std::ofstream f(dot, std::ios::trunc);
                f << render_picture_dot(g, a, p, opts, large);
            }
            // One run writes the PNG and the coordinates of the same layout.
            // The PNG is renamed into place whole, like every other output.
            const std::filesystem::path png_tmp = dir / ".topology.png.tmp";
            if (run_graphviz(engine, {"-Tpng", "-o", png_tmp.string(), "-Tplain", "-o", plain.string(), dot.string()}, err)) {
                auto placed = read_plain(plain);
                node_pos.resize(p.names.size());
                size_t found = 0;
                for (size_t node = 0; node < p.names.size(); ++node) {
                    auto it = placed.find(p.names[node]);
                    if (it != placed.end()) node_pos[node] = it->second, ++found;
                }
                std::error_code rename_ec;
                if (found == p.names.size()) std::filesystem::rename(png_tmp, png, rename_ec);
                if (found == p.names.size() && !rename_ec) {
                    out.engine = engine;
                    out.png_written = true;
                } else if (rename_ec) {
                    node_pos.clear();
                    out.note = "cannot rename the PNG into place: " + rename_ec.message();
                } else {
                    node_pos.clear();
                    out.note = engine + " placed " + std::to_string(found) + " of " + std::to_string(p.names.size()) + " nodes";
                }
            } else {
                std::ifstream e(err);
                std::string first;
                std::getline(e, first);
                out.note = engine + " failed" + (first.empty() ? std::string() : ": " + first);
            }
            std::error_code ec;
            std::filesystem::remove(dot, ec);
            std::filesystem::remove(plain, ec);
            std::filesystem::remove(err, ec);
            std::filesystem::remove(png_tmp, ec);
        }
    }
    if (node_pos.empty()) {
        node_pos = layered_positions(g, p);
        out.engine = "layered";
    }
    // Back onto the full graph.
    const size_t n = g.vertex_count();
    out.position.assign(n, Point{});
    std::vector<char> set(n, 0);
    for (size_t node = 0; node < p.names.size(); ++node) {
        if (p.single[node] != kNoVertex) {
            out.position[p.single[node]] = node_pos[node];
            set[p.single[node]] = 1;
            continue;
        }
        const auto &members = p.folds[node].members;
        const double radius = 12.0 + 3.0 * std::sqrt(static_cast<double>(members.size()));
        for (size_t k = 0; k < members.size(); ++k) {
            const double angle = 2.0 * M_PI * static_cast<double>(k) / static_cast<double>(members.size());
            out.position[members[k]] = Point{node_pos[node].x + radius * std::cos(angle), node_pos[node].y + radius * std::sin(angle)};
            set[members[k]] = 1;
        }
    }
    for (VertexId v = 0; v < n; ++v)
        if (p.hidden_at[v] != kNoVertex && set[p.hidden_at[v]]) {
            out.position[v] = out.position[p.hidden_at[v]];
            set[v] = 1;
        }
    // Clusters, routers, regions and ASes at the centroid of their members.
    std::vector<Point> sum(n);
    std::vector<uint32_t> count(n, 0);
    g.for_each_edge([&](const EdgeRef &e) {
        if ((e.info->kind != EdgeKind::member_of && e.info->kind != EdgeKind::located_in &&
             e.info->kind != EdgeKind::in_as) ||
            !set[e.src])
            return;
        sum[e.dst].x += out.position[e.src].x;
        sum[e.dst].y += out.position[e.src].y;
        ++count[e.dst];
    });
    for (VertexId v = 0; v < n; ++v)
        if (!set[v] && count[v]) out.position[v] = Point{sum[v].x / count[v], sum[v].y / count[v]};
    return out;
}

} // namespace pathmap::graph
