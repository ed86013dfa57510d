// ledgerctl submitter-key --alg: the key file, its vkey, and that the key
// stamps what the policy's verifier accepts; the older two-line Ed25519 files
// stay readable.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.h"
#include "ledger/cli/ledgerctl.h"
#include "ledger/note/ecdsa_note.h"
#include "ledger/record/stamp.h"

namespace ledger::cli {
namespace {
namespace fs = std::filesystem;

using testing::Slurp;

class SubmitterKeyTest : public testing::CliTest {
 protected:
  // What `init --notary` makes of a key file: it reads the submitter key
  // before it dials the (absent) notary, so only a bad file is bad_key_file.
  std::string InitWith(const std::string& key_file) {
    std::string vkey =
        note::NewEd25519Signer("log.example/x", Ed25519PrivateKey::FromSeed(Bytes(32, 1)).value())
            ->VerifierKey();
    auto r = Ctl({"init", "--data", P("data"), "--notary", P("no-such.sock"), "--vkey", vkey,
                  "--submitter-key", key_file});
    return r.err;
  }
};

// The secret line of a key file as the signer ledgerctl would build.
std::unique_ptr<note::Signer> SignerFromFile(const std::string& text) {
  std::istringstream in(text);
  std::string name, alg, hex;
  std::getline(in, name);
  std::getline(in, alg);
  std::getline(in, hex);
  Bytes secret = HexDecode(hex).value();
  if (alg == "ed25519") {
    return note::NewEd25519Signer(name, Ed25519PrivateKey::FromSeed(secret).value());
  }
  if (alg == "p256") return note::NewP256Signer(name, P256PrivateKey::FromScalar(secret).value());
  return note::NewSecp256k1Signer(name, secret).value();
}

TEST_F(SubmitterKeyTest, EachAlgorithmWritesAKeyThatStamps) {
  struct Case {
    std::string alg;
    uint8_t type;
  } cases[] = {
      {"ed25519", note::kAlgEd25519}, {"p256", note::kAlgECDSA}, {"secp256k1", note::kAlgPrivate}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.alg);
    std::string out = P(c.alg + ".key");
    auto r = Ctl({"submitter-key", "--name", "svc.example/" + c.alg, "--out", out, "--alg", c.alg,
                  "--json"});
    ASSERT_EQ(r.code, kExitOk) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["alg"], c.alg);
    std::string vkey = j["vkey"];
    EXPECT_EQ(Slurp(out + ".vkey"), vkey + "\n");
    struct stat st {};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::string text = Slurp(out);
    EXPECT_EQ(text.substr(0, text.find('\n')), "svc.example/" + c.alg);
    EXPECT_NE(text.find("\n" + c.alg + "\n"), std::string::npos);
    // The file's secret is the vkey's key, and its stamps pass the policy check.
    auto signer = SignerFromFile(text);
    EXPECT_EQ(signer->VerifierKey(), vkey);
    auto verifier = note::ParseVerifierKey(vkey).value();
    EXPECT_EQ(verifier->alg(), c.type);
    const note::Verifier* known[] = {verifier.get()};
    Bytes event = {1, 2, 3};
    Bytes stamp = MakeStamp("log.example/x", event, *signer).value();
    EXPECT_EQ(VerifyStamp("log.example/x", event, stamp, known).value(), verifier.get());
    // ledgerctl reads it back (it gets as far as dialing the notary).
    std::string err = InitWith(out);
    EXPECT_EQ(err.find("bad_key_file"), std::string::npos) << err;
    EXPECT_FALSE(err.empty());
  }
}

TEST_F(SubmitterKeyTest, DefaultIsEd25519AndBadAlgorithmsWriteNothing) {
  auto r = Ctl({"submitter-key", "--name", "svc", "--out", P("d.key"), "--json"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["alg"], "ed25519");
  auto bad = Ctl({"submitter-key", "--name", "svc", "--out", P("x.key"), "--alg", "rsa"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_NE(bad.err.find("bad_algorithm"), std::string::npos);
  EXPECT_FALSE(fs::exists(P("x.key")));
  EXPECT_FALSE(fs::exists(P("x.key.vkey")));
}

TEST_F(SubmitterKeyTest, KeyFilesOldAndBad) {
  const std::string seed(64, '1');
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(P(name), std::ios::binary) << content;
    return P(name);
  };
  // The older two-line form is Ed25519.
  std::string err = InitWith(write("old.key", "svc\n" + seed + "\n"));
  EXPECT_EQ(err.find("bad_key_file"), std::string::npos) << err;
  err = InitWith(write("new.key", "svc\ned25519\n" + seed + "\n"));
  EXPECT_EQ(err.find("bad_key_file"), std::string::npos) << err;
  const std::vector<std::string> bads = {
      "svc\nrsa\n" + seed + "\n",                        // unknown algorithm
      "svc\np256\n" + std::string(64, '0') + "\n",       // scalar 0
      "svc\nsecp256k1\n" + std::string(62, '1') + "\n",  // 31 bytes
      "svc\nsecp256k1\n" + std::string(64, 'f') + "\n",  // >= n
      "svc\n" + seed + "\nextra\nline\n",                // four lines
      "bad name\n" + seed + "\n",                        // not a key name
      "svc\nzz\n",                                       // not hex
      "svc\n",                                           // no secret
  };
  for (const std::string& bad : bads) {
    err = InitWith(write("bad.key", bad));
    EXPECT_NE(err.find("bad_key_file"), std::string::npos) << bad << " -> " << err;
  }
}

}  // namespace
}  // namespace ledger::cli
