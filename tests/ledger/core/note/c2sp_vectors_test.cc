// Runs every case of tests/vectors/c2sp/signed-note-vectors.json (see
// tests/vectors/c2sp/PROVENANCE.md) through note::Parse / note::Open and,
// for checkpoints, VerifyCheckpoint.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "c2sp_test_util.h"
#include "ledger/base/hash.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"

namespace ledger {
namespace {

using ledger::testing::LoadVectorJson;
using ledger::testing::VerifierFromVkey;

// The reason each must-reject case fails with: the vectors only say "reject",
// and we also pin down which of the spec's rules rejects it.
const std::map<std::string, std::string> kRejectReasons = {
    {"c2sp example, text modified", "bad_signature"},
    {"only unknown signer -> reject", "unverified_note"},
    {"same name, different key ID -> treated as unknown -> reject", "unverified_note"},
    {"missing blank line before signatures -> malformed", "malformed_note"},
    {"signature line with ASCII hyphen instead of em dash -> malformed", "malformed_note"},
    {"text modified after signing -> reject", "bad_signature"},
    {"real CT staging checkpoint with size changed to 42 -> both reject", "bad_signature"},
    {"real CT staging checkpoint with size changed to 42 (witness key)", "bad_signature"},
};

const nlohmann::json& Cases() {
  static const nlohmann::json cases = LoadVectorJson("c2sp/signed-note-vectors.json")["cases"];
  return cases;
}

// Opens the note with the case's keys; returns the verified names or the
// failing status's reason prefixed with "!".
std::vector<std::string> OpenCase(const nlohmann::json& c,
                                  const std::vector<std::unique_ptr<note::Verifier>>& keys) {
  auto parsed = note::Parse(c["note"].get<std::string>());
  if (!parsed.ok()) return {"!" + parsed.status().reason()};
  std::vector<const note::Verifier*> known;
  for (const auto& k : keys) known.push_back(k.get());
  auto opened = note::Open(*parsed, known);
  if (!opened.ok()) return {"!" + opened.status().reason()};
  std::vector<std::string> names;
  for (const note::Verifier* v : *opened) names.push_back(v->name());
  return names;
}

std::vector<std::string> Expected(const nlohmann::json& c) {
  if (c["want_valid"].get<bool>()) return c["want_verified_key_names"];
  auto it = kRejectReasons.find(c["name"]);
  EXPECT_NE(it, kRejectReasons.end()) << "no expected reason for " << c["name"];
  return {"!" + (it == kRejectReasons.end() ? std::string("?") : it->second)};
}

// signed-note §Signature types 0x05 (static-ct-api): key ID =
// SHA-256(name || 0x0A || 0x05 || SHA-256(DER SPKI))[:4]. We do not verify
// this type; we only recompute the ID to show which line it names.
uint32_t Rfc6962KeyId(const std::string& vkey, std::string* name) {
  size_t p1 = vkey.find('+');
  size_t p2 = vkey.find('+', p1 + 1);
  *name = vkey.substr(0, p1);
  Bytes material = Base64Decode(vkey.substr(p2 + 1)).value();
  EXPECT_EQ(material.at(0), 0x05);
  Hash log_id = Sha256::Digest(ByteView(material).subspan(1));
  uint32_t id = note::KeyId(*name, 0x05, log_id.view());
  EXPECT_EQ(HexEncode(Bytes{static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                            static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)}),
            vkey.substr(p1 + 1, 8));
  return id;
}

TEST(C2spVectorsTest, EveryCase) {
  ASSERT_EQ(Cases().size(), 16u);
  size_t ran = 0;
  for (const auto& c : Cases()) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::string kind = c["kind"];
    std::vector<std::unique_ptr<note::Verifier>> keys;
    if (kind == "ed25519-note" || kind == "cosignature-v1") {
      for (const auto& vkey : c["vkeys"]) keys.push_back(VerifierFromVkey(vkey));
      uint8_t want_alg = kind == "ed25519-note" ? note::kAlgEd25519 : note::kAlgCosignatureV1;
      for (const auto& k : keys) EXPECT_EQ(k->alg(), want_alg);
      EXPECT_EQ(OpenCase(c, keys), Expected(c));
    } else if (kind == "ed25519-note-badkey") {
      // The vkey's ID does not match its key: unusable, so no key is known.
      for (const auto& vkey : c["vkeys"]) {
        EXPECT_EQ(note::ParseVerifierKey(vkey.get<std::string>()).status().reason(),
                  "bad_verifier_key");
      }
      EXPECT_EQ(OpenCase(c, keys), Expected(c));
    } else if (kind == "rfc6962-note") {
      // Type 0x05 is not ours: its vkey is refused, its line is an unknown
      // signature and ignored, and with no known signer the note is rejected.
      std::string vkey = c["vkeys"][0], name;
      EXPECT_EQ(note::ParseVerifierKey(vkey).status().reason(), "bad_verifier_key");
      uint32_t id = Rfc6962KeyId(vkey, &name);
      auto parsed = note::Parse(c["note"].get<std::string>());
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      ASSERT_EQ(parsed->signatures.size(), 1u);
      EXPECT_EQ(parsed->signatures[0].name, name);
      EXPECT_EQ(parsed->signatures[0].key_id, id);
      // Payload: u64 timestamp (ms) || DigitallySigned{SHA-256, ECDSA, ...}.
      EXPECT_EQ(LoadU64BE(parsed->signatures[0].payload.data()), 1711519390034u);
      EXPECT_EQ(parsed->signatures[0].payload.at(8), 0x04);
      EXPECT_EQ(parsed->signatures[0].payload.at(9), 0x03);
      EXPECT_EQ(OpenCase(c, keys), std::vector<std::string>{"!unverified_note"});
      // Even an Ed25519 key of the same name does not make the line known.
      keys.push_back(note::NewEd25519Verifier(
          name, Ed25519PrivateKey::FromSeed(Bytes(32, 5)).value().public_key()));
      EXPECT_EQ(OpenCase(c, keys), std::vector<std::string>{"!unverified_note"});
      auto checkpoint = Checkpoint::FromText(parsed->text);
      ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
      EXPECT_EQ(VerifyCheckpoint(c["note"].get<std::string>(), *keys[0]).status().reason(),
                "unverified_note");
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
      continue;
    }
    ++ran;
  }
  EXPECT_EQ(ran, Cases().size());
}

const nlohmann::json& CaseNamed(std::string_view name) {
  for (const auto& c : Cases()) {
    if (c["name"] == name) return c;
  }
  ADD_FAILURE() << "missing case " << name;
  static const nlohmann::json empty;
  return empty;
}

// The real cosigned CT checkpoint: log Ed25519 signature, RFC 6962 (0x05)
// signature and four witness cosignatures, of which we know remora.n621.de.
TEST(C2spVectorsTest, RealCosignedCheckpointWithTimestamp) {
  const auto& log_case =
      CaseNamed("real CT (static-ct-api) staging checkpoint: log Ed25519 signature");
  const auto& wit_case =
      CaseNamed("real CT staging checkpoint: witness remora.n621.de cosignature/v1");
  auto log = VerifierFromVkey(log_case["vkeys"][0]);
  auto remora = VerifierFromVkey(wit_case["vkeys"][0]);
  const note::Verifier* witnesses[] = {remora.get()};
  std::string note_text = log_case["note"];
  ASSERT_EQ(note_text, wit_case["note"].get<std::string>());

  auto vc = VerifyCheckpoint(note_text, *log, witnesses, 1);
  ASSERT_TRUE(vc.ok()) << vc.status();
  EXPECT_EQ(vc->checkpoint.origin, "arche2025h1.staging.ct.transparency.dev");
  EXPECT_EQ(vc->checkpoint.size, 1432088532u);
  EXPECT_EQ(vc->checkpoint.root.Base64(), "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=");
  ASSERT_EQ(vc->cosignatures.size(), 1u);
  EXPECT_EQ(vc->cosignatures[0].witness, "remora.n621.de");
  EXPECT_EQ(vc->cosignatures[0].timestamp, 1779573024u);
  EXPECT_EQ(VerifyCheckpoint(note_text, *log, witnesses, 2).status().reason(),
            "witness_quorum_not_met");
  // The witness key alone cannot stand for the log.
  EXPECT_EQ(VerifyCheckpoint(note_text, *remora).status().reason(), "origin_mismatch");

  const auto& clobbered =
      CaseNamed("real CT staging checkpoint with size changed to 42 -> both reject");
  EXPECT_EQ(
      VerifyCheckpoint(clobbered["note"].get<std::string>(), *log, witnesses, 0).status().reason(),
      "bad_signature");
}

// sum.golang.org's origin line "go.sum database tree" is the sumdb
// convention, not a C2SP origin: the note verifies, the checkpoint does not.
TEST(C2spVectorsTest, SumGolangOrgTreeHead) {
  const auto& c = CaseNamed("real sum.golang.org signed tree head (size 6476701)");
  auto key = VerifierFromVkey(c["vkeys"][0]);
  std::vector<std::unique_ptr<note::Verifier>> keys;
  keys.push_back(std::move(key));
  EXPECT_EQ(OpenCase(c, keys), std::vector<std::string>{"sum.golang.org"});
  auto parsed = note::Parse(c["note"].get<std::string>()).value();
  EXPECT_EQ(Checkpoint::FromText(parsed.text).status().reason(), "invalid_origin");
  EXPECT_EQ(VerifyCheckpoint(c["note"].get<std::string>(), *keys[0]).status().reason(),
            "invalid_origin");
}

}  // namespace
}  // namespace ledger
