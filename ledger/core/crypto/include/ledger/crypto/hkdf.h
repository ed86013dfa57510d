// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF.
//
// One function, shared by the sealed box (sealed_box.h) and the quorum key
// derivations (quorum.h), so that both derive keys the same, documented way.
//
// Thread-safety: a free function.
#pragma once

#include <cstddef>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace ledger {

// OKM = HKDF-Expand(HKDF-Extract(salt, ikm), info, length) (RFC 5869 §2).
// REQUIRES: 0 < length <= 255 * 32 (RFC 5869 §2.3).
// Internal("hkdf_failed") if OpenSSL fails. The caller owns (and cleanses) the
// output when it is secret.
Result<Bytes> HkdfSha256(ByteView ikm, ByteView salt, ByteView info, size_t length);

}  // namespace ledger
