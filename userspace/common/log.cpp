// Logging to stderr with a level prefix; one line per message.
#include "pathmap/log.h"

#include <atomic>
#include <cstdio>

namespace pathmap::log {
namespace {
std::atomic<Level> g_level{Level::warn};
const char *prefix(Level l)
{
    switch (l) {
    case Level::error: return "error: ";
    case Level::warn: return "warning: ";
    case Level::info: return "";
    case Level::debug: return "debug: ";
    }
    return "";
}
} // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }
void write(Level l, fmt::string_view msg)
{
    std::fprintf(stderr, "%s%.*s\n", prefix(l), static_cast<int>(msg.size()), msg.data());
}

} // namespace pathmap::log
