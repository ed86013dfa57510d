// Frames of the host <-> notary protocol (schemas/proto/ledger/v1/notary.proto):
//
//   u32 BE length || u8 version (= 1) || protobuf bytes
//
// where length counts the bytes after the length field (version + protobuf).
// One HostRequest per frame from the host, one NotaryResponse back.
//
// The parser is strict because the notary parses what an untrusted host
// sends: an unknown version, a length over kMaxFrameBody, a truncated frame,
// bytes after the frame, protobuf that does not parse, unknown fields, and
// protobuf that is not in its one canonical encoding (re-serializing must
// give the identical bytes) are refused, each with a stable reason:
//   InvalidArgument("unknown_frame_version")
//   InvalidArgument("frame_too_large")
//   InvalidArgument("truncated_frame")
//   InvalidArgument("trailing_bytes")
//   InvalidArgument("malformed_protobuf")
//   InvalidArgument("unknown_field")
//   InvalidArgument("non_canonical_protobuf")
//   InvalidArgument("empty_message")      a request or response with no body
//   InvalidArgument("too_many_elements")  a request's repeated field over its limit
//
// Memory: protobuf allocates an object per element of a repeated message
// field, so a 64 MiB frame of 33 million empty events would take gigabytes.
// Before protobuf sees a request, a walk of its wire format (no allocation)
// counts the elements of every repeated field and refuses any count over the
// limits below; what protobuf then allocates is about the frame's size.
//
// This header is public (not under src/) because the host-side client
// (ledger::notary_client) speaks the same frames with the same parser.
//
// Thread-safety: free functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/v1/notary.pb.h"

namespace notary::frame {

inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kLengthSize = 4;
// Largest body (version byte + protobuf). 64 MiB bounds what one request can
// make the notary allocate (a Nitro enclave has a fixed, small memory) while
// still carrying a full batch: the sequencer takes at most 10,000 events per
// batch, and 10,000 events of 256 bytes with stamps is about 4 MiB; batches
// of very large events (up to 60,000 bytes each) must be split by the host.
inline constexpr size_t kMaxFrameBody = size_t{64} << 20;

// The most elements of each repeated field of a HostRequest (notary.proto).
// Append.events: the sequencer's default (and largest) max_batch.
inline constexpr size_t kMaxAppendEvents = 10000;
// Provision.approvals and .sealed_shares, ChangePolicy.approvals: one per
// manifest operator, and a manifest has at most 255.
inline constexpr size_t kMaxApprovals = 255;
// Restore.frontier and .last_leaf_proof: a compact range of [0, size) and an
// inclusion proof in a tree of size < 2^64 have at most 64 hashes.
inline constexpr size_t kMaxProofHashes = 64;

using ledger::v1::notary::HostRequest;
using ledger::v1::notary::NotaryResponse;

// A whole frame (length, version, protobuf). InvalidArgument("frame_too_large")
// when the serialized message does not fit; Internal if serialization fails.
ledger::Result<ledger::Bytes> EncodeRequest(const HostRequest& request);
ledger::Result<ledger::Bytes> EncodeResponse(const NotaryResponse& response);

// The body length announced by a 4-byte length prefix, checked against
// kMaxFrameBody and against the 1-byte minimum (the version).
ledger::Result<size_t> ParseLength(ledger::ByteView prefix);

// Decode a body (version byte + protobuf), after the length prefix.
ledger::Result<HostRequest> DecodeRequestBody(ledger::ByteView body);
ledger::Result<NotaryResponse> DecodeResponseBody(ledger::ByteView body);

// Decode exactly one whole frame: the length prefix must announce exactly the
// remaining bytes (fewer is truncated_frame, more is trailing_bytes).
ledger::Result<HostRequest> DecodeRequest(ledger::ByteView frame);
ledger::Result<NotaryResponse> DecodeResponse(ledger::ByteView frame);

// Blocking frame I/O on a connected stream socket, retrying on EINTR and
// short reads/writes. ReadBody returns the body (version + protobuf);
// Unavailable("connection_closed") when the peer closed before a frame
// started, Unavailable("io_error") on any other failure or a mid-frame close.
ledger::Result<ledger::Bytes> ReadBody(int fd);
ledger::Status WriteAll(int fd, ledger::ByteView data);

}  // namespace notary::frame
