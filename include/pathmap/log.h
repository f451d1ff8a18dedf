// The one logging facade. Levels: error, warn, info, debug. -v raises the
// level; libbpf's own output is routed here one level lower.
#pragma once

#include <fmt/core.h>

namespace pathmap::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3 };

void set_level(Level l);
Level level();
void write(Level l, fmt::string_view msg);

template <typename... Args> void error(fmt::format_string<Args...> f, Args &&...a)
{
    write(Level::error, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args> void warn(fmt::format_string<Args...> f, Args &&...a)
{
    if (level() >= Level::warn) write(Level::warn, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args> void info(fmt::format_string<Args...> f, Args &&...a)
{
    if (level() >= Level::info) write(Level::info, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args> void debug(fmt::format_string<Args...> f, Args &&...a)
{
    if (level() >= Level::debug) write(Level::debug, fmt::format(f, std::forward<Args>(a)...));
}

} // namespace pathmap::log
