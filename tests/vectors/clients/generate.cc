// The shared client vectors (tests/vectors/clients/, README.md there): valid
// and must-fail cases for every check a client verifier makes, built with the
// C++ code and labelled with what the C++ verifiers answer.
//
//   clients_vectors --out DIR     build the cases and write DIR/<check>.json
//   clients_vectors --check DIR   run the C++ verifiers over DIR's cases and
//                                 fail unless each gives its recorded outcome
//   clients_vectors --run FILE    print the C++ outcome of each case of FILE
//                                 (a JSON array): differential tests
//
// Every expected outcome is computed by Run() below, which chains the same
// library calls as `ledgerctl verify inclusion` and `verify-state`, so a case
// states what the C++ code answers, and --check (a ctest test) keeps the
// committed files in step with it.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/attestation/attestation.h"
#include "ledger/attestation/cbor.h"
#include "ledger/attestation/cose.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/attestation_dev/sign_attestation.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/codec/state_json.h"
#include "ledger/crypto/p256.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/ecdsa_note.h"
#include "ledger/note/note.h"
#include "ledger/note/tlog_proof.h"
#include "ledger/note/witness_time.h"
#include "ledger/record/event.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/record/state_map.h"
#include "ledger/record/state_proof.h"
#include "ledger/trust/notary_evidence.h"
#include "notary/app_proof.h"
#include "notary_evidence_check.h"

namespace {

using namespace ledger;
using json = nlohmann::ordered_json;
using state_map::Value;

// ---------------------------------------------------------------------------
// Outcomes

json Fail(const Status& s) {
  return json{{"ok", false}, {"code", std::string(CodeName(s.code()))}, {"reason", s.reason()}};
}

#define TRY(expr)                                   \
  do {                                              \
    ::ledger::Status _s = (expr);                   \
    if (!_s.ok()) return Fail(_s);                  \
  } while (0)
#define TRY_ASSIGN(lhs, expr)                       \
  auto lhs##_r = (expr);                            \
  if (!lhs##_r.ok()) return Fail(lhs##_r.status()); \
  auto lhs = std::move(lhs##_r).value()

Bytes Hex(const std::string& s) { return HexDecode(s).value(); }
Bytes B64(const std::string& s) { return Base64Decode(s).value(); }
Hash HashHex(const std::string& s) { return Hash::FromHex(s).value(); }
std::string Str(const nlohmann::json& j) { return j.get<std::string>(); }

// A text field: a JSON string, or {"base64": ...} for bytes that are not UTF-8.
std::string Text(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  return std::string(AsString(B64(j["base64"].get<std::string>())));
}

// The JSON form of a text field (see Text).
nlohmann::ordered_json Wrap(const std::string& s) {
  if (IsValidUtf8(s)) return s;
  return nlohmann::ordered_json{{"base64", Base64Encode(AsBytes(s))}};
}

std::vector<Hash> HashList(const nlohmann::json& j) {
  std::vector<Hash> out;
  for (const auto& h : j) out.push_back(HashHex(h.get<std::string>()));
  return out;
}

// The witness policy of a case: "witnesses" null is nothing pinned.
Result<WitnessPolicy> PolicyOf(const nlohmann::json& c) {
  const bool allow = c.value("allow_unwitnessed", false);
  WitnessPolicy policy;
  if (c["witnesses"].is_null()) {
    if (!allow) {
      return Status::InvalidArgument("witness_pins_missing", "no witness policy pinned");
    }
  } else {
    std::vector<std::string> vkeys = c["witnesses"].get<std::vector<std::string>>();
    ASSIGN_OR_RETURN(policy, WitnessPolicy::FromVkeys(vkeys, c["quorum"].get<size_t>()));
  }
  if (allow) policy.quorum = 0;
  return policy;
}

// "root" (base64 DER) and "pcr0" (hex): the code pins, both or neither.
Result<std::optional<cli::CodePins>> PinsOf(const nlohmann::json& c) {
  const bool root = c.contains("root") && !c["root"].is_null();
  const bool pcr0 = c.contains("pcr0") && !c["pcr0"].is_null();
  if (!root && !pcr0) return std::optional<cli::CodePins>();
  if (!root) return Status::InvalidArgument("attestation_root_missing", "pcr0 needs a root");
  if (!pcr0) return Status::InvalidArgument("pcr0_pin_missing", "root needs a pcr0");
  cli::CodePins pins;
  pins.root_der = B64(Str(c["root"]));
  auto bytes = HexDecode(Str(c["pcr0"]));
  if (!bytes.ok() || (bytes->size() != 32 && bytes->size() != 48 && bytes->size() != 64)) {
    return Status::InvalidArgument("bad_pcr0", "pcr0 is 32, 48 or 64 bytes in hex");
  }
  pins.pcr0 = *bytes;
  return std::optional<cli::CodePins>(std::move(pins));
}

json Cosigs(const std::vector<Cosignature>& cs) {
  json a = json::array();
  for (const auto& c : cs) a.push_back(json::array({c.witness, c.timestamp}));
  return a;
}

// ---------------------------------------------------------------------------
// The checks, as the verifiers chain them.

json RunCheckpoint(const nlohmann::json& c) {
  TRY_ASSIGN(log, note::ParseVerifierKey(Str(c["log_vkey"])));
  TRY_ASSIGN(policy, PolicyOf(c));
  TRY_ASSIGN(v, VerifyCheckpoint(Text(c["note"]), *log, policy));
  return json{{"ok", true}, {"size", v.checkpoint.size}, {"cosignatures", Cosigs(v.cosignatures)}};
}

json RunMerkle(const nlohmann::json& c) {
  if (Str(c["type"]) == "inclusion") {
    TRY(merkle::VerifyInclusion(c["index"].get<uint64_t>(), c["size"].get<uint64_t>(),
                                HashHex(Str(c["leaf_hash"])), HashList(c["proof"]),
                                HashHex(Str(c["root"]))));
  } else {
    TRY(merkle::VerifyConsistency(c["size1"].get<uint64_t>(), c["size2"].get<uint64_t>(),
                                  HashList(c["proof"]), HashHex(Str(c["root1"])),
                                  HashHex(Str(c["root2"]))));
  }
  return json{{"ok", true}};
}

struct ReceiptFile {
  TlogProof proof;
  std::optional<NotaryEvidence> notary;
};

// ledgerctl's ParseReceiptFile: tlog-proof text or receipt JSON.
Result<ReceiptFile> ParseReceipt(const std::string& text) {
  ReceiptFile out;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') {
    ASSIGN_OR_RETURN(out.proof, ParseTlogProof(text));
    return out;
  }
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(text, 4 << 20));
  if (j.is_object() && j.contains("receipt")) j = j["receipt"];
  if (!j.is_object() || !j.contains("tlog_proof") || !j["tlog_proof"].is_string()) {
    return Status::InvalidArgument("malformed_receipt", "no tlog_proof");
  }
  ASSIGN_OR_RETURN(out.proof, ParseTlogProof(j["tlog_proof"].get<std::string>()));
  if (j.contains("notary") && !j["notary"].is_null()) {
    ASSIGN_OR_RETURN(out.notary, codec::NotaryEvidenceFromJson(j["notary"]));
  }
  return out;
}

json RunReceipt(const nlohmann::json& c) {
  TRY_ASSIGN(log, note::ParseVerifierKey(Str(c["log_vkey"])));
  TRY_ASSIGN(policy, PolicyOf(c));
  TRY_ASSIGN(pins, PinsOf(c));
  TRY_ASSIGN(receipt, ParseReceipt(Text(c["receipt"])));
  const TlogProof& proof = receipt.proof;
  Hash leaf_hash;
  if (c.contains("leaf_hash") && !c["leaf_hash"].is_null()) {
    leaf_hash = HashHex(Str(c["leaf_hash"]));
    if (proof.extra && merkle::LeafHash(*proof.extra) != leaf_hash) {
      return Fail(Status::VerificationFailed("leaf_mismatch", "leaf hash"));
    }
  } else if (proof.extra) {
    leaf_hash = merkle::LeafHash(*proof.extra);
  } else {
    return Fail(Status::InvalidArgument("missing_leaf", "no leaf"));
  }
  TRY_ASSIGN(vc, VerifyTlogProof(proof, leaf_hash, *log, policy.Pointers(), policy.quorum));
  if (proof.extra) {
    TRY_ASSIGN(leaf, DecodeLeaf(*proof.extra));
    TRY(CheckRecordedAt(leaf.recorded_at_us, vc.cosignatures, policy.quorum));
  }
  TRY_ASSIGN(code, cli::CheckCode(pins, receipt.notary, proof.index, vc.checkpoint, *log));
  return json{{"ok", true},
              {"index", proof.index},
              {"tree_size", vc.checkpoint.size},
              {"cosignatures", Cosigs(vc.cosignatures)},
              {"code_checked", code.has_value()}};
}

Result<std::optional<NotaryEvidence>> EvidenceOf(const std::string& text) {
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(text, codec::kMaxStateAnswerSize));
  if (!j.is_object() || !j.contains("notary") || j["notary"].is_null()) {
    return std::optional<NotaryEvidence>();
  }
  ASSIGN_OR_RETURN(NotaryEvidence e, codec::NotaryEvidenceFromJson(j["notary"]));
  return std::optional<NotaryEvidence>(std::move(e));
}

json RunState(const nlohmann::json& c) {
  TRY_ASSIGN(log, note::ParseVerifierKey(Str(c["log_vkey"])));
  TRY_ASSIGN(policy, PolicyOf(c));
  TRY_ASSIGN(pins, PinsOf(c));
  const std::string text = Text(c["answer"]);
  TRY_ASSIGN(answer, codec::StateProofFromJson(text));
  TRY_ASSIGN(evidence, EvidenceOf(text));
  if (c.contains("subject") && Str(c["subject"]) != answer.subject) {
    return Fail(Status::VerificationFailed("subject_mismatch", "subject"));
  }
  TRY_ASSIGN(v, state_map::VerifyStateProof(answer, *log, policy));
  if (v.leaf) TRY(CheckRecordedAt(v.leaf->recorded_at_us, v.cosignatures, policy.quorum));
  const uint64_t min_size = c.value("min_size", uint64_t{0});
  if (v.checkpoint.size < min_size) {
    return Fail(Status::VerificationFailed("stale_checkpoint", "old"));
  }
  if (c.contains("expect_state")) {
    TRY_ASSIGN(want, Hash::FromHex(Str(c["expect_state"])));
    if (!v.value || v.value->state != want) {
      return Fail(Status::VerificationFailed("state_not_latest", "not latest"));
    }
  }
  if (c.contains("stamper") || c.contains("kind")) {
    if (!v.set_by_kind) return Fail(Status::VerificationFailed("state_setter_unknown", "unknown"));
    if (c.contains("kind")) {
      TRY_ASSIGN(want, ParseEventKind(Str(c["kind"])));
      if (want != *v.set_by_kind) return Fail(Status::VerificationFailed("state_setter_mismatch", "kind"));
    }
    if (c.contains("stamper") && Str(c["stamper"]) != *v.set_by_stamper) {
      return Fail(Status::VerificationFailed("state_setter_mismatch", "stamper"));
    }
  }
  const uint64_t entry = v.value ? v.value->index : v.checkpoint.size - 1;
  TRY_ASSIGN(code, cli::CheckCode(pins, evidence, entry, v.checkpoint, *log));
  json out = {{"ok", true}, {"present", v.value.has_value()}, {"tree_size", v.checkpoint.size}};
  if (v.value) {
    out["index"] = v.value->index;
    out["version"] = v.value->version;
    out["state_hash"] =
        v.value->state == state_map::EmptyHash() ? json(nullptr) : json(v.value->state.Hex());
    out["set_by"] = v.set_by_kind ? json{{"kind", std::string(EventKindName(*v.set_by_kind))},
                                         {"stamper", *v.set_by_stamper}}
                                  : json(nullptr);
  }
  out["code_checked"] = code.has_value();
  return out;
}

json RunLeaf(const nlohmann::json& c) {
  if (Str(c["type"]) == "recorded_at") {
    std::vector<Cosignature> cs;
    for (const auto& x : c["cosignatures"]) cs.push_back({Str(x[0]), x[1].get<uint64_t>()});
    TRY(CheckRecordedAt(c["recorded_at_us"].get<uint64_t>(), cs, c["quorum"].get<size_t>()));
    return json{{"ok", true}};
  }
  TRY_ASSIGN(leaf, DecodeLeaf(Hex(Str(c["leaf"]))));
  TRY_ASSIGN(event, DecodeEvent(leaf.event));
  return json{{"ok", true},
              {"index", leaf.index},
              {"recorded_at_us", leaf.recorded_at_us},
              {"prev_leaf_hash", leaf.prev_leaf_hash.Hex()},
              {"kind", std::string(EventKindName(event.kind))},
              {"subject", event.subject},
              {"stamp_bytes", leaf.stamp.size()}};
}

json RunStamp(const nlohmann::json& c) {
  std::vector<std::unique_ptr<note::Verifier>> keys;
  for (const auto& v : c["submitters"]) {
    TRY_ASSIGN(key, note::ParseVerifierKey(Str(v)));
    keys.push_back(std::move(key));
  }
  std::vector<const note::Verifier*> ptrs;
  for (const auto& k : keys) ptrs.push_back(k.get());
  TRY_ASSIGN(who, VerifyStamp(Str(c["origin"]), Hex(Str(c["event"])), Hex(Str(c["stamp"])), ptrs));
  return json{{"ok", true}, {"signer", who->VerifierKey()}};
}

json RunAttestation(const nlohmann::json& c) {
  AttestationPolicy policy;
  policy.root_der = B64(Str(c["root"]));
  if (c.contains("pcr0")) policy.expected_pcrs[0] = Hex(Str(c["pcr0"]));
  if (c.contains("user_data")) policy.expected_user_data = Hex(Str(c["user_data"]));
  if (c.contains("at_unix")) policy.at_unix = c["at_unix"].get<uint64_t>();
  TRY_ASSIGN(v, VerifyAttestation(B64(Str(c["document"])), policy));
  return json{{"ok", true}, {"public_key", HexEncode(v.public_key)}, {"module_id", v.document.module_id}};
}

json Run(const nlohmann::json& c) {
  const std::string check = Str(c["check"]);
  if (check == "checkpoint") return RunCheckpoint(c);
  if (check == "merkle") return RunMerkle(c);
  if (check == "receipt") return RunReceipt(c);
  if (check == "state") return RunState(c);
  if (check == "leaf") return RunLeaf(c);
  if (check == "stamp") return RunStamp(c);
  if (check == "attestation") return RunAttestation(c);
  throw std::runtime_error("unknown check " + check);
}

// ---------------------------------------------------------------------------
// The fixture: one log of ten entries in three batches, two notary boots.

constexpr char kOrigin[] = "clients.example/log";
constexpr uint64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z

Ed25519PrivateKey Seeded(uint8_t b) { return Ed25519PrivateKey::FromSeed(Bytes(32, b)).value(); }

DevPki Pki(const std::string& name) {
  DevPkiOptions o;
  o.name = name;
  o.not_before_unix = kT0 - 86400;
  o.validity_days = 3650;
  return CreateDevPki(o).value();
}

Bytes Sec1(const P256PrivateKey& key) {
  ByteView v = key.public_key().view();
  return Bytes(v.begin(), v.end());
}

struct Boot {
  P256PrivateKey key;
  Bytes attestation;
  Hash manifest_digest;
};

struct Fixture {
  std::unique_ptr<note::Signer> log_signer = note::NewEd25519Signer(kOrigin, Seeded(0x42));
  std::string log_vkey;
  std::vector<std::unique_ptr<note::CosignatureV1Signer>> witnesses;
  std::vector<std::string> witness_vkeys;
  std::unique_ptr<note::Signer> svc_db = note::NewEd25519Signer("svc-db", Seeded(0x51));
  std::unique_ptr<note::Signer> svc_ops = note::NewEd25519Signer("svc-ops", Seeded(0x52));
  DevPki pki = Pki("clients-example");
  DevPki other_pki = Pki("clients-other");
  Bytes pcr0 = Bytes(48, 0x5a);
  std::vector<Boot> boots;
  std::vector<Bytes> leaves;
  std::vector<Hash> leaf_hashes;
  std::vector<Event> events;
  std::vector<std::pair<Hash, Value>> map;  // subject and stamp keys
  std::vector<uint64_t> batch_ends;         // sizes after each batch
  std::map<uint64_t, std::string> batch_checkpoints;  // size -> log-signed note
  std::map<uint64_t, Hash> map_roots;                 // size -> map root
  std::map<uint64_t, notary::AppProofFields> app_fields;
  std::map<uint64_t, std::pair<Bytes, size_t>> app_sigs;  // size -> signature, boot
  std::map<uint64_t, uint64_t> boot_index;                // boot -> entry index

  Hash Node(uint32_t level, uint64_t index) const {
    if (level == 0) return leaf_hashes[index];
    return merkle::NodeHash(Node(level - 1, 2 * index), Node(level - 1, 2 * index + 1));
  }
  merkle::NodeSource Source() const {
    return [this](uint32_t level, uint64_t index) -> Result<Hash> { return Node(level, index); };
  }
  Hash Root(uint64_t size) const { return merkle::RangeHash(0, size, Source()).value(); }
  std::vector<Hash> Inclusion(uint64_t index, uint64_t size) const {
    return merkle::InclusionProof(index, size, Source()).value();
  }
  std::vector<Hash> Consistency(uint64_t a, uint64_t b) const {
    return merkle::ConsistencyProof(a, b, Source()).value();
  }

  // The sparse map (map.md §3) over a set of pairs.
  static Hash MapHash(const std::vector<const std::pair<Hash, Value>*>& s, size_t depth) {
    if (s.empty()) return state_map::EmptyHash();
    if (s.size() == 1) return state_map::LeafHash(s[0]->first, s[0]->second);
    std::vector<const std::pair<Hash, Value>*> l, r;
    for (auto* p : s) (state_map::KeyBit(p->first, depth) ? r : l).push_back(p);
    return state_map::NodeHash(MapHash(l, depth + 1), MapHash(r, depth + 1));
  }
  std::vector<const std::pair<Hash, Value>*> All() const {
    std::vector<const std::pair<Hash, Value>*> s;
    for (const auto& p : map) s.push_back(&p);
    return s;
  }
  Hash MapRoot() const { return MapHash(All(), 0); }
  state_map::Proof MapProof(const Hash& key) const {
    state_map::Proof proof;
    auto s = All();
    for (size_t depth = 0;; ++depth) {
      if (s.empty()) return proof;
      if (s.size() == 1) {
        proof.leaf = state_map::Proof::Leaf{s[0]->first, s[0]->second};
        return proof;
      }
      std::vector<const std::pair<Hash, Value>*> same, other;
      for (auto* p : s) {
        (state_map::KeyBit(p->first, depth) == state_map::KeyBit(key, depth) ? same : other)
            .push_back(p);
      }
      proof.siblings.push_back(MapHash(other, depth + 1));
      s = same;
    }
  }
  void SetMap(const Hash& key, const Value& v) {
    for (auto& p : map) {
      if (p.first == key) {
        p.second = v;
        return;
      }
    }
    map.emplace_back(key, v);
  }
  std::optional<Value> MapGet(const Hash& key) const {
    for (const auto& p : map) {
      if (p.first == key) return p.second;
    }
    return std::nullopt;
  }

  void Append(Event e, const note::Signer* stamper, uint64_t recorded_at_us) {
    const uint64_t index = leaves.size();
    Bytes event_bytes = EncodeEvent(e).value();
    Leaf leaf;
    leaf.index = index;
    leaf.recorded_at_us = recorded_at_us;
    leaf.prev_leaf_hash = index == 0 ? ChainGenesis(kOrigin) : leaf_hashes.back();
    leaf.event = event_bytes;
    if (stamper) leaf.stamp = MakeStamp(kOrigin, event_bytes, *stamper).value();
    Bytes bytes = EncodeLeaf(leaf).value();
    if (stamper && stamper != log_signer.get()) {
      SetMap(state_map::StampKeyOf(event_bytes), state_map::StampValue(index));
    }
    const Hash key = state_map::KeyOf(e.subject);
    SetMap(key, state_map::NextValue(MapGet(key), index, e.new_state_hash));
    leaf_hashes.push_back(merkle::LeafHash(bytes));
    leaves.push_back(std::move(bytes));
    events.push_back(std::move(e));
  }

  Event NewEvent(EventKind kind, const std::string& subject, uint64_t n) {
    Event e;
    e.kind = kind;
    e.event_id = "evt-" + std::to_string(n);
    e.request_id = "req-" + std::to_string(n);
    e.occurred_at_us = kT0 * 1000000 + n;
    e.actor.type = "service";
    e.actor.id = "svc/clients-example";
    e.subject = subject;
    e.outcome = Outcome::kSuccess;
    return e;
  }

  void AddBoot(uint8_t manifest_byte) {
    Boot b{P256PrivateKey::Generate().value(), {}, Hash{}};
    b.manifest_digest.bytes.fill(manifest_byte);
    AttestationDocument doc;
    doc.module_id = "i-clients-example-enc" + std::to_string(boots.size());
    doc.digest = "SHA384";
    doc.timestamp_ms = (kT0 + 60) * 1000;
    doc.pcrs[0] = pcr0;
    doc.pcrs[1] = Bytes(48, 0x01);
    doc.pcrs[2] = Bytes(48, 0x02);
    doc.certificate = pki.leaf_der;
    doc.cabundle = {pki.root_der, pki.intermediate_der};
    doc.public_key = Sec1(b.key);
    doc.user_data = Bytes(b.manifest_digest.bytes.begin(), b.manifest_digest.bytes.end());
    // A defective second boot (the second boot's document only): it attests
    // another key than the one its entry records, or another manifest.
    if (boots.size() == 1 && defect == Defect::kOtherKey) {
      doc.public_key = Sec1(P256PrivateKey::Generate().value());
    }
    if (boots.size() == 1 && defect == Defect::kOtherManifest) doc.user_data[0] ^= 1;
    b.attestation = SignAttestation(doc, pki.leaf_key).value();
    Event e = NewEvent(EventKind::kEnclaveBooted, "notary/boot", leaves.size());
    e.actor.id = "notary";
    e.payload_digest = Sha256::Digest(b.attestation);
    e.attributes = {{"ephemeral_public_key", HexEncode(Sec1(b.key))},
                    {"manifest_digest", b.manifest_digest.Hex()}};
    boot_index[boots.size()] = leaves.size();
    boots.push_back(std::move(b));
    Append(std::move(e), log_signer.get(), (kT0 + 60) * 1000000 + leaves.size() * 1000);
  }

  std::string Sign(uint64_t size, bool with_map = true) {
    Checkpoint cp{kOrigin, size, Root(size), {"policy 1 " + std::string(64, '0')}};
    if (with_map) cp.extensions.push_back(state_map::ExtensionLine(map_roots.at(size)));
    return SignCheckpoint(cp, *log_signer).value();
  }

  // The batch [first, size) closes: its checkpoint and app proof by `boot`.
  void CloseBatch(uint64_t first, size_t boot) {
    const uint64_t size = leaves.size();
    map_roots[size] = MapRoot();
    std::string note = Sign(size);
    notary::AppProofFields f{kOrigin, size, Root(size), first, size - first, Sha256::Digest(note)};
    std::string payload = notary::AppProofPayload(f).value();
    app_fields[size] = f;
    app_sigs[size] = {boots[boot].key.Sign(AsBytes(payload)).value(), boot};
    batch_checkpoints[size] = note;
    batch_ends.push_back(size);
  }

  // Adds cosignature lines by the given witnesses at the given times.
  std::string Cosign(const std::string& note_text, const std::vector<std::pair<size_t, uint64_t>>& by) {
    note::Note n = note::Parse(note_text).value();
    for (auto [w, t] : by) {
      Bytes payload = witnesses[w]->SignAt(n.text, t).value();
      n.signatures.push_back({witnesses[w]->name(), witnesses[w]->key_id(), payload});
    }
    return note::Format(n);
  }

  NotaryEvidence EvidenceFor(uint64_t index, uint64_t answer_size) const {
    uint64_t end = 0;
    for (uint64_t e : batch_ends) {
      if (index < e) {
        end = e;
        break;
      }
    }
    const auto& f = app_fields.at(end);
    const auto& [sig, boot] = app_sigs.at(end);
    NotaryEvidence e;
    e.pcr0 = pcr0;
    e.batch_checkpoint = batch_checkpoints.at(end);
    e.first_index = f.first_index;
    e.count = f.count;
    e.batch_consistency = end == answer_size ? std::vector<Hash>{} : Consistency(end, answer_size);
    e.app_proof_payload = notary::AppProofPayload(f).value();
    e.app_proof_signature = sig;
    e.app_proof_public_key = Sec1(boots[boot].key);
    e.boot_index = boot_index.at(boot);
    e.boot_leaf = leaves[e.boot_index];
    e.boot_inclusion = Inclusion(e.boot_index, answer_size);
    e.attestation = boots[boot].attestation;
    return e;
  }

  enum class Defect { kNone, kOtherKey, kOtherManifest };
  Defect defect = Defect::kNone;

  explicit Fixture(Defect d = Defect::kNone) : defect(d) {
    log_vkey = log_signer->VerifierKey();
    for (int i = 0; i < 3; ++i) {
      auto w = note::NewCosignatureV1Signer("witness.example/w" + std::to_string(i + 1),
                                            Seeded(static_cast<uint8_t>(0x61 + i)),
                                            [] { return kT0 + 100; });
      witness_vkeys.push_back(w->VerifierKey());
      witnesses.push_back(std::move(w));
    }
    // Batch 1: the first boot's ENCLAVE_BOOTED entry.
    AddBoot(0x6d);
    CloseBatch(0, 0);
    // Batch 2: entries 1..5 under boot 0.
    auto at = [](uint64_t i) { return (kT0 + 60) * 1000000 + i * 1000; };
    Hash a = Sha256::Digest(std::string_view("svc/db/main state A"));
    Hash b = Sha256::Digest(std::string_view("svc/db/main state B"));
    Append(NewEvent(EventKind::kKeyCreated, "key/k-1", 1), svc_ops.get(), at(1));
    Event e2 = NewEvent(EventKind::kStateNotarized, "svc/db/main", 2);
    e2.new_state_hash = a;
    Append(e2, svc_db.get(), at(2));
    Append(NewEvent(EventKind::kKeyRotated, "key/k-1", 3), svc_ops.get(), at(3));
    Event e4 = NewEvent(EventKind::kKeyRotated, "svc/other", 4);
    e4.new_state_hash = Sha256::Digest(std::string_view("svc/other state"));
    Append(e4, svc_ops.get(), at(4));
    Event e5 = NewEvent(EventKind::kStateNotarized, "svc/db/main", 5);
    e5.prior_state_hash = a;
    e5.new_state_hash = b;
    Append(e5, svc_db.get(), at(5));
    CloseBatch(1, 0);
    // Batch 3: a second boot (entry 6), then entries 7..9 under it.
    AddBoot(0x6e);
    Append(NewEvent(EventKind::kSignatureProduced, "key/k-2", 7), svc_ops.get(), at(7));
    Append(NewEvent(EventKind::kKeyCreated, "key/k-3", 8), nullptr, at(8));
    Append(NewEvent(EventKind::kSignatureProduced, "key/k-1", 9), svc_ops.get(), at(9));
    CloseBatch(6, 1);
  }
};

// ---------------------------------------------------------------------------
// Case builders

struct Cases {
  json cases = json::array();
  void Add(json c) {
    c["expect"] = Run(nlohmann::json::parse(c.dump()));
    cases.push_back(std::move(c));
  }
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("Replace: not found: " + from);
  return s.replace(at, from.size(), to);
}

// Flips one bit of the base64 payload of signature line `n` (0-based).
std::string FlipSignature(const std::string& note_text, size_t n) {
  note::Note parsed = note::Parse(note_text).value();
  parsed.signatures[n].payload.back() ^= 1;
  return note::Format(parsed);
}

json Base(const Fixture& f, const std::string& check) {
  return json{{"check", check}, {"log_vkey", f.log_vkey}, {"witnesses", f.witness_vkeys}, {"quorum", 2}};
}

json CheckpointCases(Fixture& f) {
  Cases out;
  const std::string plain = f.batch_checkpoints.at(10);
  const std::string cosigned = f.Cosign(plain, {{0, kT0 + 100}, {1, kT0 + 101}});
  auto c = [&](const std::string& name, const std::string& note) {
    json j = Base(f, "checkpoint");
    j["name"] = name;
    j["note"] = Wrap(note);
    return j;
  };
  out.Add(c("cosigned_2_of_3", cosigned));
  {
    json j = c("all_three", f.Cosign(plain, {{0, kT0 + 100}, {1, kT0 + 101}, {2, kT0 + 102}}));
    j["quorum"] = 3;
    out.Add(j);
  }
  out.Add(c("one_cosignature_quorum_not_met", f.Cosign(plain, {{0, kT0 + 100}})));
  out.Add(c("log_signature_only_quorum_not_met", plain));
  {
    json j = c("log_signature_only_allow_unwitnessed", plain);
    j["allow_unwitnessed"] = true;
    out.Add(j);
  }
  {
    json j = c("no_witness_pins", cosigned);
    j["witnesses"] = nullptr;
    out.Add(j);
  }
  {
    json j = c("no_witness_pins_allow_unwitnessed", cosigned);
    j["witnesses"] = nullptr;
    j["allow_unwitnessed"] = true;
    out.Add(j);
  }
  {
    json j = c("deployment_without_witnesses", plain);
    j["witnesses"] = json::array();
    j["quorum"] = 0;
    out.Add(j);
  }
  out.Add(c("failing_cosignature_of_pinned_witness", FlipSignature(cosigned, 2)));
  {
    json j = c("failing_cosignature_even_unwitnessed", FlipSignature(cosigned, 1));
    j["allow_unwitnessed"] = true;
    out.Add(j);
  }
  out.Add(c("bad_log_signature", FlipSignature(cosigned, 0)));
  out.Add(c("same_witness_twice_counts_once", f.Cosign(plain, {{0, kT0 + 100}, {0, kT0 + 105}})));
  {
    // One key listed under two names: a copied line counts once.
    json j = c("one_key_under_two_names", "");
    auto alias = note::NewCosignatureV1Signer("witness.example/alias", Seeded(0x61), [] { return kT0; });
    j["witnesses"] = json::array({f.witness_vkeys[0], alias->VerifierKey()});
    note::Note n = note::Parse(f.Cosign(plain, {{0, kT0 + 100}})).value();
    note::Signature copy = n.signatures[1];
    copy.name = alias->name();
    copy.key_id = alias->key_id();
    n.signatures.push_back(copy);
    j["note"] = Wrap(note::Format(n));
    out.Add(j);
  }
  {
    auto stranger = note::NewCosignatureV1Signer("witness.example/stranger", Seeded(0x70), [] { return kT0; });
    note::Note n = note::Parse(f.Cosign(plain, {{0, kT0 + 100}, {1, kT0 + 101}})).value();
    n.signatures.push_back({stranger->name(), stranger->key_id(), stranger->SignAt(n.text, kT0).value()});
    out.Add(c("unknown_cosigner_ignored", note::Format(n)));
  }
  {
    json j = c("other_log_key_same_name", cosigned);
    j["log_vkey"] = note::NewEd25519Signer(kOrigin, Seeded(0x43))->VerifierKey();
    out.Add(j);
  }
  {
    json j = c("log_key_of_another_origin", cosigned);
    j["log_vkey"] = note::NewEd25519Signer("other.example/log", Seeded(0x42))->VerifierKey();
    out.Add(j);
  }
  {
    json j = c("bad_log_vkey_uppercase_id", cosigned);
    std::string v = f.log_vkey;
    size_t p = v.find('+');
    for (size_t i = p + 1; i < p + 9; ++i) v[i] = static_cast<char>(std::toupper(v[i]));
    j["log_vkey"] = v;
    out.Add(j);
  }
  {
    json j = c("bad_witness_vkey", cosigned);
    j["witnesses"][1] = "witness.example/w2+00000000+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X";
    out.Add(j);
  }
  {
    json j = c("quorum_above_keys", cosigned);
    j["quorum"] = 4;
    out.Add(j);
  }
  out.Add(c("no_blank_line", Replace(cosigned, "\n\n", "\n")));
  out.Add(c("carriage_return", Replace(cosigned, "\n\n", "\r\n\n")));
  out.Add(c("no_final_newline", cosigned.substr(0, cosigned.size() - 1)));
  out.Add(c("root_not_canonical_base64", Replace(cosigned, "=\n", "\n")));
  {
    std::string s = cosigned;
    s.erase(s.rfind("=\n"), 1);
    out.Add(c("signature_not_canonical_base64", s));
  }
  out.Add(c("size_leading_zero", Replace(cosigned, "\n10\n", "\n010\n")));
  out.Add(c("origin_with_space", Replace(cosigned, "clients.example/log\n10", "clients example/log\n10")));
  out.Add(c("invalid_utf8", Replace(cosigned, "policy 1", std::string("policy \xff"))));
  out.Add(c("empty_extension_line", Replace(cosigned, "policy 1", "\npolicy 1")));
  {
    std::string many = plain;
    std::string line = many.substr(many.find("\n\n") + 2);
    for (int i = 0; i < 100; ++i) many += line;
    out.Add(c("more_than_100_signatures", many));
  }
  {
    // A cosignature whose timestamp is above 2^63-1 is a bad signature.
    note::Note n = note::Parse(plain).value();
    Bytes payload(72, 0);
    payload[0] = 0x80;
    n.signatures.push_back({f.witnesses[0]->name(), f.witnesses[0]->key_id(), payload});
    n.signatures.push_back({f.witnesses[1]->name(), f.witnesses[1]->key_id(),
                            f.witnesses[1]->SignAt(n.text, kT0 + 1).value()});
    out.Add(c("cosignature_timestamp_above_2_63", note::Format(n)));
  }
  return out.cases;
}

json MerkleCases(Fixture& f) {
  Cases out;
  auto incl = [&](const std::string& name, uint64_t index, uint64_t size, std::vector<Hash> proof,
                  Hash leaf, Hash root) {
    json p = json::array();
    for (const Hash& h : proof) p.push_back(h.Hex());
    out.Add(json{{"check", "merkle"}, {"name", name}, {"type", "inclusion"}, {"index", index},
                 {"size", size}, {"leaf_hash", leaf.Hex()}, {"proof", p}, {"root", root.Hex()}});
  };
  for (uint64_t size : {1, 2, 3, 7, 10}) {
    for (uint64_t i = 0; i < size; i += (size > 4 ? 3 : 1)) {
      incl("inclusion_" + std::to_string(i) + "_of_" + std::to_string(size), i, size,
           f.Inclusion(i, size), f.leaf_hashes[i], f.Root(size));
    }
  }
  auto p = f.Inclusion(5, 10);
  incl("inclusion_index_out_of_range", 10, 10, p, f.leaf_hashes[5], f.Root(10));
  auto longer = p;
  longer.push_back(f.leaf_hashes[0]);
  incl("inclusion_extra_hash", 5, 10, longer, f.leaf_hashes[5], f.Root(10));
  incl("inclusion_missing_hash", 5, 10, std::vector<Hash>(p.begin(), p.end() - 1), f.leaf_hashes[5], f.Root(10));
  auto flipped = p;
  flipped[1].bytes[0] ^= 1;
  incl("inclusion_wrong_sibling", 5, 10, flipped, f.leaf_hashes[5], f.Root(10));
  incl("inclusion_wrong_leaf", 5, 10, p, f.leaf_hashes[4], f.Root(10));
  incl("inclusion_wrong_index", 4, 10, p, f.leaf_hashes[5], f.Root(10));
  auto cons = [&](const std::string& name, uint64_t s1, uint64_t s2, std::vector<Hash> proof, Hash r1,
                  Hash r2) {
    json pj = json::array();
    for (const Hash& h : proof) pj.push_back(h.Hex());
    out.Add(json{{"check", "merkle"}, {"name", name}, {"type", "consistency"}, {"size1", s1},
                 {"size2", s2}, {"proof", pj}, {"root1", r1.Hex()}, {"root2", r2.Hex()}});
  };
  for (auto [a, b] : std::vector<std::pair<uint64_t, uint64_t>>{{1, 10}, {3, 7}, {4, 10}, {6, 10}, {9, 10}, {10, 10}}) {
    cons("consistency_" + std::to_string(a) + "_" + std::to_string(b), a, b, f.Consistency(a, b), f.Root(a),
         f.Root(b));
  }
  cons("consistency_from_empty", 0, 10, {}, Hash{}, f.Root(10));
  auto cp = f.Consistency(6, 10);
  cons("consistency_bad_tree_sizes", 10, 6, cp, f.Root(10), f.Root(6));
  auto cl = cp;
  cl.push_back(f.leaf_hashes[0]);
  cons("consistency_extra_hash", 6, 10, cl, f.Root(6), f.Root(10));
  cons("consistency_missing_hash", 6, 10, std::vector<Hash>(cp.begin(), cp.end() - 1), f.Root(6), f.Root(10));
  auto cf = cp;
  cf[0].bytes[3] ^= 0x10;
  cons("consistency_wrong_hash", 6, 10, cf, f.Root(6), f.Root(10));
  cons("consistency_wrong_old_root", 6, 10, cp, f.Root(5), f.Root(10));
  cons("consistency_equal_sizes_other_root", 10, 10, {}, f.Root(9), f.Root(10));
  cons("consistency_equal_sizes_with_proof", 10, 10, {f.leaf_hashes[0]}, f.Root(10), f.Root(10));
  return out.cases;
}

std::string ReceiptJson(const Fixture& f, uint64_t index, uint64_t size, const std::string& note,
                        bool evidence) {
  TlogProof tp;
  tp.extra = f.leaves[index];
  tp.index = index;
  tp.inclusion = f.Inclusion(index, size);
  tp.checkpoint = note;
  nlohmann::json proof = nlohmann::json::array();
  for (const Hash& h : tp.inclusion) proof.push_back(h.Base64());
  nlohmann::json r = {{"index", index},
                      {"leaf", Base64Encode(f.leaves[index])},
                      {"leaf_hash", f.leaf_hashes[index].Base64()},
                      {"tree_size", size},
                      {"inclusion_proof", proof},
                      {"checkpoint", note},
                      {"tlog_proof", FormatTlogProof(tp)}};
  if (evidence) r["notary"] = codec::NotaryEvidenceToJson(f.EvidenceFor(index, size));
  return r.dump();
}

json ReceiptCases(Fixture& f, const std::string& cosigned) {
  Cases out;
  auto text = [&](uint64_t index) {
    TlogProof tp;
    tp.extra = f.leaves[index];
    tp.index = index;
    tp.inclusion = f.Inclusion(index, 10);
    tp.checkpoint = cosigned;
    return FormatTlogProof(tp);
  };
  auto c = [&](const std::string& name, const std::string& receipt) {
    json j = Base(f, "receipt");
    j["name"] = name;
    j["receipt"] = Wrap(receipt);
    return j;
  };
  for (uint64_t i : {0, 2, 5, 9}) out.Add(c("tlog_proof_entry_" + std::to_string(i), text(i)));
  out.Add(c("receipt_json_entry_7", ReceiptJson(f, 7, 10, cosigned, true)));
  out.Add(c("receipt_json_nested", "{\"receipt\":" + ReceiptJson(f, 3, 10, cosigned, false) + ",\"duplicate\":false}"));
  out.Add(c("receipt_json_without_notary", ReceiptJson(f, 4, 10, cosigned, false)));
  const std::string t5 = text(5);
  {
    TlogProof tp = ParseTlogProof(t5).value();
    tp.extra.reset();
    json j = c("no_leaf_with_leaf_hash", FormatTlogProof(tp));
    j["leaf_hash"] = f.leaf_hashes[5].Hex();
    out.Add(j);
    out.Add(c("no_leaf_no_leaf_hash", FormatTlogProof(tp)));
    json k = c("leaf_hash_mismatch", t5);
    k["leaf_hash"] = f.leaf_hashes[4].Hex();
    out.Add(k);
  }
  {
    json j = c("no_witness_pins", t5);
    j["witnesses"] = nullptr;
    out.Add(j);
    j["name"] = "allow_unwitnessed";
    j["allow_unwitnessed"] = true;
    out.Add(j);
  }
  {
    TlogProof tp = ParseTlogProof(t5).value();
    tp.checkpoint = f.batch_checkpoints.at(10);
    out.Add(c("log_signature_only", FormatTlogProof(tp)));
    tp.checkpoint = f.Cosign(f.batch_checkpoints.at(10), {{0, kT0 + 100}, {1, kT0 + 101}, {2, kT0 + 102}});
    tp.checkpoint = FlipSignature(tp.checkpoint, 3);
    out.Add(c("failing_third_cosignature", FormatTlogProof(tp)));
    tp.checkpoint = FlipSignature(cosigned, 0);
    out.Add(c("bad_log_signature", FormatTlogProof(tp)));
    // Cosigned long before the entry was recorded (leaf.md §2).
    tp.checkpoint = f.Cosign(f.batch_checkpoints.at(10), {{0, kT0 - 1000}, {1, kT0 - 900}});
    out.Add(c("recorded_after_cosignature", FormatTlogProof(tp)));
    tp.checkpoint = f.Cosign(f.batch_checkpoints.at(10), {{0, kT0 - 200}, {1, kT0 - 100}});
    out.Add(c("recorded_within_300s_of_quorum_time", FormatTlogProof(tp)));
  }
  {
    TlogProof tp = ParseTlogProof(t5).value();
    tp.index = 10;
    out.Add(c("index_out_of_range", FormatTlogProof(tp)));
    tp.index = 4;
    out.Add(c("wrong_index", FormatTlogProof(tp)));
    tp = ParseTlogProof(t5).value();
    tp.inclusion.pop_back();
    out.Add(c("proof_too_short", FormatTlogProof(tp)));
    tp = ParseTlogProof(t5).value();
    tp.inclusion.push_back(tp.inclusion[0]);
    out.Add(c("proof_too_long", FormatTlogProof(tp)));
    tp = ParseTlogProof(t5).value();
    tp.inclusion[0].bytes[31] ^= 1;
    out.Add(c("proof_wrong_hash", FormatTlogProof(tp)));
    tp = ParseTlogProof(t5).value();
    tp.extra->back() ^= 1;
    out.Add(c("leaf_altered", FormatTlogProof(tp)));
    tp = ParseTlogProof(t5).value();
    tp.extra->push_back(0);
    json j = c("leaf_trailing_byte_root_mismatch", FormatTlogProof(tp));
    out.Add(j);
    tp = ParseTlogProof(t5).value();
    tp.extra = Bytes{};
    j = c("empty_extra", FormatTlogProof(tp));
    out.Add(j);
    tp = ParseTlogProof(t5).value();
    tp.inclusion.assign(64, f.leaf_hashes[0]);
    out.Add(c("more_than_63_hashes", FormatTlogProof(tp)));
  }
  out.Add(c("missing_header", t5.substr(t5.find('\n') + 1)));
  out.Add(c("wrong_header", Replace(t5, "tlog-proof@v1", "tlog-proof@v2")));
  out.Add(c("index_leading_zero", Replace(t5, "index 5", "index 05")));
  out.Add(c("index_not_decimal", Replace(t5, "index 5", "index +5")));
  out.Add(c("unknown_line", Replace(t5, "index 5\n", "index 5\nnote x\n")));
  {
    const size_t a = t5.find("extra ");
    const std::string extra_line = t5.substr(a, t5.find('\n', a) - a + 1);
    std::string moved = t5;
    moved.erase(a, extra_line.size());
    out.Add(c("extra_after_index", Replace(moved, "index 5\n", "index 5\n" + extra_line)));
  }
  out.Add(c("second_extra", Replace(t5, "extra ", "extra \nextra ")));
  out.Add(c("extra_bad_base64", Replace(t5, "extra ", "extra =")));
  out.Add(c("hash_line_not_canonical", Replace(t5, "=\n\n", "\n\n")));
  out.Add(c("no_blank_line", Replace(t5, "\n\nclients", "\nclients")));
  out.Add(c("trailing_bytes_after_note", t5 + "x"));
  out.Add(c("trailing_line_after_note", t5 + "\n"));
  out.Add(c("crlf", Replace(t5, "index 5\n", "index 5\r\n")));
  out.Add(c("truncated", t5.substr(0, t5.size() / 2)));
  out.Add(c("empty", ""));
  out.Add(c("json_without_tlog_proof", "{\"index\":5}"));
  out.Add(c("json_duplicate_key", Replace(ReceiptJson(f, 5, 10, cosigned, false), "\"index\":5,", "\"index\":5,\"index\":5,")));
  out.Add(c("json_trailing_comma", Replace(ReceiptJson(f, 5, 10, cosigned, false), "}", ",}")));
  out.Add(c("json_not_utf8", Replace(ReceiptJson(f, 5, 10, cosigned, false), "\"index\"", "\"ind\xc3\x28x\"")));
  return out.cases;
}

std::string StateAnswer(const Fixture& f, const std::string& subject, const std::string& note,
                        bool evidence) {
  state_map::StateProof p;
  p.subject = subject;
  p.checkpoint_note = note;
  const Hash key = state_map::KeyOf(subject);
  p.map_proof = f.MapProof(key);
  auto value = f.MapGet(key);
  if (value) {
    p.leaf = f.leaves[value->index];
    p.inclusion_proof = f.Inclusion(value->index, 10);
  }
  nlohmann::json j = codec::StateProofToJson(p);
  if (evidence) j["notary"] = codec::NotaryEvidenceToJson(f.EvidenceFor(value ? value->index : 9, 10));
  return j.dump();
}

json StateCases(Fixture& f, const std::string& cosigned) {
  Cases out;
  auto c = [&](const std::string& name, const std::string& answer) {
    json j = Base(f, "state");
    j["name"] = name;
    j["answer"] = Wrap(answer);
    return j;
  };
  const std::string db = StateAnswer(f, "svc/db/main", cosigned, true);
  const std::string stateB = Sha256::Digest(std::string_view("svc/db/main state B")).Hex();
  const std::string stateA = Sha256::Digest(std::string_view("svc/db/main state A")).Hex();
  {
    json j = c("latest_state", db);
    j["subject"] = "svc/db/main";
    j["expect_state"] = stateB;
    j["min_size"] = 10;
    j["stamper"] = "svc-db";
    j["kind"] = "STATE_NOTARIZED";
    out.Add(j);
  }
  out.Add(c("present_without_state", StateAnswer(f, "key/k-1", cosigned, false)));
  out.Add(c("state_set_by_other_kind", StateAnswer(f, "svc/other", cosigned, false)));
  out.Add(c("absent_subject", StateAnswer(f, "svc/never-written", cosigned, true)));
  out.Add(c("absent_subject_2", StateAnswer(f, "key/k-404", cosigned, false)));
  out.Add(c("notary_own_subject", StateAnswer(f, "notary/boot", cosigned, false)));
  {
    json j = c("old_state_not_latest", db);
    j["expect_state"] = stateA;
    out.Add(j);
    j["name"] = "absent_subject_state_not_latest";
    j["answer"] = StateAnswer(f, "svc/never-written", cosigned, false);
    out.Add(j);
  }
  {
    json j = c("stale_checkpoint", db);
    j["min_size"] = 11;
    out.Add(j);
  }
  {
    json j = c("stamper_mismatch", db);
    j["stamper"] = "svc-ops";
    out.Add(j);
    j = c("kind_mismatch", db);
    j["kind"] = "KEY_ROTATED";
    out.Add(j);
    j = c("setter_unknown", StateAnswer(f, "key/k-1", cosigned, false));
    j["stamper"] = "svc-ops";
    out.Add(j);
    j = c("unknown_kind_name", db);
    j["kind"] = "NOT_A_KIND";
    out.Add(j);
  }
  {
    json j = c("subject_mismatch", db);
    j["subject"] = "svc/db/other";
    out.Add(j);
  }
  {
    json j = c("no_witness_pins", db);
    j["witnesses"] = nullptr;
    out.Add(j);
  }
  out.Add(c("log_signature_only", StateAnswer(f, "svc/db/main", f.batch_checkpoints.at(10), false)));
  out.Add(c("recorded_after_cosignature",
            StateAnswer(f, "svc/db/main", f.Cosign(f.batch_checkpoints.at(10), {{0, kT0 - 1000}, {1, kT0 - 900}}), false)));
  {
    std::string no_map = f.Cosign(f.Sign(10, false), {{0, kT0 + 100}, {1, kT0 + 101}});
    out.Add(c("map_root_missing", StateAnswer(f, "svc/db/main", no_map, false)));
  }
  nlohmann::json base = nlohmann::json::parse(db);
  auto mutate = [&](const std::string& name, const std::function<void(nlohmann::json&)>& fn) {
    nlohmann::json j = base;
    fn(j);
    out.Add(c(name, j.dump()));
  };
  mutate("entry_removed", [](nlohmann::json& j) { j["entry"] = nullptr; });
  mutate("entry_missing_member", [](nlohmann::json& j) { j.erase("entry"); });
  mutate("older_entry_as_latest", [&](nlohmann::json& j) {
    j["entry"]["index"] = 2;
    j["entry"]["leaf"] = Base64Encode(f.leaves[2]);
    nlohmann::json proof = nlohmann::json::array();
    for (const Hash& h : f.Inclusion(2, 10)) proof.push_back(h.Base64());
    j["entry"]["inclusion_proof"] = proof;
  });
  mutate("entry_index_not_leaf", [](nlohmann::json& j) { j["entry"]["index"] = 4; });
  mutate("entry_unknown_field", [](nlohmann::json& j) { j["entry"]["extra"] = 1; });
  mutate("unknown_field", [](nlohmann::json& j) { j["extra"] = 1; });
  mutate("subject_not_string", [](nlohmann::json& j) { j["subject"] = 7; });
  mutate("map_proof_not_base64", [](nlohmann::json& j) { j["map_proof"] = "AQ"; });
  mutate("map_proof_trailing_byte", [](nlohmann::json& j) {
    Bytes p = Base64Decode(j["map_proof"].get<std::string>()).value();
    p.push_back(0);
    j["map_proof"] = Base64Encode(p);
  });
  mutate("map_proof_sibling_altered", [](nlohmann::json& j) {
    Bytes p = Base64Decode(j["map_proof"].get<std::string>()).value();
    p.back() ^= 1;
    j["map_proof"] = Base64Encode(p);
  });
  mutate("map_proof_of_other_subject", [&](nlohmann::json& j) {
    j["map_proof"] = Base64Encode(f.MapProof(state_map::KeyOf("key/k-1")).Encode());
  });
  mutate("absence_claimed_for_present_subject", [&](nlohmann::json& j) {
    state_map::Proof p = f.MapProof(state_map::KeyOf("svc/db/main"));
    p.leaf.reset();
    j["map_proof"] = Base64Encode(p.Encode());
    j["entry"] = nullptr;
  });
  mutate("inclusion_proof_altered", [](nlohmann::json& j) {
    std::string h = j["entry"]["inclusion_proof"][0].get<std::string>();
    h[0] = h[0] == 'A' ? 'B' : 'A';
    j["entry"]["inclusion_proof"][0] = h;
  });
  mutate("inclusion_proof_short", [](nlohmann::json& j) { j["entry"]["inclusion_proof"].erase(0); });
  mutate("entry_for_absent_subject", [&](nlohmann::json& j) {
    j["subject"] = "svc/never-written";
    j["map_proof"] = Base64Encode(f.MapProof(state_map::KeyOf("svc/never-written")).Encode());
  });
  mutate("negative_index", [](nlohmann::json& j) { j["entry"]["index"] = -5; });
  mutate("float_index", [](nlohmann::json& j) { j["entry"]["index"] = 5.0; });
  {
    json j = c("duplicate_key", Replace(db, "\"subject\":", "\"subject\":\"x\",\"subject\":"));
    out.Add(j);
    out.Add(c("not_json", "svc/db/main"));
    out.Add(c("json_array", "[]"));
    out.Add(c("deeply_nested", std::string(40, '[') + std::string(40, ']')));
    out.Add(c("nan", Replace(db, "\"subject\":", "\"nan\":NaN,\"subject\":")));
  }
  return out.cases;
}

json EvidenceCases(Fixture& f, const std::string& cosigned) {
  Cases out;
  const std::string root = Base64Encode(f.pki.root_der);
  const std::string pcr0 = HexEncode(f.pcr0);
  auto c = [&](const std::string& name, const std::string& check, const std::string& body) {
    json j = Base(f, check);
    j["name"] = name;
    j[check == "receipt" ? "receipt" : "answer"] = Wrap(body);
    j["root"] = root;
    j["pcr0"] = pcr0;
    return j;
  };
  for (uint64_t i : {0, 1, 5, 6, 9}) {
    out.Add(c("receipt_entry_" + std::to_string(i), "receipt", ReceiptJson(f, i, 10, cosigned, true)));
  }
  out.Add(c("state_latest", "state", StateAnswer(f, "svc/db/main", cosigned, true)));
  out.Add(c("state_absent", "state", StateAnswer(f, "svc/never-written", cosigned, true)));
  out.Add(c("receipt_without_evidence", "receipt", ReceiptJson(f, 5, 10, cosigned, false)));
  out.Add(c("state_without_evidence", "state", StateAnswer(f, "svc/db/main", cosigned, false)));
  {
    json j = c("tlog_proof_text_with_pins", "receipt", "");
    j["receipt"] = nlohmann::json::parse(ReceiptJson(f, 5, 10, cosigned, false))["tlog_proof"].get<std::string>();
    out.Add(j);
  }
  {
    json j = c("pcr0_without_root", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["root"] = nullptr;
    out.Add(j);
    j = c("root_without_pcr0", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["pcr0"] = nullptr;
    out.Add(j);
    j = c("bad_pcr0_length", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["pcr0"] = "abcd";
    out.Add(j);
    j = c("other_pcr0", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["pcr0"] = HexEncode(Bytes(48, 0x5b));
    out.Add(j);
    j = c("other_root", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["root"] = Base64Encode(f.other_pki.root_der);
    out.Add(j);
    j = c("root_not_a_certificate", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["root"] = Base64Encode(Bytes{1, 2, 3});
    out.Add(j);
    j = c("evidence_without_pins", "receipt", ReceiptJson(f, 5, 10, cosigned, true));
    j["root"] = nullptr;
    j["pcr0"] = nullptr;
    out.Add(j);
  }
  nlohmann::json r5 = nlohmann::json::parse(ReceiptJson(f, 5, 10, cosigned, true));
  nlohmann::json r8 = nlohmann::json::parse(ReceiptJson(f, 8, 10, cosigned, true));
  auto mutate = [&](const std::string& name, const nlohmann::json& base,
                    const std::function<void(nlohmann::json&)>& fn) {
    nlohmann::json j = base;
    fn(j["notary"]);
    out.Add(c(name, "receipt", j.dump()));
  };
  mutate("evidence_of_another_batch", r5, [&](nlohmann::json& n) { n = r8["notary"]; });
  mutate("batch_count_altered", r5, [](nlohmann::json& n) { n["batch"]["count"] = 6; });
  mutate("batch_checkpoint_of_other_size", r8, [&](nlohmann::json& n) {
    n["batch"]["checkpoint"] = r5["notary"]["batch"]["checkpoint"];
  });
  mutate("batch_consistency_altered", r5, [](nlohmann::json& n) {
    std::string h = n["batch"]["consistency_proof"][0].get<std::string>();
    h[1] = h[1] == 'A' ? 'B' : 'A';
    n["batch"]["consistency_proof"][0] = h;
  });
  mutate("batch_checkpoint_bad_signature", r5, [](nlohmann::json& n) {
    n["batch"]["checkpoint"] = FlipSignature(n["batch"]["checkpoint"].get<std::string>(), 0);
  });
  mutate("app_proof_payload_altered", r5, [](nlohmann::json& n) {
    n["app_proof"]["payload"] = Replace(n["app_proof"]["payload"].get<std::string>(), "\"count\":5", "\"count\":4");
  });
  mutate("app_proof_bad_signature", r5, [](nlohmann::json& n) {
    Bytes s = Base64Decode(n["app_proof"]["signature"].get<std::string>()).value();
    s[10] ^= 1;
    n["app_proof"]["signature"] = Base64Encode(s);
  });
  mutate("app_proof_key_of_other_boot", r5, [&](nlohmann::json& n) {
    n["app_proof"]["public_key"] = r8["notary"]["app_proof"]["public_key"];
  });
  mutate("app_proof_key_not_on_curve", r5, [](nlohmann::json& n) {
    Bytes k = Base64Decode(n["app_proof"]["public_key"].get<std::string>()).value();
    k[64] ^= 1;
    n["app_proof"]["public_key"] = Base64Encode(k);
  });
  mutate("answer_of_one_boot_as_another", r8, [&](nlohmann::json& n) { n["boot"] = r5["notary"]["boot"]; });
  mutate("boot_after_batch", r5, [&](nlohmann::json& n) { n["boot"] = r8["notary"]["boot"]; });
  mutate("boot_inclusion_altered", r5, [](nlohmann::json& n) {
    std::string h = n["boot"]["inclusion_proof"][0].get<std::string>();
    h[1] = h[1] == 'A' ? 'B' : 'A';
    n["boot"]["inclusion_proof"][0] = h;
  });
  mutate("boot_entry_not_a_boot", r5, [&](nlohmann::json& n) {
    n["boot"]["index"] = 0;
    n["boot"]["leaf"] = Base64Encode(f.leaves[1]);
    nlohmann::json proof = nlohmann::json::array();
    for (const Hash& h : f.Inclusion(1, 10)) proof.push_back(h.Base64());
    n["boot"]["index"] = 1;
    n["boot"]["inclusion_proof"] = proof;
  });
  mutate("attestation_of_other_boot", r5, [&](nlohmann::json& n) {
    n["boot"]["attestation"] = r8["notary"]["boot"]["attestation"];
  });
  mutate("attestation_altered", r5, [](nlohmann::json& n) {
    Bytes d = Base64Decode(n["boot"]["attestation"].get<std::string>()).value();
    d[d.size() - 5] ^= 1;
    n["boot"]["attestation"] = Base64Encode(d);
  });
  for (auto [name, defect] : {std::pair{"boot_document_attests_other_key", Fixture::Defect::kOtherKey},
                              std::pair{"boot_document_of_other_manifest", Fixture::Defect::kOtherManifest}}) {
    Fixture g(defect);
    const std::string note = g.Cosign(g.batch_checkpoints.at(10), {{0, kT0 + 100}, {1, kT0 + 101}});
    json j = c(name, "receipt", ReceiptJson(g, 8, 10, note, true));
    j["root"] = Base64Encode(g.pki.root_der);
    out.Add(j);
  }
  mutate("evidence_unknown_field", r5, [](nlohmann::json& n) { n["extra"] = true; });
  mutate("evidence_missing_boot", r5, [](nlohmann::json& n) { n.erase("boot"); });
  mutate("evidence_bad_base64", r5, [](nlohmann::json& n) { n["boot"]["leaf"] = "not base64"; });
  mutate("evidence_negative_count", r5, [](nlohmann::json& n) { n["batch"]["count"] = -1; });
  mutate("evidence_pcr0_not_hex", r5, [](nlohmann::json& n) { n["pcr0"] = "zz"; });
  mutate("evidence_not_an_object", r5, [](nlohmann::json& n) { n = "notary"; });
  mutate("evidence_null", r5, [](nlohmann::json& n) { n = nullptr; });
  mutate("evidence_too_many_hashes", r5, [](nlohmann::json& n) {
    n["boot"]["inclusion_proof"] = nlohmann::json::array();
    for (int i = 0; i < 65; ++i) n["boot"]["inclusion_proof"].push_back(std::string(43, 'A') + "=");
  });
  {
    nlohmann::json s = nlohmann::json::parse(StateAnswer(f, "svc/db/main", cosigned, true));
    s["notary"] = r8["notary"];
    out.Add(c("state_evidence_of_another_batch", "state", s.dump()));
    s = nlohmann::json::parse(StateAnswer(f, "svc/never-written", cosigned, true));
    s["notary"] = r5["notary"];
    out.Add(c("absent_state_evidence_not_of_last_entry", "state", s.dump()));
    s["notary"] = "x";
    json j = c("state_malformed_evidence_without_pins", "state", s.dump());
    j["root"] = nullptr;
    j["pcr0"] = nullptr;
    out.Add(j);
  }
  return out.cases;
}

json LeafCases(Fixture& f) {
  Cases out;
  auto c = [&](const std::string& name, const Bytes& leaf) {
    out.Add(json{{"check", "leaf"}, {"name", name}, {"type", "leaf"}, {"leaf", HexEncode(leaf)}});
  };
  for (size_t i = 0; i < f.leaves.size(); ++i) c("entry_" + std::to_string(i), f.leaves[i]);
  const Bytes& l = f.leaves[2];
  Bytes b = l;
  b[0] = 2;
  c("version_2", b);
  c("truncated", Bytes(l.begin(), l.end() - 1));
  b = l;
  b.push_back(0);
  c("trailing_byte", b);
  c("empty", Bytes{});
  c("header_only", Bytes(l.begin(), l.begin() + 49));
  b = Bytes(l.begin(), l.begin() + 49);
  b.insert(b.end(), {0, 0, 0, 0});
  c("empty_event", b);
  // Event defects inside a well-formed leaf.
  auto with_event = [&](const std::string& name, const Bytes& event) {
    Leaf leaf = DecodeLeaf(f.leaves[8]).value();
    leaf.event = event;
    c(name, EncodeLeaf(leaf).value());
  };
  Bytes ev = DecodeLeaf(f.leaves[8]).value().event;
  Bytes e2 = ev;
  e2[0] = 2;
  with_event("event_version_2", e2);
  e2 = ev;
  e2.insert(e2.end(), {0x15, 0, 1, 'x'});
  with_event("event_unknown_tag", e2);
  e2 = ev;
  e2.insert(e2.end(), {0x01, 0, 2, 0, 1});
  with_event("event_tag_out_of_order", e2);
  e2 = ev;
  e2.push_back(0x30);
  with_event("event_truncated_field", e2);
  {
    Event e = f.events[8];
    e.subject = "x";
    Bytes enc = EncodeEvent(e).value();
    size_t at = 0;  // the subject field: tag 0x0c, length 1, 'x'
    for (size_t i = 1; i + 3 < enc.size(); ++i) {
      if (enc[i] == 0x0c && enc[i + 1] == 0 && enc[i + 2] == 1 && enc[i + 3] == 'x') at = i;
    }
    Bytes bad = enc;
    bad[at + 3] = 0xff;
    with_event("event_subject_not_utf8", bad);
    Bytes missing(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(at));
    missing.insert(missing.end(), enc.begin() + static_cast<std::ptrdiff_t>(at + 4), enc.end());
    with_event("event_without_subject", missing);
    Bytes kind = enc;
    kind[4] = 99;  // kind value low byte
    with_event("event_unknown_kind", kind);
  }
  auto rec = [&](const std::string& name, uint64_t us, std::vector<std::pair<std::string, uint64_t>> cs,
                 size_t quorum) {
    json a = json::array();
    for (auto& [w, t] : cs) a.push_back(json::array({w, t}));
    out.Add(json{{"check", "leaf"}, {"name", name}, {"type", "recorded_at"}, {"recorded_at_us", us},
                 {"cosignatures", a}, {"quorum", quorum}});
  };
  std::vector<std::pair<std::string, uint64_t>> three = {{"w1", 1800000000}, {"w2", 1800000002}, {"w3", 1800000001}};
  rec("leaf_md_example_at_bound", 1800000301000000, three, 2);
  rec("leaf_md_example_after_bound", 1800000301000001, three, 2);
  rec("quorum_1_uses_latest", 1800000302000000, three, 1);
  rec("quorum_1_after_latest", 1800000302000001, three, 1);
  rec("quorum_0_counts_as_1", 1800000302000001, three, 0);
  rec("fewer_times_than_quorum", 9000000000000000, {{"w1", 1800000000}}, 2);
  rec("no_cosignatures", 9000000000000000, {}, 0);
  rec("zero_timestamps_not_counted", 1800000000000000, {{"w1", 0}, {"w2", 1}}, 1);
  return out.cases;
}

json StampCases(Fixture& f) {
  Cases out;
  const Bytes event = DecodeLeaf(f.leaves[2]).value().event;
  auto p256 = note::NewP256Signer("svc-p256", P256PrivateKey::FromScalar(Bytes(32, 7)).value());
  Bytes k1_secret(32, 0);
  k1_secret[31] = 9;
  auto k1 = note::NewSecp256k1Signer("svc-k1", k1_secret).value();
  const std::vector<std::string> all = {f.svc_db->VerifierKey(), f.svc_ops->VerifierKey(),
                                        p256->VerifierKey(), k1->VerifierKey()};
  auto c = [&](const std::string& name, const Bytes& stamp, const std::string& origin = kOrigin,
               const Bytes& ev = Bytes{}) {
    out.Add(json{{"check", "stamp"}, {"name", name}, {"origin", origin},
                 {"event", HexEncode(ev.empty() ? event : ev)}, {"stamp", HexEncode(stamp)},
                 {"submitters", all}});
  };
  const Bytes ed = MakeStamp(kOrigin, event, *f.svc_db).value();
  c("ed25519", ed);
  c("p256", MakeStamp(kOrigin, event, *p256).value());
  c("secp256k1", MakeStamp(kOrigin, event, *k1).value());
  c("log_key_stamp_unknown_submitter", DecodeLeaf(f.leaves[0]).value().stamp, kOrigin,
    DecodeLeaf(f.leaves[0]).value().event);
  c("missing_stamp", Bytes{});
  c("other_origin", ed, "other.example/log");
  Bytes ev2 = event;
  ev2.back() ^= 1;
  c("other_event", ed, kOrigin, ev2);
  Bytes s = ed;
  s.back() ^= 1;
  c("bad_signature", s);
  s = ed;
  s[0] = 2;
  c("version_2", s);
  c("truncated", Bytes(ed.begin(), ed.end() - 1));
  s = ed;
  s.push_back(0);
  c("trailing_byte", s);
  s = ed;
  s[1] = 0;
  c("empty_name", s);
  s = ed;
  s[2] = '+';
  c("name_with_plus", s);
  s = ed;
  s[8 + 6 - 2] = 0;  // payload length high byte of "svc-db" (6 chars): still 64
  s[8 + 6 - 1] = 0;
  c("payload_length_zero", s);
  {
    Stamp st = DecodeStamp(ed).value();
    st.key_id ^= 1;
    c("unknown_key_id", EncodeStamp(st).value());
    st = DecodeStamp(ed).value();
    st.key_name = "svc-unknown";
    c("unknown_name", EncodeStamp(st).value());
  }
  {
    // The P-256 stamp with s replaced by n - s: plain ECDSA accepts it, a stamp must not.
    Bytes der = DecodeStamp(MakeStamp(kOrigin, event, *p256).value()).value().payload;
    // Parse the minimal DER SEQUENCE { r INTEGER, s INTEGER }.
    size_t rlen = der[3];
    Bytes r(der.begin() + 4, der.begin() + 4 + static_cast<std::ptrdiff_t>(rlen));
    size_t slen = der[5 + rlen];
    Bytes sv(der.begin() + 6 + static_cast<std::ptrdiff_t>(rlen), der.begin() + 6 + static_cast<std::ptrdiff_t>(rlen + slen));
    while (sv.size() > 32) sv.erase(sv.begin());
    while (sv.size() < 32) sv.insert(sv.begin(), 0);
    const Bytes n = Hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    Bytes hs(32);
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
      int d = n[static_cast<size_t>(i)] - sv[static_cast<size_t>(i)] - borrow;
      borrow = d < 0;
      hs[static_cast<size_t>(i)] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
    }
    if (hs[0] & 0x80) hs.insert(hs.begin(), 0);
    Bytes hder = {0x30, 0};
    hder.insert(hder.end(), der.begin() + 2, der.begin() + 4 + static_cast<std::ptrdiff_t>(rlen));
    hder.push_back(0x02);
    hder.push_back(static_cast<uint8_t>(hs.size()));
    hder.insert(hder.end(), hs.begin(), hs.end());
    hder[1] = static_cast<uint8_t>(hder.size() - 2);
    Stamp st{p256->name(), p256->key_id(), hder};
    c("p256_high_s", EncodeStamp(st).value());
  }
  {
    // Batch stamps (stamp.md §7): a request of six events, this event third.
    std::vector<Bytes> request;
    for (uint8_t i = 0; i < 6; ++i) {
      Bytes e = event;
      if (i != 2) e.back() ^= static_cast<uint8_t>(0x10 + i);
      request.push_back(std::move(e));
    }
    const auto ed_batch = MakeBatchStamps(kOrigin, request, *f.svc_db).value();
    c("batch_ed25519", ed_batch[2]);
    c("batch_ed25519_first", ed_batch[0], kOrigin, request[0]);
    c("batch_ed25519_last", ed_batch[5], kOrigin, request[5]);
    c("batch_p256", MakeBatchStamps(kOrigin, request, *p256).value()[2]);
    c("batch_secp256k1", MakeBatchStamps(kOrigin, request, *k1).value()[2]);
    c("batch_other_event", ed_batch[3]);
    c("batch_other_origin", ed_batch[2], "other.example/log");
    Stamp st = DecodeStamp(ed_batch[2]).value();
    Stamp moved = st;
    moved.batch->index = 3;
    c("batch_other_index", EncodeStamp(moved).value());
    Stamp recounted = st;
    recounted.batch->count = 7;
    c("batch_other_count", EncodeStamp(recounted).value());
    Stamp flipped = st;
    flipped.batch->path[1].bytes[7] ^= 0x20;
    c("batch_path_hash_changed", EncodeStamp(flipped).value());
    // Malformed: the position fields sit after the payload.
    const size_t at = 1 + 1 + st.key_name.size() + 4 + 2 + st.payload.size();
    Bytes b = ed_batch[2];
    b[at + 3] = 6;  // index 6 of 6
    c("batch_index_at_count", b);
    b = ed_batch[2];
    b[at + 7] = 0;  // count 0
    b[at + 3] = 0;
    c("batch_count_zero", b);
    b = ed_batch[2];
    b[at + 8] = 2;  // a path of 2 hashes where 3 are due
    b.resize(b.size() - 32);
    c("batch_path_short", b);
    b = ed_batch[2];
    b.resize(b.size() - 1);
    c("batch_truncated_path", b);
    b = ed_batch[2];
    b.push_back(0);
    c("batch_trailing_byte", b);
    b = ed_batch[2];
    b.resize(at);  // a v2 stamp without its position
    c("batch_without_position", b);
  }
  return out.cases;
}

json AttestationCases(Fixture& f) {
  Cases out;
  const std::string root = Base64Encode(f.pki.root_der);
  const Bytes& doc = f.boots[0].attestation;
  auto c = [&](const std::string& name, const Bytes& document) {
    return json{{"check", "attestation"}, {"name", name}, {"document", Base64Encode(document)},
                {"root", root}, {"pcr0", HexEncode(f.pcr0)}};
  };
  out.Add(c("valid", doc));
  {
    json j = c("valid_with_user_data", doc);
    j["user_data"] = f.boots[0].manifest_digest.Hex();
    out.Add(j);
    j["name"] = "user_data_mismatch";
    j["user_data"] = f.boots[1].manifest_digest.Hex();
    out.Add(j);
    j = c("pcr_mismatch", doc);
    j["pcr0"] = HexEncode(Bytes(48, 0));
    out.Add(j);
    j = c("untrusted_root", doc);
    j["root"] = Base64Encode(f.other_pki.root_der);
    out.Add(j);
    j = c("bad_root", doc);
    j["root"] = Base64Encode(Bytes{0x30, 0x03, 0x02, 0x01, 0x01});
    out.Add(j);
    j = c("expired_at_time", doc);
    j["at_unix"] = kT0 + 3650ull * 86400;
    out.Add(j);
    j = c("not_yet_valid_at_time", doc);
    j["at_unix"] = kT0 - 86401;
    out.Add(j);
    j = c("valid_at_not_before", doc);
    j["at_unix"] = kT0 - 86400;
    out.Add(j);
  }
  Bytes d = doc;
  d.back() ^= 1;
  out.Add(c("bad_cose_signature", d));
  d = doc;
  d.push_back(0);
  out.Add(c("trailing_byte", d));
  out.Add(c("truncated", Bytes(doc.begin(), doc.end() - 1)));
  out.Add(c("empty", Bytes{}));
  {
    Bytes tagged = {0xd2};
    tagged.insert(tagged.end(), doc.begin(), doc.end());
    out.Add(c("tagged_18_valid", tagged));
    tagged[0] = 0xd1;
    out.Add(c("tag_17", tagged));
    Bytes not_shortest = {0x98, 0x04};  // array(4) with a 1-byte length
    not_shortest.insert(not_shortest.end(), doc.begin() + 1, doc.end());
    out.Add(c("non_shortest_head", not_shortest));
    Bytes three = doc;
    three[0] = 0x83;
    out.Add(c("array_of_3", three));
  }
  // Documents signed by the leaf key over payloads the checks must refuse.
  auto signed_payload = [&](const std::string& name, const cbor::Item& map) {
    Bytes payload = cbor::Encode(map).value();
    out.Add(c(name, cose::SignSign1(payload, f.pki.leaf_key).value()));
  };
  cbor::Item base = cbor::Decode(cose::ParseSign1(doc).value().payload).value();
  auto without = [&](const std::string& key) {
    cbor::Item m = base;
    m.entries.erase(std::remove_if(m.entries.begin(), m.entries.end(),
                                   [&](const auto& e) { return e.first.type == cbor::Type::kText && e.first.text == key; }),
                    m.entries.end());
    return m;
  };
  auto with = [&](const std::string& key, cbor::Item v) {
    cbor::Item m = without(key);
    m.entries.emplace_back(cbor::Item::TextString(key), std::move(v));
    return m;
  };
  signed_payload("resigned_valid", base);
  signed_payload("missing_cabundle", without("cabundle"));
  signed_payload("unknown_field", with("extra", cbor::Item::Uint(1)));
  signed_payload("digest_sha256", with("digest", cbor::Item::TextString("SHA256")));
  signed_payload("timestamp_zero", with("timestamp", cbor::Item::Uint(0)));
  signed_payload("pcr_wrong_size", with("pcrs", cbor::Item::Map({{cbor::Item::Uint(0), cbor::Item::ByteString(Bytes(20, 1))}})));
  signed_payload("expired_document", with("timestamp", cbor::Item::Uint((kT0 + 3651ull * 86400) * 1000)));
  signed_payload("not_yet_valid_document", with("timestamp", cbor::Item::Uint((kT0 - 2 * 86400) * 1000)));
  signed_payload("cabundle_of_other_pki",
                 with("cabundle", cbor::Item::Array({cbor::Item::ByteString(f.pki.root_der),
                                                     cbor::Item::ByteString(f.other_pki.intermediate_der)})));
  signed_payload("cabundle_without_intermediate",
                 with("cabundle", cbor::Item::Array({cbor::Item::ByteString(f.pki.root_der)})));
  signed_payload("certificate_not_der", with("certificate", cbor::Item::ByteString(Bytes{1, 2, 3})));
  {
    Bytes payload = cbor::Encode(base).value();
    payload.push_back(0);
    out.Add(c("payload_trailing_byte", cose::SignSign1(payload, f.pki.leaf_key).value()));
    // Protected header {1: -7} (ES256): refused before any signature check.
    Bytes es256 = {0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0};
    Bytes p = cose::ParseSign1(doc).value().payload;
    cbor::AppendHead(es256, 2, p.size());
    es256.insert(es256.end(), p.begin(), p.end());
    es256.push_back(0x58);
    es256.push_back(96);
    es256.insert(es256.end(), doc.end() - 96, doc.end());
    out.Add(c("alg_es256", es256));
  }
  return out.cases;
}

int Write(const std::string& dir) {
  Fixture f;
  const std::string cosigned = f.Cosign(f.batch_checkpoints.at(10), {{0, kT0 + 100}, {1, kT0 + 101}});
  const std::map<std::string, json> files = {
      {"checkpoint", CheckpointCases(f)}, {"merkle", MerkleCases(f)},
      {"receipt", ReceiptCases(f, cosigned)}, {"state", StateCases(f, cosigned)},
      {"evidence", EvidenceCases(f, cosigned)}, {"leaf", LeafCases(f)},
      {"stamp", StampCases(f)}, {"attestation", AttestationCases(f)}};
  for (const auto& [name, cases] : files) {
    json doc = {{"description", "Client verifier vectors: " + name +
                                    ". Generated by tests/vectors/clients/generate.cc; each "
                                    "case's expect is what the C++ verifiers answer."},
                {"cases", cases}};
    std::ofstream out(dir + "/" + name + ".json", std::ios::trunc);
    out << doc.dump(1) << "\n";
    if (!out) {
      std::cerr << "cannot write " << dir << "/" << name << ".json\n";
      return 1;
    }
    size_t ok = 0;
    for (const auto& c : cases) ok += c["expect"]["ok"].get<bool>() ? 1 : 0;
    std::cout << name << ": " << ok << " valid, " << cases.size() - ok << " must fail\n";
  }
  return 0;
}

int Check(const std::string& dir) {
  int failures = 0, total = 0;
  for (const char* name : {"checkpoint", "merkle", "receipt", "state", "evidence", "leaf", "stamp", "attestation"}) {
    std::ifstream in(dir + "/" + name + ".json");
    if (!in) {
      std::cerr << "missing " << name << ".json\n";
      ++failures;
      continue;
    }
    nlohmann::json doc = nlohmann::json::parse(in);
    for (const auto& c : doc["cases"]) {
      ++total;
      json got = Run(c);
      if (nlohmann::json::parse(got.dump()) != c["expect"]) {
        ++failures;
        std::cerr << name << "/" << c["name"].get<std::string>() << ": C++ answers " << got.dump()
                  << ", the vector says " << c["expect"].dump() << "\n";
      }
    }
  }
  std::cout << total << " cases, " << failures << " mismatches\n";
  return failures == 0 ? 0 : 1;
}

// Reads a JSON array of cases and prints the C++ outcome of each (a JSON
// array), for differential tests of other implementations.
int RunCases(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  nlohmann::json cases = nlohmann::json::parse(in);
  json out = json::array();
  for (const auto& c : cases) out.push_back(Run(c));
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "--out" && mode != "--check" && mode != "--run") {
    std::cerr << "usage: clients_vectors --out DIR | --check DIR | --run CASES.json\n";
    return 2;
  }
  try {
    if (mode == "--run") return RunCases(argv[2]);
    return mode == "--out" ? Write(argv[2]) : Check(argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "clients_vectors: " << e.what() << "\n";
    return 1;
  }
}
