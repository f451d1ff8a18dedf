// AtomicFile: temporary name, fsync, rename.
#include "pathmap/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

namespace pathmap {

AtomicFile::AtomicFile(std::filesystem::path target, std::ios::openmode mode) : target_(std::move(target))
{
    // Hidden, and unique per process so two runs into one directory do not collide.
    temp_ = target_.parent_path() / ("." + target_.filename().string() + ".tmp." + std::to_string(::getpid()));
    out_.open(temp_, mode | std::ios::out | std::ios::trunc | std::ios::binary);
    if (!out_) throw std::runtime_error("cannot write " + target_.string());
}

AtomicFile::~AtomicFile()
{
    if (committed_) return;
    out_.close();
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
}

void AtomicFile::commit()
{
    out_.flush();
    const bool ok = static_cast<bool>(out_);
    out_.close();
    if (!ok) throw std::runtime_error("error writing " + target_.string() + " (disk full?)");
    // The data reaches the disk before the name does: after a power cut the
    // target is the old file or the whole new one.
    if (int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    if (ec) throw std::runtime_error("cannot rename " + temp_.string() + " to " + target_.string() + ": " + ec.message());
    committed_ = true;
}

} // namespace pathmap
