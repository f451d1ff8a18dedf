// An output file that is either the complete new version or untouched: it is
// written under a temporary name beside the target and renamed over it by
// commit(). A process killed mid-write (SIGKILL, OOM, a crash) leaves the
// previous file, never a truncated one; an uncommitted temporary is removed
// by the destructor.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace pathmap {

class AtomicFile {
public:
    // Throws std::runtime_error naming the file when it cannot be created.
    explicit AtomicFile(std::filesystem::path target, std::ios::openmode mode = std::ios::out);
    ~AtomicFile();
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    std::ofstream &stream() { return out_; }
    const std::filesystem::path &temp_path() const { return temp_; }
    // Flushes, syncs and renames over the target. Throws std::runtime_error
    // ("error writing F (disk full?)") on a failed write.
    void commit();

private:
    std::filesystem::path target_, temp_;
    std::ofstream out_;
    bool committed_ = false;
};

} // namespace pathmap
