#include "ledger/files/write_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "files_test_dir.h"
#include "ledger/files/read_file.h"

namespace ledger::files {
namespace {

// Nothing but `names` in the folder: no temporary file left behind.
void ExpectOnly(const TestDir& dir, std::vector<std::string> names) {
  std::vector<std::string> got;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    got.push_back(e.path().filename().string());
  }
  std::sort(got.begin(), got.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(got, names);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(WriteFileTest, CreatesAndReplaces) {
  TestDir dir;
  ASSERT_TRUE(WriteFile(dir.P("f"), "first").ok());
  EXPECT_EQ(ReadFile(dir.P("f")).value(), "first");
  ASSERT_TRUE(WriteFile(dir.P("f"), "second, longer").ok());
  EXPECT_EQ(ReadFile(dir.P("f")).value(), "second, longer");
  ASSERT_TRUE(WriteFile(dir.P("f"), "").ok());
  EXPECT_EQ(ReadFile(dir.P("f")).value(), "");
  ExpectOnly(dir, {"f"});
}

TEST(WriteFileTest, ModesArePublicOrSecret) {
  TestDir dir;
  const mode_t old = ::umask(022);
  ASSERT_TRUE(WriteFile(dir.P("public"), "x").ok());
  ASSERT_TRUE(WriteFile(dir.P("secret"), "x", {.secret = true}).ok());
  ::umask(old);
  EXPECT_EQ(ModeOf(dir.P("public")), 0644u);
  EXPECT_EQ(ModeOf(dir.P("secret")), 0600u);
  // Replacing a public file with a secret makes it private.
  ASSERT_TRUE(WriteFile(dir.P("public"), "y", {.secret = true}).ok());
  EXPECT_EQ(ModeOf(dir.P("public")), 0600u);
}

TEST(WriteFileTest, ExclusiveNeverOverwrites) {
  TestDir dir;
  ASSERT_TRUE(WriteFile(dir.P("key"), "one", {.secret = true, .exclusive = true}).ok());
  Status again = WriteFile(dir.P("key"), "two", {.secret = true, .exclusive = true});
  EXPECT_EQ(again.code(), Code::kFailedPrecondition);
  EXPECT_EQ(again.reason(), "write_failed");
  EXPECT_EQ(ReadFile(dir.P("key")).value(), "one");
  ExpectOnly(dir, {"key"});
}

TEST(WriteFileTest, AMissingFolderFails) {
  TestDir dir;
  Status s = WriteFile(dir.P("nope/f"), "x");
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.reason(), "write_failed");
}

TEST(WriteFileTest, ADirectoryInTheWayFailsAndLeavesNoTemporary) {
  TestDir dir;
  std::filesystem::create_directory(dir.P("d"));
  std::filesystem::create_directory(dir.P("d/inside"));
  Status s = WriteFile(dir.P("d"), "x");
  EXPECT_EQ(s.reason(), "write_failed");
  EXPECT_TRUE(std::filesystem::is_directory(dir.P("d")));
  ExpectOnly(dir, {"d"});
}

// A write that fails half way (here: the file size limit, EFBIG) leaves the
// old content in place, whole, and no temporary file.
TEST(WriteFileTest, AFailedWriteLeavesTheOldContent) {
  TestDir dir;
  ASSERT_TRUE(WriteFile(dir.P("f"), "old content").ok());
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = WriteFile(dir.P("f"), std::string(64 * 1024, 'n'));
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.reason(), "write_failed");
  EXPECT_EQ(ReadFile(dir.P("f")).value(), "old content");
  ExpectOnly(dir, {"f"});
}

TEST(WriteFileTest, ABareNameWritesInTheWorkingFolder) {
  TestDir dir;
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  Status s = WriteFile("bare", "x");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ReadFile(dir.P("bare")).value(), "x");
}

}  // namespace
}  // namespace ledger::files
