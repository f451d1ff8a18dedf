// gzip through zlib's inflate (16 + MAX_WBITS: gzip framing, CRC checked).
#include "graph/gzip_input.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "graph/input_formats.h"

namespace pathmap::graph {

bool is_gzip(std::string_view bytes) noexcept
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
           static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view bytes, const std::string &name, size_t max_bytes)
{
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw InputError(name + ": cannot start zlib's inflate");
    struct End {
        z_stream &z;
        ~End() { inflateEnd(&z); }
    } end{z};
    std::string out;
    out.resize(std::min(std::max<size_t>(bytes.size() * 4, 1 << 16), std::max<size_t>(max_bytes, 1)));
    size_t used = 0, in_at = 0;
    for (;;) {
        // zlib counts in uInt: feed and drain at most 1 GiB at a time.
        const size_t in_left = bytes.size() - in_at;
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data() + in_at));
        z.avail_in = static_cast<uInt>(std::min<size_t>(in_left, size_t{1} << 30));
        if (used == out.size()) {
            if (out.size() >= max_bytes)
                throw InputError(name + ": gzip data inflates past " +
                                 (max_bytes >= (size_t{1} << 20) ? std::to_string(max_bytes >> 20) + " MiB"
                                                                 : std::to_string(max_bytes) + " bytes"));
            out.resize(std::min(out.size() * 2, max_bytes));
        }
        z.next_out = reinterpret_cast<Bytef *>(out.data() + used);
        z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used, size_t{1} << 30));
        const uInt in_before = z.avail_in, out_before = z.avail_out;
        const int rc = inflate(&z, Z_NO_FLUSH);
        in_at += in_before - z.avail_in;
        used += out_before - z.avail_out;
        if (rc == Z_STREAM_END) {
            // Another member may follow (concatenated .gz files); trailing zeros are padding.
            size_t next = in_at;
            while (next < bytes.size() && bytes[next] == '\0') ++next;
            if (next == bytes.size()) break;
            if (!is_gzip(bytes.substr(next)))
                throw InputError(name + ": data after the end of the gzip stream is not gzip");
            in_at = next;
            if (inflateReset(&z) != Z_OK) throw InputError(name + ": cannot restart zlib's inflate");
            continue;
        }
        if (rc == Z_BUF_ERROR && in_at == bytes.size() && z.avail_out > 0)
            throw InputError(name + ": gzip data is truncated");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            throw InputError(name + ": corrupt gzip data (" + (z.msg ? z.msg : "zlib error " + std::to_string(rc)) + ")");
    }
    out.resize(used);
    return out;
}

} // namespace pathmap::graph
