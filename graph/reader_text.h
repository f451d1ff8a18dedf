// Text helpers every reader shares: splitting on blanks, walking lines.
#pragma once

#include <cctype>
#include <cstddef>
#include <string_view>
#include <vector>

namespace pathmap::graph
{

// The blank-separated words of s, as views into it.
inline std::vector<std::string_view> split_words(std::string_view s)
{
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
            ++i;
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
            ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// Calls fn(line, lineno) for every line of text that is not blank; lineno
// counts from 1 over every line, blank ones included.
template <class Fn>
void for_each_text_line(std::string_view text, Fn fn)
{
    size_t lineno = 0, start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        ++lineno;
        start = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        fn(line, lineno);
    }
}

} // namespace pathmap::graph
