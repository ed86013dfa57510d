// Talking to a notary enclave: an operator's provisioning step (verify the
// notary's attestation against the approved manifest, then re-seal the
// operator's share to the attested ephemeral key), handing the approvals and
// re-sealed shares to the notary, its status, and submitter keys.
#include <openssl/crypto.h>

#include <filesystem>

#include "commands.h"
#include "key_files.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation/certificate.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/crypto/eth_signature.h"
#include "ledger/files/write_file.h"
#include "ledger/notary_client/notary_client.h"
#include "ledger/note/ecdsa_note.h"
#include "ledger/trust/quorum.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

Result<std::unique_ptr<notary_client::NotaryClient>> ConnectFromArgs(const Args& a) {
  ASSIGN_OR_RETURN(std::string socket, a.Required("socket"));
  return notary_client::NotaryClient::Connect(socket);
}

std::string StateName(notary_client::pb::StatusInfo::State s) {
  switch (s) {
    case notary_client::pb::StatusInfo::BOOTED: return "booted";
    case notary_client::pb::StatusInfo::PROVISIONED: return "provisioned";
    case notary_client::pb::StatusInfo::SERVING: return "serving";
    case notary_client::pb::StatusInfo::CONFIRMING: return "confirming";
    default: return "unknown";
  }
}

}  // namespace

Status CmdSubmitterKey(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"name", "out", "alg", "json"}));
  ASSIGN_OR_RETURN(std::string name, a.Required("name"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  std::string alg = a.Get("alg").value_or("ed25519");
  if (!note::IsValidKeyName(name)) {
    return Status::InvalidArgument("bad_key_name", "--name must be a signed-note key name");
  }
  Bytes secret;
  if (alg == "ed25519") {
    ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::Generate());
    secret = key.ExportSeed();
  } else if (alg == "p256") {
    ASSIGN_OR_RETURN(auto key, P256PrivateKey::Generate());
    secret = key.ExportScalar();
  } else if (alg == "secp256k1") {
    ASSIGN_OR_RETURN(secret, note::GenerateSecp256k1Secret());
  } else {
    return Status::InvalidArgument("bad_algorithm", "--alg must be ed25519, p256 or secp256k1");
  }
  // local_log.h: "<name>\n<alg>\n<hex secret>\n", read back by ReadSubmitterKey.
  auto signer = SubmitterSigner(name, alg, secret);
  std::string text = name + "\n" + alg + "\n" + HexEncode(secret) + "\n";
  OPENSSL_cleanse(secret.data(), secret.size());
  Status s = signer.ok() ? files::WriteFile(out, text, {.secret = true, .exclusive = true})
                         : signer.status();
  OPENSSL_cleanse(text.data(), text.size());
  RETURN_IF_ERROR(s);
  std::string vkey = (*signer)->VerifierKey();
  RETURN_IF_ERROR(files::WriteFile(out + ".vkey", vkey + "\n"));
  o.Print({{"name", name}, {"alg", alg}, {"vkey", vkey}}, vkey + "\n");
  return Status::Ok();
}

// One operator's step: nothing is sent to a notary whose attestation does not
// chain to the pinned root, does not carry the manifest's measurement, or does
// not commit to this exact manifest.
Status CmdQuorumProvision(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"socket", "manifest", "root", "key", "share", "out", "at", "json"}));
  ASSIGN_OR_RETURN(std::string manifest_path, a.Required("manifest"));
  ASSIGN_OR_RETURN(std::string root_path, a.Required("root"));
  ASSIGN_OR_RETURN(std::string key_path, a.Required("key"));
  ASSIGN_OR_RETURN(std::string share_path, a.Required("share"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  ASSIGN_OR_RETURN(std::string manifest_bytes, ReadFile(manifest_path));
  ASSIGN_OR_RETURN(Manifest manifest, DecodeManifest(AsBytes(manifest_bytes)));
  ASSIGN_OR_RETURN(Hash digest, ManifestDigest(manifest));
  ASSIGN_OR_RETURN(std::string root_file, ReadFile(root_path));
  ASSIGN_OR_RETURN(Bytes root_der, CertificateFromPemOrDer(AsBytes(root_file)));
  ASSIGN_OR_RETURN(P256PrivateKey key, ReadOperatorKey(key_path));
  ASSIGN_OR_RETURN(std::string share, ReadFile(share_path));

  ASSIGN_OR_RETURN(auto client, ConnectFromArgs(a));
  ASSIGN_OR_RETURN(auto proof, client->GetBootProof(AsBytes(manifest_bytes)));
  AttestationPolicy policy;
  policy.root_der = root_der;
  policy.expected_pcrs[0] = Bytes(manifest.pcr0.begin(), manifest.pcr0.end());
  if (manifest.pcr1) policy.expected_pcrs[1] = Bytes(manifest.pcr1->begin(), manifest.pcr1->end());
  if (manifest.pcr2) policy.expected_pcrs[2] = Bytes(manifest.pcr2->begin(), manifest.pcr2->end());
  policy.expected_user_data = Bytes(digest.bytes.begin(), digest.bytes.end());
  if (auto at = a.Get("at")) {
    ASSIGN_OR_RETURN(policy.at_unix, ParseU64(*at, "--at"));
  }
  ASSIGN_OR_RETURN(VerifiedAttestation att, VerifyAttestation(proof.attestation, policy));
  if (att.public_key != proof.ephemeral_public_key) {
    return Status::VerificationFailed("ephemeral_key_mismatch",
                                      "the attested public key is not the notary's ephemeral key");
  }
  ASSIGN_OR_RETURN(Bytes resealed,
                   ReshareToNotary(key, AsBytes(share), AsBytes(kOperatorShareContext),
                                   proof.ephemeral_public_key, NotaryShareContext(digest)));
  RETURN_IF_ERROR(files::WriteFile(out, AsString(resealed)));
  o.Print({{"verified", true},
           {"module_id", att.document.module_id},
           {"pcr0", HexEncode(att.document.pcrs[0])},
           {"manifest_digest", digest.Hex()},
           {"ephemeral_public_key", HexEncode(proof.ephemeral_public_key)},
           {"out", out}},
          "attestation verified (module " + att.document.module_id + ", PCR0 " +
              HexEncode(att.document.pcrs[0]).substr(0, 16) + "…, manifest " +
              digest.Hex().substr(0, 16) + "…); share re-sealed to the notary in " + out + "\n");
  return Status::Ok();
}

Status CmdNotaryProvision(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"socket", "manifest", "approval", "share", "vkey-out", "json"}));
  ASSIGN_OR_RETURN(std::string manifest_path, a.Required("manifest"));
  ASSIGN_OR_RETURN(std::string manifest, ReadFile(manifest_path));
  std::vector<Bytes> approvals, shares;
  for (const auto& p : a.GetAll("approval")) {
    ASSIGN_OR_RETURN(std::string b, ReadFile(p));
    approvals.push_back(ToBytes(b));
  }
  for (const auto& p : a.GetAll("share")) {
    ASSIGN_OR_RETURN(std::string b, ReadFile(p));
    shares.push_back(ToBytes(b));
  }
  ASSIGN_OR_RETURN(auto client, ConnectFromArgs(a));
  ASSIGN_OR_RETURN(auto provisioned, client->Provision(AsBytes(manifest), approvals, shares));
  if (auto out = a.Get("vkey-out")) {
    RETURN_IF_ERROR(files::WriteFile(*out, provisioned.log_vkey + "\n"));
  }
  // The address the AnchorRegistry registers for this log (registry-statement.md §4).
  ASSIGN_OR_RETURN(EthAddress registry_address,
                   EthAddressFromPublicKey(provisioned.registry_public_key));
  o.Print({{"origin", provisioned.origin},
           {"log_vkey", provisioned.log_vkey},
           {"registry_public_key", HexEncode(provisioned.registry_public_key)},
           {"registry_address", "0x" + HexEncode(registry_address)}},
          "notary provisioned for " + provisioned.origin + "\nlog verifier key: " +
              provisioned.log_vkey + "\n");
  return Status::Ok();
}

Status CmdNotaryStatus(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"socket", "json"}));
  ASSIGN_OR_RETURN(auto client, ConnectFromArgs(a));
  ASSIGN_OR_RETURN(auto st, client->GetStatus());
  std::string state = StateName(st.state());
  o.Print({{"state", state},
           {"platform", st.platform()},
           {"ephemeral_public_key", HexEncode(AsBytes(st.ephemeral_public_key()))},
           {"origin", st.origin()},
           {"log_vkey", st.log_vkey()},
           {"size", st.size()}},
          "state " + state + ", platform " + st.platform() +
              (st.origin().empty() ? "" : ", log " + st.origin() + " (" + st.log_vkey() + ")") +
              ", size " + std::to_string(st.size()) + "\n");
  return Status::Ok();
}

}  // namespace ledger::cli
