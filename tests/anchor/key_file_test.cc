// The witness's key file: created 0600 and never replaced; read back only
// from a private regular file holding one hex seed.
#include "witness/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace anchor::witness {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "witness-key-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, GeneratedKeysReadBack) {
  auto key = GenerateKeyFile(P("key"));
  ASSERT_TRUE(key.ok()) << key.status();
  struct stat st {};
  ASSERT_EQ(::stat(P("key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = ReadKeyFile(P("key"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->public_key(), key->public_key());
}

TEST_F(KeyFileTest, AnExistingFileIsNeverReplaced) {
  ASSERT_TRUE(GenerateKeyFile(P("key")).ok());
  const ledger::Ed25519PublicKey before = ReadKeyFile(P("key"))->public_key();
  auto second = GenerateKeyFile(P("key"));
  EXPECT_EQ(second.status().code(), ledger::Code::kFailedPrecondition);
  EXPECT_EQ(second.status().reason(), "write_failed");
  EXPECT_EQ(ReadKeyFile(P("key"))->public_key(), before);
}

TEST_F(KeyFileTest, BadFilesAreRefusedWithTheirReasons) {
  EXPECT_EQ(ReadKeyFile(P("missing")).status().reason(), "missing_file");
  EXPECT_EQ(ReadKeyFile(dir_.string()).status().reason(), "bad_key_file");
  ASSERT_TRUE(GenerateKeyFile(P("key")).ok());
  ASSERT_EQ(::chmod(P("key").c_str(), 0644), 0);
  EXPECT_EQ(ReadKeyFile(P("key")).status().reason(), "bad_key_file");
  std::ofstream(P("long")) << std::string(200, 'a') << "\n";
  ASSERT_EQ(::chmod(P("long").c_str(), 0600), 0);
  EXPECT_EQ(ReadKeyFile(P("long")).status().reason(), "bad_key_file");
  std::ofstream(P("nothex")) << std::string(64, 'z') << "\n";
  ASSERT_EQ(::chmod(P("nothex").c_str(), 0600), 0);
  EXPECT_EQ(ReadKeyFile(P("nothex")).status().reason(), "bad_key_file");
}

}  // namespace
}  // namespace anchor::witness
