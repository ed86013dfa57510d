// The Nitro Security Module's messages: CBOR requests written to and
// responses read from /dev/nsm (one ioctl per round trip).
//
// The encoding is serde's externally tagged enum form as written by
// aws-nitro-enclaves-nsm-api (src/api/mod.rs, ciborium): a struct variant is a
// one-entry map {"<Variant>": {<fields in declaration order>}}, a unit variant
// the bare text "<Variant>", Option::None is null and ByteBuf a byte string.
// Requests are byte-exact with what the Rust library sends; responses are
// parsed strictly with ledger::cbor (unknown variants, unknown or missing
// fields and trailing bytes are refused: the NSM is trusted hardware, but a
// surprise from it must stop the boot, not be guessed around).
//
// Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace notary::nsm {

// {"Attestation": {"user_data": b|null, "nonce": b|null, "public_key": b|null}}
// An empty view is sent as null (absent), like the Rust API's None.
ledger::Bytes EncodeAttestationRequest(ledger::ByteView user_data, ledger::ByteView nonce,
                                       ledger::ByteView public_key);
// "GetRandom"
ledger::Bytes EncodeGetRandomRequest();
// {"DescribePCR": {"index": uint}}
ledger::Bytes EncodeDescribePcrRequest(uint16_t index);

// Errors of the parsers below:
//  - Unavailable("nsm_error") when the NSM answered {"Error": "<ErrorCode>"};
//    the message names the code (InvalidArgument, InvalidIndex, ...);
//  - InvalidArgument("malformed_cbor") for bytes that are not one CBOR item;
//  - InvalidArgument("bad_nsm_response") for any other shape, including the
//    response to a different request.

// {"Attestation": {"document": bytes}} -> the COSE_Sign1 document.
ledger::Result<ledger::Bytes> ParseAttestationResponse(ledger::ByteView response);
// {"GetRandom": {"random": bytes}} -> the random bytes (non-empty).
ledger::Result<ledger::Bytes> ParseGetRandomResponse(ledger::ByteView response);

struct PcrDescription {
  bool locked = false;
  ledger::Bytes data;
};
// {"DescribePCR": {"lock": bool, "data": bytes}}
ledger::Result<PcrDescription> ParseDescribePcrResponse(ledger::ByteView response);

}  // namespace notary::nsm
