// SharedText: an immutable string held as one pointer into a process-wide
// pool, so equal texts are stored once. Vertex fields such as layer, region,
// evidence and rDNS repeat across thousands of vertices (or are absent), and
// an empty std::string alone costs 32 bytes per vertex; a 10M-reply graph has
// over a million vertices (docs/BENCHMARKS.md, "Topology graph").
// Texts live until the process ends: a pathmap run builds one graph.
#pragma once

#include <string>
#include <string_view>

namespace pathmap::graph {

class SharedText {
public:
    SharedText() = default;
    SharedText(std::string_view s) : p_(intern(s)) {} // NOLINT: assignable from any text, as std::string was
    SharedText(const std::string &s) : p_(intern(s)) {}
    SharedText(const char *s) : p_(intern(s)) {}

    bool empty() const noexcept { return p_ == nullptr; }
    const std::string &str() const noexcept { return p_ ? *p_ : empty_string(); }
    operator const std::string &() const noexcept { return str(); } // NOLINT: reads like the std::string it replaced
    std::string_view view() const noexcept { return str(); }

    // Pooled texts are unique, so equal texts have equal pointers.
    friend bool operator==(const SharedText &a, const SharedText &b) noexcept { return a.p_ == b.p_; }
    friend bool operator==(const SharedText &a, std::string_view b) noexcept { return a.view() == b; }
    friend bool operator==(const SharedText &a, const char *b) noexcept { return a.view() == std::string_view(b); }
    friend bool operator==(const SharedText &a, const std::string &b) noexcept { return a.view() == b; }

private:
    // nullptr for the empty text; thread-safe.
    static const std::string *intern(std::string_view s);
    static const std::string &empty_string() noexcept;
    const std::string *p_ = nullptr;
};

} // namespace pathmap::graph
