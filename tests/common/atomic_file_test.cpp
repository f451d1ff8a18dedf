// AtomicFile: the target is the old file until commit(), the whole new one after.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "pathmap/atomic_file.h"

using pathmap::AtomicFile;

namespace {

std::filesystem::path scratch()
{
    auto d = std::filesystem::temp_directory_path() / ("pathmap_atomic_" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

std::string slurp(const std::filesystem::path &p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(AtomicFile, TargetIsTheOldFileUntilCommit)
{
    const auto dir = scratch();
    const auto target = dir / "traces.jsonl";
    std::ofstream(target) << "old\n";
    {
        AtomicFile f(target);
        f.stream() << "new, half written";
        EXPECT_EQ(slurp(target), "old\n");
        EXPECT_TRUE(std::filesystem::exists(f.temp_path()));
        // Abandoned (an exception, a signal that ends the run): no commit.
    }
    EXPECT_EQ(slurp(target), "old\n");
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1)
        << "the temporary file was not removed";
    {
        AtomicFile f(target);
        f.stream() << "new\n";
        f.commit();
    }
    EXPECT_EQ(slurp(target), "new\n");
    std::filesystem::remove_all(dir);
}

TEST(AtomicFile, UnwritableDirectoryThrowsNamingTheFile)
{
    try {
        AtomicFile f("/proc/pathmap-no-such-dir/summary.json");
        FAIL() << "no throw";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("summary.json"), std::string::npos) << e.what();
    }
}

TEST(AtomicFile, FailedWriteIsReportedAtCommit)
{
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    // /dev/full accepts the open and fails every write: commit() must say so.
    const auto dir = scratch();
    const auto target = dir / "out.json";
    AtomicFile f(target);
    f.stream().close();
    f.stream().open("/dev/full", std::ios::out | std::ios::binary);
    f.stream() << std::string(1 << 16, 'x');
    EXPECT_THROW(f.commit(), std::runtime_error);
    EXPECT_FALSE(std::filesystem::exists(target));
    std::filesystem::remove_all(dir);
}

} // namespace
