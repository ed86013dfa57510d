// ANCHOR_CONFIRMED events (schemas/formats/anchor-confirmed.md). Attribute
// values are lowercase hex ("0x" for chain values, as Ethereum tools print
// them) and canonical decimals, so that one record has one encoding and the
// parser can refuse anything else.
#include "anchord/anchor_record.h"

#include <algorithm>
#include <map>

#include "ledger/note/checkpoint.h"

namespace anchor::anchord {
namespace {

constexpr char kSource[] = "anchord";

Status Bad(const std::string& why) {
  return Status::InvalidArgument("bad_anchor_record", "ANCHOR_CONFIRMED entry: " + why);
}

std::string HexHash(const Hash& h) { return "0x" + h.Hex(); }

Result<Hash> ParseHash(const std::string& v, const char* name) {
  auto b = evm::FromHex0x(v);
  if (!b.ok() || b->size() != Hash::kSize || evm::Hex0x(*b) != v) {
    return Bad(std::string(name) + " is not 0x + 64 lowercase hex digits");
  }
  return *Hash::FromBytes(*b);
}

Result<uint64_t> ParseU64(const std::string& v, const char* name) {
  auto n = ledger::ParseDecimalU64(v);
  if (!n.ok()) return Bad(std::string(name) + " is not a canonical decimal");
  return *n;
}

}  // namespace

Hash TimestampDigest(const AnchorRecord& r) { return ledger::Sha256::Digest(r.checkpoint); }

std::string AnchorRequestId(uint64_t chain_id, const evm::Address& contract, uint64_t tree_size) {
  return "anchor/" + std::to_string(chain_id) + "/" + contract.Hex() + "/" +
         std::to_string(tree_size);
}

Result<ledger::Event> AnchorEvent(const AnchorRecord& r) {
  ledger::Event e;
  e.kind = ledger::EventKind::kAnchorConfirmed;
  e.request_id = AnchorRequestId(r.chain_id, r.contract, r.statement.tree_size);
  e.event_id = e.request_id;
  if (r.block_timestamp > ledger::kMaxOccurredAtUs / 1000000) return Bad("block time out of range");
  e.occurred_at_us = r.block_timestamp * 1000000;
  e.actor.type = "service";
  e.actor.id = kSource;
  e.source = kSource;
  e.subject = "anchor/" + std::to_string(r.chain_id) + "/" + r.contract.Hex();
  e.outcome = ledger::Outcome::kSuccess;
  // No new_state_hash: a subject's state moves only by compare-and-swap
  // (map.md §5), and the registry, not the map, orders anchors. The
  // anchored root is the root_hash attribute.
  e.attributes = {
      {"block_hash", HexHash(r.block_hash)},
      {"block_number", std::to_string(r.block_number)},
      {"chain_id", std::to_string(r.chain_id)},
      {"checkpoint", r.checkpoint},
      {"contract", r.contract.Hex()},
      {"log_id", HexHash(r.statement.log_id)},
      {"map_root", HexHash(r.statement.map_root)},
      {"root_hash", HexHash(r.statement.root_hash)},
      {"signature", evm::Hex0x(r.signature)},
      {"tree_size", std::to_string(r.statement.tree_size)},
      {"tx_hash", HexHash(r.tx_hash)},
  };
  if (!r.timestamp_token.empty()) {
    e.attributes.emplace_back("timestamp_token", ledger::Base64Encode(r.timestamp_token));
    std::sort(e.attributes.begin(), e.attributes.end());
  }
  RETURN_IF_ERROR(ledger::ValidateEvent(e));
  return e;
}

Result<AnchorRecord> ParseAnchorEvent(const ledger::Event& e) {
  if (e.kind != ledger::EventKind::kAnchorConfirmed) return Bad("not an ANCHOR_CONFIRMED event");
  std::map<std::string, std::string> a(e.attributes.begin(), e.attributes.end());
  static const char* kNames[] = {"block_hash", "block_number", "chain_id",  "checkpoint",
                                 "contract",   "log_id",       "map_root",  "root_hash",
                                 "signature",  "tree_size",    "tx_hash"};
  const bool timestamped = a.count("timestamp_token") == 1;
  if (a.size() != std::size(kNames) + (timestamped ? 1 : 0)) {
    return Bad("unexpected attribute set");
  }
  for (const char* n : kNames) {
    if (!a.count(n)) return Bad(std::string("missing attribute ") + n);
  }
  AnchorRecord r;
  ASSIGN_OR_RETURN(r.chain_id, ParseU64(a["chain_id"], "chain_id"));
  auto contract = evm::Address::FromHex(a["contract"]);
  if (!contract.ok() || contract->Hex() != a["contract"]) return Bad("contract is not an address");
  r.contract = *contract;
  ASSIGN_OR_RETURN(r.tx_hash, ParseHash(a["tx_hash"], "tx_hash"));
  ASSIGN_OR_RETURN(r.block_number, ParseU64(a["block_number"], "block_number"));
  ASSIGN_OR_RETURN(r.block_hash, ParseHash(a["block_hash"], "block_hash"));
  ASSIGN_OR_RETURN(r.statement.log_id, ParseHash(a["log_id"], "log_id"));
  ASSIGN_OR_RETURN(r.statement.tree_size, ParseU64(a["tree_size"], "tree_size"));
  ASSIGN_OR_RETURN(r.statement.root_hash, ParseHash(a["root_hash"], "root_hash"));
  ASSIGN_OR_RETURN(r.statement.map_root, ParseHash(a["map_root"], "map_root"));
  auto sig = evm::FromHex0x(a["signature"]);
  if (!sig.ok() || sig->size() != 65 || evm::Hex0x(*sig) != a["signature"]) {
    return Bad("signature is not 65 bytes of lowercase hex");
  }
  std::copy(sig->begin(), sig->end(), r.signature.begin());
  r.checkpoint = a["checkpoint"];
  if (timestamped) {
    auto token = ledger::Base64Decode(a["timestamp_token"]);
    if (!token.ok() || token->empty()) return Bad("timestamp_token is not base64");
    r.timestamp_token = *token;
  }
  if (e.occurred_at_us % 1000000 != 0) return Bad("occurred_at is not a block time");
  r.block_timestamp = e.occurred_at_us / 1000000;
  // Everything else is a function of the record: compare whole events.
  ASSIGN_OR_RETURN(ledger::Event again, AnchorEvent(r));
  if (!(again == e)) return Bad("fields do not follow from the attributes");
  return r;
}

}  // namespace anchor::anchord
