// Offline verification of an audit ledger's answers with pinned keys only,
// WebCrypto only (globalThis.crypto.subtle), no dependencies.
//
//   import { LedgerVerifier, WitnessPolicy } from "auditledger-verify";
//   const v = await LedgerVerifier.create(logVkey, {
//     witnesses: await WitnessPolicy.create(witnessVkeys, 2), attestationRoot: rootPem, pcr0: pcr0Hex });
//   const state = await v.verifyState(answerJson, { subject: "svc/db/main", expectState: myDigest });
//
// Every failure is a LedgerError (MalformedError or VerificationError) whose
// `reason` is the stable reason string of the C++ verifiers.
export { LedgerVerifier, MAX_RECEIPT_SIZE, MAX_STATE_ANSWER_SIZE, parseReceipt, parseStateAnswer, verifyStateProofWithKeys } from "./answers.js";
export { parseAttestation, parseSign1, rootDerOf, verifyAttestation } from "./attestation.js";
export { parseCheckpointText, resolvePolicy, verifyCheckpoint, verifyCheckpointWithKeys, WitnessPolicy } from "./checkpoint.js";
export { ExplorerClient, LedgerClient } from "./client.js";
export { LedgerError, MalformedError, PreconditionError, TransportError, VerificationError } from "./errors.js";
export { decodeEvent, Event, KIND_NAMES } from "./event.js";
export { verifyExplorerEntry, verifyExplorerState } from "./explorer.js";
export { CodePins, checkCode, makeCodePins, parseNotaryEvidence, verifyAppProof, verifyNotaryEvidence } from "./evidence.js";
export { checkRecordedAt, decodeLeaf, quorumTime } from "./leaf.js";
export { leafHash, nodeHash, rootFromInclusionProof, verifyConsistency, verifyInclusion } from "./merkle.js";
export { parseNote, parseVerifierKey, VerifierKey } from "./note.js";
export { decodeStamp, verifyStamp } from "./stamp.js";
export { decodeMapProof, findMapRoot, keyOf, verifyMapProof } from "./statemap.js";
export { rootFromTiles, tilePath, verifyTiles } from "./tiles.js";
export { parseTlogProof } from "./tlog_proof.js";
export { b64decode, b64encode, hex, parseHex, parseJsonStrict } from "./util.js";

export const VERSION = "0.1.0";
