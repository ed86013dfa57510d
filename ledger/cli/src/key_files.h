// Key, share and manifest files of the ceremony commands (formats in
// commands_quorum.cc's header comment), shared by the quorum and notary
// commands.
#pragma once

#include <string>
#include <string_view>

#include "args.h"
#include "ledger/ed25519.h"
#include "ledger/manifest.h"
#include "ledger/p256.h"
#include "ledger/status.h"

namespace ledger::cli {

std::string Trim(std::string s);
// Creates `path` with mode 0600 from the start and never replaces a file.
Status WriteSecretFile(const std::string& path, std::string_view data);
Result<Bytes> ReadHexFile(const std::string& path, const std::string& what);
Result<P256PublicKey> ReadP256PublicKey(const std::string& path);
Result<P256PrivateKey> ReadOperatorKey(const std::string& path);
Result<Ed25519PublicKey> ReadQuorumPublicKey(const std::string& path);
Result<Manifest> ReadManifest(const std::string& path);
// --submitter NAME=VKEY:KIND,KIND (the kinds follow the last ':', since key
// names, and so vkeys, may contain ':'); InvalidArgument("bad_submitter").
Result<ManifestSubmitter> ParseSubmitter(const std::string& v);
// positional()[i], or InvalidArgument("missing_argument").
Result<std::string> Positional(const Args& a, size_t i, const std::string& what);

}  // namespace ledger::cli
