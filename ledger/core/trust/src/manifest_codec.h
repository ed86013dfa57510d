// What the manifest (manifest.md) and the submitter policy (policy.md) share:
// the submitter list encoding, its string helpers, and the check of operator
// approvals. Internal to ledger::core.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger/trust/manifest.h"

namespace ledger::internal {

// A signed-note key name of at most kMaxManifestNameSize bytes.
bool IsName(std::string_view s);
// A key string: 1..kMaxManifestKeySize printable ASCII bytes, no spaces.
bool IsKeyString(std::string_view s);

void AppendStr8(Bytes& out, std::string_view s);
void AppendStr16(Bytes& out, std::string_view s);
Result<std::string> ReadStr8(ByteReader& r);
Result<std::string> ReadStr16(ByteReader& r);

// Sorts submitters by name and each one's kinds and subject prefixes.
void SortSubmitters(std::vector<ManifestSubmitter>& submitters);
// The first defect of a sorted submitter list (0..255 submitters, distinct
// names, valid key strings, 1..255 distinct known kinds none of which is a
// notary kind, 1..255 distinct subject prefixes of at most 255 bytes of
// UTF-8 without NUL none of which starts with "notary"), or nullopt.
std::optional<std::string> SubmittersDefect(const std::vector<ManifestSubmitter>& sorted);

// u8 count || per submitter: str8 name || str16 key || u8 n || n × u16 BE kind
// || u8 m || m × str8 subject prefix.
// REQUIRES: SubmittersDefect(submitters) is nullopt.
void AppendSubmitters(Bytes& out, const std::vector<ManifestSubmitter>& submitters);
// Reads what AppendSubmitters writes; the caller validates the result.
Result<std::vector<ManifestSubmitter>> ReadSubmitters(ByteReader& r);

// OK when at least m.threshold distinct operators of m signed `message`, each
// approval carrying `digest`; errors as VerifyApprovals (manifest.h), with
// `other_digest_reason` for an approval of another digest.
Status VerifyOperatorApprovals(const Manifest& m, const Hash& digest, ByteView message,
                               std::span<const Approval> approvals,
                               const std::string& other_digest_reason);

}  // namespace ledger::internal
