// The tile publisher: which files, their bytes, incremental runs, and what it
// refuses (a differing published file, a smaller checkpoint, a fork, a store
// that does not verify). The Go client (tlogclient/) checks the result with
// an independent tlog-tiles implementation.
#include "ledger/publish/publisher.h"

#include <gtest/gtest.h>

#include "ledger/note/cosignature.h"
#include "ledger/publish/tile_files.h"
#include "publish_fixture.h"

namespace ledger::publish::testing {
namespace {

std::string Str(const Result<Bytes>& b) { return std::string(AsString(b.value())); }

TEST_F(PublishTest, WritesEveryFileTheCheckpointImpliesThenTheCheckpoint) {
  TestLog log;
  log.Append(300);
  auto report = Publish(log.store(), *out_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->previous_size, 0u);
  EXPECT_EQ(report->size, 300u);
  EXPECT_EQ(report->files_written, 5u);
  EXPECT_TRUE(report->checkpoint_written);
  // Nothing else: no temporary file left behind.
  EXPECT_EQ(Files(), (std::vector<std::string>{"checkpoint", "tile/0/000", "tile/0/001.p/44",
                                               "tile/1/000.p/1", "tile/entries/000",
                                               "tile/entries/001.p/44"}));
  EXPECT_EQ(Slurp("checkpoint"), log.store().latest().note);
  EXPECT_EQ(Slurp("tile/0/000"), Str(log.store().ReadTile({0, 0, 256})));
  EXPECT_EQ(Slurp("tile/0/000").size(), 8192u);
  EXPECT_EQ(Slurp("tile/0/001.p/44"), Str(log.store().ReadTile({0, 1, 44})));
  EXPECT_EQ(Slurp("tile/1/000.p/1"), Str(log.store().ReadTile({1, 0, 1})));
  EXPECT_EQ(Slurp("tile/entries/000"), Str(log.store().ReadEntryBundle(0, 256)));
  EXPECT_EQ(Slurp("tile/entries/001.p/44"), Str(log.store().ReadEntryBundle(1, 44)));
  // The bundle's entries are the leaves, in order.
  auto bundle = tiles::ParseEntryBundle(AsBytes(Slurp("tile/entries/001.p/44")), 44);
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ((*bundle)[0], log.store().GetLeaf(256).value().leaf);
}

TEST_F(PublishTest, RerunIsIdempotent) {
  TestLog log;
  log.Append(300);
  ASSERT_TRUE(Publish(log.store(), *out_).ok());
  const auto files = Files();
  RecordingDir dir(*out_);
  auto again = Publish(log.store(), dir);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->checkpoint_written);
  EXPECT_EQ(again->previous_size, 300u);
  EXPECT_EQ(again->files_written, 0u);
  EXPECT_TRUE(dir.writes.empty());
  EXPECT_EQ(Files(), files);
}

TEST_F(PublishTest, GrowsFromPartialToFullTilesKeepingPartialPaths) {
  TestLog log;
  log.Append(200);
  ASSERT_TRUE(Publish(log.store(), *out_).ok());
  const std::string partial = Slurp("tile/0/000.p/200");
  const std::string partial_bundle = Slurp("tile/entries/000.p/200");
  EXPECT_EQ(partial.size(), 200u * 32);
  log.Append(100);
  RecordingDir dir(*out_);
  auto report = Publish(log.store(), dir);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->previous_size, 200u);
  EXPECT_EQ(report->size, 300u);
  // Only what is new, the checkpoint last.
  EXPECT_EQ(dir.writes, (std::vector<std::string>{"tile/entries/000", "tile/entries/001.p/44",
                                                  "tile/0/000", "tile/0/001.p/44",
                                                  "tile/1/000.p/1", "checkpoint"}));
  // The smaller checkpoint's partial tiles stay for the clients that hold it,
  // and are a prefix of the full tile.
  EXPECT_EQ(Slurp("tile/0/000.p/200"), partial);
  EXPECT_EQ(Slurp("tile/entries/000.p/200"), partial_bundle);
  EXPECT_EQ(Slurp("tile/0/000").substr(0, partial.size()), partial);
  EXPECT_EQ(Slurp("checkpoint"), log.store().latest().note);
}

TEST_F(PublishTest, CheckpointIsWrittenLast) {
  TestLog log;
  log.Append(100);
  ASSERT_TRUE(Publish(log.store(), *out_).ok());
  const std::string old_checkpoint = Slurp("checkpoint");
  log.Append(200);
  RecordingDir dir(*out_);
  dir.fail_path = kCheckpointPath;
  auto failed = Publish(log.store(), dir);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().reason(), "injected_fault");
  ASSERT_FALSE(dir.writes.empty());
  EXPECT_EQ(dir.writes.back(), kCheckpointPath);
  // Every tile was in place before; the old checkpoint is still the one served.
  EXPECT_TRUE(Exists("tile/0/000"));
  EXPECT_EQ(Slurp("checkpoint"), old_checkpoint);
  // The next run completes it: the files already there are the same bytes.
  auto report = Publish(log.store(), *out_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->files_written, 0u);
  EXPECT_EQ(report->files_present, 5u);
  EXPECT_EQ(Slurp("checkpoint"), log.store().latest().note);
}

TEST_F(PublishTest, RefusesToOverwriteATamperedFullTile) {
  TestLog log;
  log.Append(300);
  RecordingDir dir(*out_);
  dir.fail_path = kCheckpointPath;
  ASSERT_FALSE(Publish(log.store(), dir).ok());  // interrupted before its checkpoint
  std::string tile = Slurp("tile/0/000");
  tile[100] ^= 1;
  ASSERT_TRUE(out_->Write("tile/0/000", AsBytes(tile)).ok());
  auto again = Publish(log.store(), *out_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kCorruption);
  EXPECT_EQ(again.status().reason(), "published_tile_mismatch");
  EXPECT_NE(again.status().message().find("tile/0/000"), std::string::npos);
  EXPECT_EQ(Slurp("tile/0/000"), tile);  // never overwritten
  EXPECT_FALSE(Exists("checkpoint"));
}

TEST_F(PublishTest, RefusesASmallerCheckpoint) {
  TestLog big;
  big.Append(300);
  ASSERT_TRUE(Publish(big.store(), *out_).ok());
  const std::string published = Slurp("checkpoint");
  TestLog small;  // the same log, 100 entries in: a rolled-back store
  small.Append(100);
  auto rollback = Publish(small.store(), *out_);
  ASSERT_FALSE(rollback.ok());
  EXPECT_EQ(rollback.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(rollback.status().reason(), "published_checkpoint_rollback");
  EXPECT_EQ(Slurp("checkpoint"), published);
}

TEST_F(PublishTest, RefusesAStoreThatForksThePublishedCheckpoint) {
  TestLog other(1000);  // the same key, other entries
  other.Append(100);
  ASSERT_TRUE(Publish(other.store(), *out_).ok());
  const std::string published = Slurp("checkpoint");
  TestLog log;
  log.Append(300);
  auto fork = Publish(log.store(), *out_);
  ASSERT_FALSE(fork.ok());
  EXPECT_EQ(fork.status().reason(), "published_checkpoint_fork");
  EXPECT_EQ(Slurp("checkpoint"), published);
}

TEST_F(PublishTest, RefusesACheckpointFileNotSignedByTheLog) {
  TestLog log;
  log.Append(10);
  ASSERT_TRUE(out_->Write(kCheckpointPath, AsBytes("not a checkpoint\n")).ok());
  EXPECT_FALSE(Publish(log.store(), *out_).ok());
  EXPECT_EQ(Slurp("checkpoint"), "not a checkpoint\n");
}

TEST_F(PublishTest, DoesNotPublishAStoreThatDoesNotVerify) {
  TestLog log;
  log.Append(300);
  // One byte of a stored leaf changed: its hash no longer matches its tile.
  Bytes key(8, 0);
  key[7] = 5;
  Bytes leaf = log.kv()->Get(store::Column::kLeaves, key).value();
  leaf.back() ^= 1;
  store::WriteBatch b;
  b.Put(store::Column::kLeaves, key, leaf);
  ASSERT_TRUE(log.kv()->Write(b).ok());
  auto report = Publish(log.store(), *out_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Code::kCorruption);
  EXPECT_FALSE(Exists("checkpoint"));
  EXPECT_FALSE(Exists("tile/entries/000"));
}

TEST_F(PublishTest, PublishesOnlyTheLatestCheckpointWithTheWitnessQuorum) {
  TestLog log;
  log.Append(300);
  // A witness cosigns the checkpoint of size 300; the one of 400 is not cosigned.
  auto witness_key = Ed25519PrivateKey::FromSeed(Bytes(32, 0x07)).value();
  note::CosignatureV1Signer witness("witness.example/w1", std::move(witness_key),
                                    [] { return uint64_t{1'700'000'000}; });
  auto parsed = note::Parse(log.store().latest().note).value();
  parsed.signatures.push_back(note::SignText(parsed.text, witness).value());
  ASSERT_TRUE(log.store().AddCosignatures(note::Format(parsed)).ok());
  log.Append(100);
  store::LogStoreOptions options;
  options.witnesses = WitnessPolicy::FromVkeys(std::vector{witness.VerifierKey()}, 1).value();
  auto reader = log.Reader(options);
  ASSERT_EQ(reader->size(), 300u);
  auto report = Publish(*reader, *out_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->size, 300u);
  EXPECT_EQ(Slurp("checkpoint"), note::Format(parsed));
  EXPECT_FALSE(Exists("tile/0/001.p/144"));
}

TEST(NewTileFiles, TheSpecExampleAndIncrements) {
  // tlog-tiles: size 70,000 implies tile/0/273.p/112, tile/1/001.p/17, tile/2/000.p/1.
  auto all = NewTileFiles(0, 70000);
  std::vector<std::string> partial;
  size_t full_level0 = 0;
  for (const auto& f : all) {
    if (!f.id.full()) partial.push_back(f.Path());
    if (!f.entries && f.id.level == 0 && f.id.full()) ++full_level0;
  }
  EXPECT_EQ(full_level0, 273u);
  EXPECT_EQ(partial, (std::vector<std::string>{"tile/entries/273.p/112",
                                               "tile/0/273.p/112", "tile/1/001.p/17",
                                               "tile/2/000.p/1"}));
  EXPECT_TRUE(NewTileFiles(300, 300).empty());
  EXPECT_TRUE(NewTileFiles(0, 0).empty());
  // 256 -> 257: a new level-0 edge; tile/1/000.p/1 is the same file as before.
  std::vector<std::string> paths;
  for (const auto& f : NewTileFiles(256, 257)) paths.push_back(f.Path());
  EXPECT_EQ(paths, (std::vector<std::string>{"tile/entries/001.p/1", "tile/0/001.p/1"}));
  EXPECT_STREQ(CacheControlFor({false, {0, 1, 1}}), kCachePartialTile);
  EXPECT_STREQ(CacheControlFor({true, {0, 1, 256}}), kCacheImmutable);
}

}  // namespace
}  // namespace ledger::publish::testing
