// `pathmap report DIR`: re-reads DIR/profiles.jsonl (written by `pathmap
// graph` or a sweep), rebuilds the path graph and answers: the path to a host,
// chokepoints, top links by paths, CGNAT and backbone segments. JSON is the
// canonical form; the text is rendered from it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace pathmap::graph {

class TopologyBuilder;

struct ReportOptions {
    std::string path_to;       // IPv4 address of a target; empty: no path section
    size_t top_links = 10;
    size_t top_chokepoints = 20;
    // Called once the graph is built, before the report reads it: names the
    // interfaces profiles.jsonl carries none for (report --rdns); may be empty.
    std::function<void(TopologyBuilder &)> name_interfaces;
};

// Throws std::runtime_error naming the file and line on bad input, and when
// path_to names a host no trace went to.
nlohmann::json build_report(const std::filesystem::path &dir, const ReportOptions &opts);
std::string render_report_text(const nlohmann::json &report);

} // namespace pathmap::graph
