// Key, share and manifest files of the ceremony commands (formats in
// commands_quorum.cc's header comment), shared by the quorum and notary
// commands.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "args.h"
#include "ledger/base/status.h"
#include "ledger/crypto/ed25519.h"
#include "ledger/crypto/p256.h"
#include "ledger/trust/manifest.h"

namespace ledger::cli {

std::string Trim(std::string s);
Result<Bytes> ReadHexFile(const std::string& path, const std::string& what);
Result<P256PublicKey> ReadP256PublicKey(const std::string& path);
Result<P256PrivateKey> ReadOperatorKey(const std::string& path);
Result<Ed25519PublicKey> ReadQuorumPublicKey(const std::string& path);
Result<Manifest> ReadManifest(const std::string& path);
// --submitter NAME=VKEY:KIND,KIND (the kinds follow the last ':', since key
// names, and so vkeys, may contain ':'); InvalidArgument("bad_submitter").
Result<ManifestSubmitter> ParseSubmitter(const std::string& v);
// Every --submitter, with the subject prefixes of every --subjects
// NAME=PREFIX,PREFIX given for it (repeatable; "NAME=" grants the empty
// prefix, every subject but the notary's); InvalidArgument("bad_submitter")
// for a --subjects that names no --submitter.
Result<std::vector<ManifestSubmitter>> ParseSubmitters(const Args& a);
// "submitter NAME KEY KIND... subjects PREFIX..." as `manifest show` and
// `policy show` print it; the JSON form adds "kinds" and "subjects" arrays.
std::string SubmitterLine(const ManifestSubmitter& s);
nlohmann::json SubmitterJson(const ManifestSubmitter& s);
// positional()[i], or InvalidArgument("missing_argument").
Result<std::string> Positional(const Args& a, size_t i, const std::string& what);

}  // namespace ledger::cli
