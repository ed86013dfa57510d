// Typed errors carrying the stable reasons of the C++ verifiers.
//
// Every failure raised by this package is a LedgerError with a `reason` (the
// same string the C++ code and `ledgerctl` report, e.g. "root_mismatch") and a
// `code` ("invalid_argument", "verification_failed", "failed_precondition").
// Input that does not parse is a MalformedError; input that parses but does
// not verify is a VerificationError.

export class LedgerError extends Error {
  constructor(reason, message = "", code = undefined) {
    super(message ? `${reason}: ${message}` : reason);
    this.name = "LedgerError";
    this.reason = reason;
    this.detail = message;
    this.code = code ?? "internal";
  }
}

/** The input does not parse, or an argument is out of range (invalid_argument). */
export class MalformedError extends LedgerError {
  constructor(reason, message = "") {
    super(reason, message, "invalid_argument");
    this.name = "MalformedError";
  }
}

/** A signature, proof or pin does not check (verification_failed). */
export class VerificationError extends LedgerError {
  constructor(reason, message = "", code = "verification_failed") {
    super(reason, message, code);
    this.name = "VerificationError";
  }
}

/** The answer cannot be checked as asked (failed_precondition), e.g. map_root_missing. */
export class PreconditionError extends VerificationError {
  constructor(reason, message = "") {
    super(reason, message, "failed_precondition");
    this.name = "PreconditionError";
  }
}

/** The server could not be reached or answered with an HTTP error. */
export class TransportError extends LedgerError {
  constructor(reason, message = "") {
    super(reason, message, "unavailable");
    this.name = "TransportError";
  }
}
