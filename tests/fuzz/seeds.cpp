// Seed writer for the fuzzers (not a fuzzer itself; scripts/fuzz.sh runs it
// on ../shared/realdata into a temporary corpus, never into the repository):
//   fuzz_seeds frames OUT_DIR CAPTURE...
//     every packet of the captures, re-framed as Ethernet by
//     tests/bpf/pcap_file.h, one file each, plus each behind QinQ tags
//     (fuzz_reply_parser);
//   fuzz_seeds traces FILE_DIR LINE_DIR INPUT...
//     every input read by the graph readers (format detected) and written
//     back as traces.jsonl: one file per input in FILE_DIR
//     (fuzz_pathmap_jsonl) and one file per line in LINE_DIR
//     (fuzz_trace_line). Pathmap's own format from real traces, since the
//     shared data holds none.
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "graph/input_formats.h"
#include "pathmap/log.h"
#include "pathmap/trace_io.h"
#include "tests/bpf/pcap_file.h"

namespace {

namespace fs = std::filesystem;

void write(const fs::path &file, const void *data, size_t size)
{
    std::ofstream out(file, std::ios::binary);
    out.write(static_cast<const char *>(data), static_cast<std::streamsize>(size));
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

size_t frames(const fs::path &out, int n, char **captures)
{
    size_t written = 0;
    fs::create_directories(out);
    for (int i = 0; i < n; i++) {
        const std::string stem = fs::path(captures[i]).filename().string();
        for (const auto &p : pathmap::bpftest::read_capture(captures[i])) {
            auto frame = pathmap::bpftest::as_ethernet(p);
            if (!frame) continue;
            const std::string base = stem + "-" + std::to_string(p.number);
            write(out / base, frame->data(), frame->size());
            ++written;
            if (frame->size() < 14) continue;
            const auto tagged = pathmap::bpftest::with_qinq(*frame, 100, 200);
            write(out / (base + "-qinq"), tagged.data(), tagged.size());
            ++written;
        }
    }
    return written;
}

size_t traces(const fs::path &file_dir, const fs::path &line_dir, int n, char **inputs)
{
    size_t written = 0;
    fs::create_directories(file_dir);
    fs::create_directories(line_dir);
    for (int i = 0; i < n; i++) {
        const std::string stem = fs::path(inputs[i]).filename().string();
        std::vector<pathmap::Trace> ts;
        try {
            ts = pathmap::graph::read_traces_file(inputs[i]);
        } catch (const pathmap::graph::InputError &) {
            continue; // a sample the readers reject (some are meant to be)
        }
        if (ts.empty()) continue;
        std::ostringstream whole;
        for (size_t j = 0; j < ts.size(); j++) {
            std::ostringstream line;
            pathmap::write_trace_line(line, ts[j]);
            whole << line.str();
            const std::string l = line.str();
            write(line_dir / (stem + "-" + std::to_string(j + 1)), l.data(), l.size() - 1); // without '\n'
            ++written;
        }
        const std::string w = whole.str();
        write(file_dir / (stem + ".jsonl"), w.data(), w.size());
        ++written;
    }
    return written;
}

} // namespace

int main(int argc, char **argv)
{
    pathmap::log::set_level(pathmap::log::Level::error); // the readers' warnings are not news here
    try {
        size_t n = 0;
        if (argc >= 4 && std::strcmp(argv[1], "frames") == 0) {
            n = frames(argv[2], argc - 3, argv + 3);
        } else if (argc >= 5 && std::strcmp(argv[1], "traces") == 0) {
            n = traces(argv[2], argv[3], argc - 4, argv + 4);
        } else {
            std::fprintf(stderr, "usage: %s frames OUT_DIR CAPTURE...\n       %s traces FILE_DIR LINE_DIR INPUT...\n",
                         argv[0], argv[0]);
            return 2;
        }
        std::printf("%zu\n", n);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fuzz_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
