// AnchorRegistry bindings. Signatures of functions, events and errors are
// spelled once here and must match AnchorRegistry.sol; the integration test
// exercises every one of them against the compiled contract.
#include "evm/registry.h"

#include <array>

#include "evm/keccak.h"
#include "evm/signing.h"
#include "registry_code.h"

namespace anchor::evm::registry {
namespace {

struct ErrorName {
  const char* signature;
  const char* reason;
};
constexpr ErrorName kErrors[] = {
    {"NotOwner()", "registry_not_owner"},
    {"ZeroAddress()", "registry_zero_address"},
    {"AlreadyRegistered(bytes32)", "registry_already_registered"},
    {"UnknownLog(bytes32)", "registry_unknown_log"},
    {"BadSignature()", "registry_bad_signature"},
    {"HighS()", "registry_high_s"},
    {"WrongSigner(address,address)", "registry_wrong_signer"},
    {"SizeNotGrowing(uint64,uint64)", "registry_size_not_growing"},
    {"ProofTooLong(uint256)", "registry_proof_too_long"},
    {"InconsistentHead(uint64,uint64)", "registry_inconsistent_head"},
};

Hash Topic(std::string_view signature) { return Keccak256::Digest(signature); }

Bytes CodeFromHex(std::string_view hex) {
  auto b = ledger::HexDecode(hex);
  LEDGER_CHECK(b.ok());  // generated at build time from the committed files
  return *b;
}

}  // namespace

Bytes RegisterCall(const Hash& log_id, const Address& notary) {
  return abi::Encoder().AddBytes32(log_id).AddAddress(notary).Finish(
      abi::SelectorOf("register(bytes32,address)"));
}

Bytes RekeyCall(const RekeyStatement& r, ByteView signature_rsv) {
  return abi::Encoder()
      .AddBytes32(r.log_id)
      .AddAddress(Address{r.new_notary})
      .AddBytes(signature_rsv)
      .Finish(abi::SelectorOf("rekey(bytes32,address,bytes)"));
}

Bytes RekeyNonceCall(const Hash& log_id) {
  return abi::Encoder().AddBytes32(log_id).Finish(abi::SelectorOf("rekeyNonce(bytes32)"));
}

Bytes LatestCall(const Hash& log_id) {
  return abi::Encoder().AddBytes32(log_id).Finish(abi::SelectorOf("latest(bytes32)"));
}

Bytes AnchorCall(const Statement& s, const std::vector<Hash>& consistency_proof,
                 ByteView signature_rsv) {
  return abi::Encoder()
      .AddBytes32(s.log_id)
      .AddUint(s.tree_size)
      .AddBytes32(s.root_hash)
      .AddBytes32(s.map_root)
      .AddBytes32Array(consistency_proof)
      .AddBytes(signature_rsv)
      .Finish(abi::SelectorOf("anchor(bytes32,uint64,bytes32,bytes32,bytes32[],bytes)"));
}

Result<AnchoredHead> DecodeLatest(ByteView return_data) {
  if (return_data.size() != 3 * 32) {
    return Status::InvalidArgument("bad_abi", "latest() returns three words");
  }
  abi::Decoder dec(return_data);
  AnchoredHead h;
  ASSIGN_OR_RETURN(h.notary, dec.AddressAt(0));
  ASSIGN_OR_RETURN(h.tree_size, dec.Uint64(1));
  ASSIGN_OR_RETURN(h.root_hash, dec.Bytes32(2));
  return h;
}

Hash AnchoredTopic() {
  static const Hash kTopic = Topic("Anchored(bytes32,uint64,bytes32,bytes32,address)");
  return kTopic;
}
Hash LogRegisteredTopic() {
  static const Hash kTopic = Topic("LogRegistered(bytes32,address)");
  return kTopic;
}
Hash NotaryRekeyedTopic() {
  static const Hash kTopic = Topic("NotaryRekeyed(bytes32,address,address)");
  return kTopic;
}

Result<std::optional<AnchoredEvent>> DecodeAnchored(const rpc::Log& log) {
  if (log.topics.empty() || log.topics[0] != AnchoredTopic()) {
    return std::optional<AnchoredEvent>();
  }
  if (log.topics.size() != 2 || log.data.size() != 4 * 32) {
    return Status::InvalidArgument("bad_abi", "malformed Anchored event");
  }
  abi::Decoder dec(log.data);
  AnchoredEvent e;
  e.statement.log_id = log.topics[1];
  ASSIGN_OR_RETURN(e.statement.tree_size, dec.Uint64(0));
  ASSIGN_OR_RETURN(e.statement.root_hash, dec.Bytes32(1));
  ASSIGN_OR_RETURN(e.statement.map_root, dec.Bytes32(2));
  ASSIGN_OR_RETURN(e.notary, dec.AddressAt(3));
  e.log = log;
  return std::optional<AnchoredEvent>(std::move(e));
}

std::string RevertReason(ByteView revert_data) {
  if (revert_data.size() >= 4) {
    for (const ErrorName& e : kErrors) {
      abi::Selector sel = abi::SelectorOf(e.signature);
      if (std::equal(sel.begin(), sel.end(), revert_data.begin())) return e.reason;
    }
  }
  return "registry_reverted";
}

Bytes CreationCode() { return CodeFromHex(internal::kCreationCodeHex); }
Bytes RuntimeCode() { return CodeFromHex(internal::kRuntimeCodeHex); }

}  // namespace anchor::evm::registry
