// The shared real-data corpus the reader tests read (never copied into the
// repository): PATHMAP_REALDATA, else ../shared/realdata beside the source tree.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace pathmap::test {

inline std::filesystem::path realdata_dir()
{
    if (const char *env = std::getenv("PATHMAP_REALDATA")) return env;
    return std::filesystem::path(PATHMAP_SOURCE_DIR) / ".." / "shared" / "realdata";
}

} // namespace pathmap::test
