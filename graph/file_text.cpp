// FileText: mmap, else read; gunzip when the bytes say gzip.
#include "graph/file_text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <utility>

#include "graph/gzip_input.h"
#include "graph/input_formats.h"

namespace pathmap::graph {

namespace {

struct Fd {
    int fd;
    ~Fd()
    {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

FileText FileText::open(const std::filesystem::path &file)
{
    FileText t;
    Fd fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) throw InputError("cannot open " + file.string());
    struct stat st {};
    if (::fstat(fd.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.fd, 0);
        if (p != MAP_FAILED) {
            ::madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
            t.map_ = static_cast<const char *>(p);
            t.map_size_ = static_cast<size_t>(st.st_size);
        }
    }
    if (!t.map_) { // a pipe, an empty file, or no mapping: read what comes
        std::ifstream in(file, std::ios::binary);
        if (!in) throw InputError("cannot open " + file.string());
        t.owned_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (is_gzip(t.text())) {
        std::string inflated = gunzip(t.text(), file.string());
        t = FileText();
        t.owned_ = std::move(inflated);
    }
    return t;
}

FileText::FileText(FileText &&o) noexcept
    : map_(std::exchange(o.map_, nullptr)), map_size_(std::exchange(o.map_size_, 0)), owned_(std::move(o.owned_))
{
}

FileText &FileText::operator=(FileText &&o) noexcept
{
    if (this != &o) {
        if (map_) ::munmap(const_cast<char *>(map_), map_size_);
        map_ = std::exchange(o.map_, nullptr);
        map_size_ = std::exchange(o.map_size_, 0);
        owned_ = std::move(o.owned_);
    }
    return *this;
}

FileText::~FileText()
{
    if (map_) ::munmap(const_cast<char *>(map_), map_size_);
}

} // namespace pathmap::graph
