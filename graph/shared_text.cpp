// The pool behind SharedText: a node-based set, so pointers to its strings
// stay valid while it grows; a mutex because sweeps may build graphs on
// several threads.
#include "graph/shared_text.h"

#include <mutex>
#include <unordered_set>

namespace pathmap::graph {

namespace {
struct Pool {
    std::mutex mu;
    std::unordered_set<std::string> texts;
};
Pool &pool()
{
    static Pool *p = new Pool; // never destroyed: SharedTexts in static objects may outlive any destructor order
    return *p;
}
} // namespace

const std::string *SharedText::intern(std::string_view s)
{
    if (s.empty()) return nullptr;
    Pool &p = pool();
    std::lock_guard lock(p.mu);
    return &*p.texts.emplace(s).first;
}

const std::string &SharedText::empty_string() noexcept
{
    static const std::string empty;
    return empty;
}

} // namespace pathmap::graph
