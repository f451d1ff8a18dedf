// sc_warts2json's output of a .warts file, for the tests that check pathmap's
// warts reader against scamper's own (scripts/setup.sh installs scamper).
// "" when the tool is missing or fails.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

namespace pathmap::test
{

inline std::string sc_warts2json(const std::filesystem::path &file)
{
    const std::string cmd = "sc_warts2json '" + file.string() + "' 2>/dev/null";
    FILE *f = popen(cmd.c_str(), "r");
    if (!f) return {};
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        out.append(buf, n);
    if (pclose(f) != 0) return {};
    return out;
}

} // namespace pathmap::test
