"""Typed errors carrying the stable reasons of the C++ verifiers.

Every failure raised by this package is a LedgerError with a ``reason`` (the
same string the C++ code and ``ledgerctl`` report, e.g. ``root_mismatch``)
and a ``code`` (``invalid_argument``, ``verification_failed``,
``failed_precondition``). Input that does not parse is a MalformedError;
input that parses but does not verify is a VerificationError.
"""


class LedgerError(Exception):
    code = "internal"

    def __init__(self, reason, message="", code=None):
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message
        if code is not None:
            self.code = code


class MalformedError(LedgerError):
    """The input does not parse, or an argument is out of range (invalid_argument)."""

    code = "invalid_argument"


class VerificationError(LedgerError):
    """A signature, proof or pin does not check (verification_failed)."""

    code = "verification_failed"


class PreconditionError(VerificationError):
    """The answer cannot be checked as asked (failed_precondition), e.g. map_root_missing."""

    code = "failed_precondition"


class TransportError(LedgerError):
    """The server could not be reached or answered with an HTTP error."""

    code = "unavailable"


def error_for_code(code, reason, message=""):
    """The exception class the C++ status code maps to."""
    if code == "invalid_argument":
        return MalformedError(reason, message)
    if code == "failed_precondition":
        return PreconditionError(reason, message)
    return VerificationError(reason, message, code=code)
