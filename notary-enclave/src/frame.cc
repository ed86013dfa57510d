// Frame encoding and the strict frame parser (see notary/frame.h).
#include "notary/frame.h"

#include <cerrno>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <sys/socket.h>
#include <unistd.h>

namespace notary::frame {
namespace {

namespace pb = ledger::v1::notary;
using ledger::Bytes;
using ledger::ByteView;
using ledger::Result;
using ledger::Status;

Status Invalid(std::string reason, std::string message) {
  return Status::InvalidArgument(std::move(reason), std::move(message));
}

// protobuf-lite keeps unknown fields and writes them back on serialization,
// so a frame carrying them at the end would survive the re-serialization
// check. Lite messages have no public accessor for them; MessageLite keeps
// them in its protected _internal_metadata_, which a pointer to member taken
// in a derived class can read (protobuf 3.x layout, checked by frame_test).
struct MetadataPeek : google::protobuf::MessageLite {
  static bool HasUnknown(const google::protobuf::MessageLite& m) {
    return (m.*(&MetadataPeek::_internal_metadata_)).have_unknown_fields();
  }
};

bool Unknown(const google::protobuf::MessageLite& m) { return MetadataPeek::HasUnknown(m); }
bool Unknown(const pb::Sequenced& m) {
  return MetadataPeek::HasUnknown(m) || (m.has_app_proof() && Unknown(m.app_proof()));
}
bool Unknown(const pb::Append& m) {
  if (MetadataPeek::HasUnknown(m)) return true;
  for (const auto& e : m.events()) {
    if (Unknown(e)) return true;
  }
  return false;
}

// Every nested message is checked: unknown fields may hide at any level.
bool Unknown(const HostRequest& m) {
  if (MetadataPeek::HasUnknown(m)) return true;
  switch (m.body_case()) {
    case HostRequest::kGetStatus: return Unknown(m.get_status());
    case HostRequest::kGetBootProof: return Unknown(m.get_boot_proof());
    case HostRequest::kProvision: return Unknown(m.provision());
    case HostRequest::kRestore: return Unknown(m.restore());
    case HostRequest::kAppend: return Unknown(m.append());
    case HostRequest::kChangePolicy: return Unknown(m.change_policy());
    case HostRequest::kConfirmHead: return Unknown(m.confirm_head());
    case HostRequest::kSignRegistryStatement: return Unknown(m.sign_registry_statement());
    case HostRequest::kCheckClock: return Unknown(m.check_clock());
    case HostRequest::BODY_NOT_SET: return false;
  }
  return true;
}

bool Unknown(const NotaryResponse& m) {
  if (MetadataPeek::HasUnknown(m)) return true;
  switch (m.body_case()) {
    case NotaryResponse::kStatus: return Unknown(m.status());
    case NotaryResponse::kBootProof: return Unknown(m.boot_proof());
    case NotaryResponse::kProvisioned: return Unknown(m.provisioned());
    case NotaryResponse::kRestored:
      return Unknown(static_cast<const google::protobuf::MessageLite&>(m.restored())) ||
             (m.restored().has_boot_entry() && Unknown(m.restored().boot_entry()));
    case NotaryResponse::kSequenced: return Unknown(m.sequenced());
    case NotaryResponse::kError: return Unknown(m.error());
    case NotaryResponse::kHeadConfirmed: return Unknown(m.head_confirmed());
    case NotaryResponse::kRegistryStatementSignature:
      return Unknown(m.registry_statement_signature());
    case NotaryResponse::kClockChecked: return Unknown(m.clock_checked());
    case NotaryResponse::BODY_NOT_SET: return false;
  }
  return true;
}

// ---- Counting repeated fields on the wire, before protobuf allocates ----
//
// protobuf-lite gives every element of a repeated message field its own heap
// object (about 70 bytes for an empty SubmittedEvent, from 2 bytes on the
// wire), so the counts are checked on the raw bytes first. The walk follows
// the protobuf wire format (protobuf.dev/programming-guides/encoding) and
// allocates nothing.

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kFixed32 = 5,
};

struct WireField {
  uint32_t number = 0;
  uint32_t type = 0;
  ByteView value;  // a length-delimited field's payload
};

// At most 10 bytes; false when it runs past the end. Non-minimal forms are
// accepted here: the re-serialization check refuses them afterwards.
bool ReadVarint(ByteView& in, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 70 && !in.empty(); shift += 7) {
    const uint8_t b = in[0];
    in = in.subspan(1);
    out |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

Status Malformed() { return Invalid("malformed_protobuf", "the frame's protobuf does not parse"); }

// Reads the field at the front of `in` and moves past it.
Status NextField(ByteView& in, WireField& field) {
  uint64_t tag = 0;
  if (!ReadVarint(in, tag) || tag > UINT32_MAX || (tag >> 3) == 0) return Malformed();
  field.number = static_cast<uint32_t>(tag >> 3);
  field.type = static_cast<uint32_t>(tag & 7);
  uint64_t length = 0;
  switch (field.type) {
    case kVarint: return ReadVarint(in, length) ? Status::Ok() : Malformed();
    case kFixed64: length = 8; break;
    case kFixed32: length = 4; break;
    case kLengthDelimited:
      if (!ReadVarint(in, length)) return Malformed();
      break;
    // No field of the protocol is a group: one is an unknown field.
    case kStartGroup: return Invalid("unknown_field", "the message has a group field");
    default: return Malformed();
  }
  if (length > in.size()) return Malformed();
  field.value = in.first(static_cast<size_t>(length));
  in = in.subspan(static_cast<size_t>(length));
  return Status::Ok();
}

struct RepeatedLimit {
  uint32_t body;   // the HostRequest field (oneof case) holding the message
  uint32_t field;  // the repeated field inside it
  size_t max;
  const char* name;
};

// Every repeated field of a HostRequest (notary.proto); their elements are
// all length-delimited (messages or bytes).
constexpr RepeatedLimit kRepeatedLimits[] = {
    {HostRequest::kProvisionFieldNumber, pb::Provision::kApprovalsFieldNumber, kMaxApprovals,
     "Provision.approvals"},
    {HostRequest::kProvisionFieldNumber, pb::Provision::kSealedSharesFieldNumber, kMaxApprovals,
     "Provision.sealed_shares"},
    {HostRequest::kRestoreFieldNumber, pb::Restore::kFrontierFieldNumber, kMaxProofHashes,
     "Restore.frontier"},
    {HostRequest::kRestoreFieldNumber, pb::Restore::kLastLeafProofFieldNumber, kMaxProofHashes,
     "Restore.last_leaf_proof"},
    {HostRequest::kAppendFieldNumber, pb::Append::kEventsFieldNumber, kMaxAppendEvents,
     "Append.events"},
    {HostRequest::kChangePolicyFieldNumber, pb::ChangePolicy::kApprovalsFieldNumber,
     kMaxApprovals, "ChangePolicy.approvals"},
};

bool HoldsRepeated(uint32_t body) {
  for (const RepeatedLimit& l : kRepeatedLimits) {
    if (l.body == body) return true;
  }
  return false;
}

// Counts over every occurrence: protobuf merges a body field that appears
// twice, concatenating its repeated fields.
Status CheckRepeatedCounts(ByteView payload) {
  size_t counts[std::size(kRepeatedLimits)] = {};
  while (!payload.empty()) {
    WireField body;
    RETURN_IF_ERROR(NextField(payload, body));
    if (body.type != kLengthDelimited || !HoldsRepeated(body.number)) continue;
    ByteView in = body.value;
    while (!in.empty()) {
      WireField f;
      RETURN_IF_ERROR(NextField(in, f));
      if (f.type != kLengthDelimited) continue;
      for (size_t i = 0; i < std::size(kRepeatedLimits); ++i) {
        const RepeatedLimit& l = kRepeatedLimits[i];
        if (l.body == body.number && l.field == f.number && ++counts[i] > l.max) {
          return Invalid("too_many_elements", std::string(l.name) + " has more than " +
                                                  std::to_string(l.max) + " elements");
        }
      }
    }
  }
  return Status::Ok();
}

bool Empty(const HostRequest& m) { return m.body_case() == HostRequest::BODY_NOT_SET; }
bool Empty(const NotaryResponse& m) { return m.body_case() == NotaryResponse::BODY_NOT_SET; }

template <typename M>
Result<Bytes> Encode(const M& message) {
  const size_t size = message.ByteSizeLong();
  if (size + 1 > kMaxFrameBody) {
    return Invalid("frame_too_large", "message of " + std::to_string(size) + " bytes");
  }
  Bytes out;
  out.reserve(kLengthSize + 1 + size);
  ledger::AppendU32BE(out, static_cast<uint32_t>(size + 1));
  ledger::AppendU8(out, kVersion);
  out.resize(kLengthSize + 1 + size);
  if (!message.SerializeToArray(out.data() + kLengthSize + 1, static_cast<int>(size))) {
    return Status::Internal("serialize_failed", "protobuf serialization failed");
  }
  return out;
}

template <typename M>
Result<M> DecodeBody(ByteView body) {
  if (body.empty()) return Invalid("truncated_frame", "frame has no version byte");
  if (body.size() > kMaxFrameBody) {
    return Invalid("frame_too_large", std::to_string(body.size()) + " bytes");
  }
  if (body[0] != kVersion) {
    return Invalid("unknown_frame_version", "version " + std::to_string(body[0]));
  }
  ByteView payload = body.subspan(1);
  if constexpr (std::is_same_v<M, HostRequest>) RETURN_IF_ERROR(CheckRepeatedCounts(payload));
  M message;
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Invalid("malformed_protobuf", "the frame's protobuf does not parse");
  }
  if (Unknown(message)) return Invalid("unknown_field", "the message has unknown fields");
  // One encoding per message: what parsed must serialize back to the same
  // bytes (field order, packing, no explicit zero values, no duplicates).
  std::string again;
  if (!message.SerializeToString(&again) || std::string_view(again) != ledger::AsString(payload)) {
    return Invalid("non_canonical_protobuf", "the protobuf is not in canonical form");
  }
  if (Empty(message)) return Invalid("empty_message", "the message has no body");
  return message;
}

template <typename M>
Result<M> DecodeFrame(ByteView frame) {
  if (frame.size() < kLengthSize) return Invalid("truncated_frame", "no length prefix");
  ASSIGN_OR_RETURN(size_t length, ParseLength(frame.first(kLengthSize)));
  ByteView rest = frame.subspan(kLengthSize);
  if (rest.size() < length) {
    return Invalid("truncated_frame", "announced " + std::to_string(length) + " bytes, got " +
                                          std::to_string(rest.size()));
  }
  if (rest.size() > length) {
    return Invalid("trailing_bytes", std::to_string(rest.size() - length) + " bytes after frame");
  }
  return DecodeBody<M>(rest);
}

}  // namespace

Result<Bytes> EncodeRequest(const HostRequest& request) { return Encode(request); }
Result<Bytes> EncodeResponse(const NotaryResponse& response) { return Encode(response); }

Result<size_t> ParseLength(ByteView prefix) {
  if (prefix.size() != kLengthSize) return Invalid("truncated_frame", "no length prefix");
  const size_t length = ledger::LoadU32BE(prefix.data());
  if (length == 0) return Invalid("truncated_frame", "frame has no version byte");
  if (length > kMaxFrameBody) {
    return Invalid("frame_too_large", "announced " + std::to_string(length) + " bytes");
  }
  return length;
}

Result<HostRequest> DecodeRequestBody(ByteView body) { return DecodeBody<HostRequest>(body); }
Result<NotaryResponse> DecodeResponseBody(ByteView body) {
  return DecodeBody<NotaryResponse>(body);
}
Result<HostRequest> DecodeRequest(ByteView frame) { return DecodeFrame<HostRequest>(frame); }
Result<NotaryResponse> DecodeResponse(ByteView frame) {
  return DecodeFrame<NotaryResponse>(frame);
}

namespace {

// Reads exactly out.size() bytes. Returns the number read before EOF (less
// than out.size() only when the peer closed), or -1 on error.
ssize_t ReadFull(int fd, uint8_t* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

Result<Bytes> ReadBody(int fd) {
  uint8_t prefix[kLengthSize];
  ssize_t r = ReadFull(fd, prefix, kLengthSize);
  if (r == 0) return Status::Unavailable("connection_closed", "peer closed the connection");
  if (r != static_cast<ssize_t>(kLengthSize)) {
    return Status::Unavailable("io_error", "reading the frame length failed");
  }
  ASSIGN_OR_RETURN(size_t length, ParseLength(ByteView(prefix, kLengthSize)));
  Bytes body(length);
  if (ReadFull(fd, body.data(), length) != static_cast<ssize_t>(length)) {
    return Status::Unavailable("io_error", "the connection ended inside a frame");
  }
  return body;
}

Status WriteAll(int fd, ByteView data) {
  size_t done = 0;
  while (done < data.size()) {
    // MSG_NOSIGNAL: a host that went away is an error to report, not a
    // SIGPIPE that kills the notary.
    ssize_t w = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::Unavailable("io_error", "writing the frame failed");
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace notary::frame
