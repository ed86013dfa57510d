#include "witness/add_checkpoint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace anchor::witness {
namespace {

const std::string kHash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const std::string kNote = "example.com/log\n0\n" + kHash + "\n\n— example.com/log AAAA\n";

std::string Reason(std::string_view body) {
  auto r = ParseAddCheckpoint(body);
  return r.ok() ? "ok" : r.status().reason();
}

TEST(ParseAddCheckpoint, AcceptsTheSpecLayout) {
  auto r = ParseAddCheckpoint("old 20\n" + kHash + "\n" + kHash + "\n\n" + kNote);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->old_size, 20u);
  EXPECT_EQ(r->proof.size(), 2u);
  EXPECT_EQ(r->checkpoint, kNote);
  EXPECT_EQ(FormatAddCheckpoint(*r), "old 20\n" + kHash + "\n" + kHash + "\n\n" + kNote);

  auto empty = ParseAddCheckpoint("old 0\n\n" + kNote);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->old_size, 0u);
  EXPECT_TRUE(empty->proof.empty());
}

TEST(ParseAddCheckpoint, RefusesMalformedBodies) {
  for (const std::string& body : std::vector<std::string>{
           std::string(""), std::string("old 0"), std::string("old 0\n"),
           std::string("old 0\n\n"), "new 0\n\n" + kNote, "old 01\n\n" + kNote, "old -1\n\n" + kNote,
           "old  1\n\n" + kNote, "old 1 \n\n" + kNote, "old 18446744073709551616\n\n" + kNote,
           "old 0\r\n\r\n" + kNote, "OLD 0\n\n" + kNote, "old 1\nnot base64!\n\n" + kNote,
           "old 1\n" + kHash + " \n\n" + kNote, "old 1\nAAAA\n\n" + kNote,
           "old 1\n" + kHash + "\n" + kHash,  // no blank line
           std::string("old 0\n\0\n", 9)}) {
    EXPECT_EQ(Reason(body), "malformed_request") << body;
  }
}

TEST(ParseAddCheckpoint, BoundsProofLinesAndBodySize) {
  std::string proof;
  for (int i = 0; i < 63; ++i) proof += kHash + "\n";
  EXPECT_EQ(Reason("old 1\n" + proof + "\n" + kNote), "ok");
  EXPECT_EQ(Reason("old 1\n" + proof + kHash + "\n\n" + kNote), "malformed_request");
  EXPECT_EQ(Reason("old 0\n\n" + std::string(kMaxAddCheckpointBody, 'a')), "body_too_large");
}

}  // namespace
}  // namespace anchor::witness
