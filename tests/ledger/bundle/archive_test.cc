// Bundle tar and directory I/O: round trip and refusal of hostile archives.
#include "ledger/bundle/archive.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace ledger::bundle {
namespace {

TEST(BundleArchive, SafePaths) {
  EXPECT_TRUE(IsSafeRelativePath("data/entries.jsonl"));
  for (const char* p : {"", "/etc/passwd", "../x", "data/../x", "data//x", "./x", "data/", "a\\b"}) {
    EXPECT_FALSE(IsSafeRelativePath(p)) << p;
  }
}

TEST(BundleArchive, TarRoundTripAndRefusals) {
  Files f = {{"bagit.txt", kBagitContent}, {"data/a.txt", "hello"}, {"data/sub/b", ""}};
  auto tar = WriteTar(f, 0);
  ASSERT_TRUE(tar.ok()) << tar.status();
  auto back = ReadTar(*tar);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, f);

  EXPECT_EQ(ReadTar("not a tar at all").status().reason(), "bad_archive");
  EXPECT_FALSE(ReadTar(tar->substr(0, 700)).ok());
  // A path escaping the bundle is refused.
  auto evil = WriteTar({{"../evil", "x"}}, 0);
  ASSERT_TRUE(evil.ok());
  EXPECT_EQ(ReadTar(*evil).status().reason(), "bad_path");
}

TEST(BundleArchive, DirectoryRoundTrip) {
  auto dir = std::filesystem::temp_directory_path() /
             ("bundle-archive-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Files f = {{"bagit.txt", kBagitContent}, {"data/x/y.txt", "y"}};
  ASSERT_TRUE(WriteBundleDir(f, dir.string()).ok());
  EXPECT_EQ(WriteBundleDir(f, dir.string()).reason(), "output_exists");
  auto back = ReadBundle(dir.string());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, f);
  std::filesystem::create_symlink("/etc/passwd", dir / "data" / "link");
  EXPECT_EQ(ReadBundle(dir.string()).status().reason(), "bad_path");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(ReadBundle(dir.string()).status().reason(), "no_such_file");
}

}  // namespace
}  // namespace ledger::bundle
