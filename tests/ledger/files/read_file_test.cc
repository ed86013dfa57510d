#include "ledger/files/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "files_test_dir.h"

namespace ledger::files {
namespace {

TEST(ReadFileTest, ReadsTheWholeFile) {
  TestDir dir;
  const std::string content("line one\nline two\0binary\n", 25);
  dir.Put("a.txt", content);
  auto r = ReadFile(dir.P("a.txt"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, content);
  dir.Put("empty", "");
  EXPECT_EQ(ReadFile(dir.P("empty")).value(), "");
}

TEST(ReadFileTest, AMissingFileIsNotFound) {
  TestDir dir;
  auto r = ReadFile(dir.P("missing"));
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().reason(), "no_such_file");
  EXPECT_NE(r.status().message().find(dir.P("missing")), std::string::npos);
  // A missing folder on the way is the same.
  EXPECT_EQ(ReadFile(dir.P("nope/missing")).status().reason(), "no_such_file");
}

TEST(ReadFileTest, ADirectoryIsNotAFile) {
  TestDir dir;
  auto r = ReadFile(dir.path().string());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().reason(), "not_a_file");
}

TEST(ReadFileTest, AFifoIsRefusedWithoutWaiting) {
  TestDir dir;
  ASSERT_EQ(::mkfifo(dir.P("fifo").c_str(), 0600), 0);
  EXPECT_EQ(ReadFile(dir.P("fifo")).status().reason(), "not_a_file");
}

// `ledgerctl ... <(command)`: a pipe whose writer is already there.
TEST(ReadFileTest, APipeIsReadToItsEndWhenAllowed) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([fd = fds[1]] {
    const std::string data(100000, 'p');
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  const std::string path = "/dev/fd/" + std::to_string(fds[0]);
  auto r = ReadFile(path, {.allow_pipe = true});
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, std::string(100000, 'p'));
}

TEST(ReadFileTest, APipeStillHasTheCap) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "0123456789", 10), 10);
  ::close(fds[1]);
  auto r = ReadFile("/dev/fd/" + std::to_string(fds[0]), {.max_bytes = 4, .allow_pipe = true});
  ::close(fds[0]);
  EXPECT_EQ(r.status().reason(), "file_too_large");
}

TEST(ReadFileTest, AFileAboveTheCapIsRefused) {
  TestDir dir;
  dir.Put("big", std::string(1025, 'x'));
  auto r = ReadFile(dir.P("big"), {.max_bytes = 1024});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().reason(), "file_too_large");
  // At the cap exactly is fine.
  EXPECT_EQ(ReadFile(dir.P("big"), {.max_bytes = 1025}).value().size(), 1025u);
}

TEST(ReadFileTest, PrivateOnlyRefusesAGroupOrWorldAccessibleFile) {
  TestDir dir;
  dir.Put("key", "secret\n");
  ASSERT_EQ(::chmod(dir.P("key").c_str(), 0644), 0);
  auto r = ReadFile(dir.P("key"), {.private_only = true});
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "key_file_mode");
  ASSERT_EQ(::chmod(dir.P("key").c_str(), 0600), 0);
  EXPECT_EQ(ReadFile(dir.P("key"), {.private_only = true}).value(), "secret\n");
  // Without the option the mode does not matter.
  ASSERT_EQ(::chmod(dir.P("key").c_str(), 0644), 0);
  EXPECT_TRUE(ReadFile(dir.P("key")).ok());
}

}  // namespace
}  // namespace ledger::files
