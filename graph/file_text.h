// A whole input file as text: mapped when it is a regular file (a 1.1 GB
// RIPE Atlas file read into a string cost a copy and 1.1 GB of zeroed
// pages), read when it is a pipe, and inflated when it is gzipped.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace pathmap::graph {

class FileText {
  public:
    // Throws InputError "cannot open FILE" / naming the file for a bad gzip stream.
    static FileText open(const std::filesystem::path &file);
    FileText(FileText &&o) noexcept;
    FileText &operator=(FileText &&o) noexcept;
    FileText(const FileText &) = delete;
    FileText &operator=(const FileText &) = delete;
    ~FileText();

    std::string_view text() const noexcept { return map_ ? std::string_view(map_, map_size_) : std::string_view(owned_); }

  private:
    FileText() = default;
    const char *map_ = nullptr; // mmap'd bytes, or null when owned_ holds them
    size_t map_size_ = 0;
    std::string owned_;
};

} // namespace pathmap::graph
