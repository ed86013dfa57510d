"""A small HTTP client for ledgerd and the explorer that verifies every answer
before returning it (stdlib urllib only)."""
import json
import urllib.error
import urllib.parse
import urllib.request

from ._util import b64decode, parse_json_strict
from .answers import MAX_RECEIPT_SIZE, MAX_STATE_ANSWER_SIZE
from .errors import TransportError, VerificationError

MAX_ANSWER_SIZE = MAX_RECEIPT_SIZE


class _Http:
    def __init__(self, base_url, timeout=10.0, headers=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})

    def get(self, path, limit):
        req = urllib.request.Request(self.base_url + path, headers=self.headers, method="GET")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read(limit + 1)
        except urllib.error.HTTPError as e:
            reason = "http_error"
            try:
                err = json.loads(e.read(65536).decode("utf-8", "replace"))
                reason = err.get("error", {}).get("reason", reason) if isinstance(err.get("error"), dict) \
                    else err.get("reason", reason)
            except (ValueError, AttributeError):
                pass
            raise TransportError(str(reason), f"GET {path}: HTTP {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            raise TransportError("unavailable", f"GET {path}: {e}") from None
        if len(body) > limit:
            raise TransportError("answer_too_large", f"GET {path}: more than {limit} bytes")
        return body


def _subject_path(subject):
    return urllib.parse.quote(subject, safe="/")


class LedgerClient:
    """ledgerd (and the explorer's state route): every answer is verified with
    the pins of `verifier` (a LedgerVerifier) before it is returned; a failed
    check raises the verifier's error."""

    def __init__(self, base_url, verifier, timeout=10.0, headers=None):
        self._http = _Http(base_url, timeout, headers)
        self.verifier = verifier
        self.max_seen_size = 0

    def state(self, subject, expect_state=None, at=None, min_size=None, stamper=None, kind=None):
        """GET /v1/state/{subject}: the verified latest state of `subject`.
        min_size defaults to the largest tree size this client has verified."""
        path = "/v1/state/" + _subject_path(subject)
        if at is not None:
            path += f"?at={int(at)}"
        body = self._http.get(path, MAX_STATE_ANSWER_SIZE)
        if min_size is None:
            min_size = 0 if at is not None else self.max_seen_size
        v = self.verifier.verify_state(body, subject=subject, expect_state=expect_state,
                                       min_size=min_size, stamper=stamper, kind=kind)
        if at is None:
            self.max_seen_size = max(self.max_seen_size, v.checkpoint.size)
        return v

    def receipt(self, index):
        """GET /v1/entries/{index}/receipt: the verified receipt of entry `index`."""
        body = self._http.get(f"/v1/entries/{int(index)}/receipt", MAX_RECEIPT_SIZE)
        v = self.verifier.verify_receipt(body)
        if v.index != int(index):
            raise VerificationError("index_mismatch", f"asked for entry {index}, got {v.index}")
        self.max_seen_size = max(self.max_seen_size, v.checkpoint.size)
        return v


class ExplorerClient(LedgerClient):
    """The explorer: GET /v1/entries/{index} (with its receipt) and the state
    route, each verified."""

    def entry(self, index):
        body = self._http.get(f"/v1/entries/{int(index)}", MAX_ANSWER_SIZE)
        j = parse_json_strict(body, MAX_ANSWER_SIZE, max_depth=32)
        if not isinstance(j, dict) or not isinstance(j.get("receipt"), dict):
            raise VerificationError("receipt_missing", "the explorer's entry carries no receipt")
        v = self.verifier.verify_receipt(j["receipt"])
        if v.index != int(index):
            raise VerificationError("index_mismatch", f"asked for entry {index}, got {v.index}")
        shown = j.get("event_bytes")
        if v.leaf is not None and shown is not None and b64decode(shown) != v.leaf.event:
            raise VerificationError("entry_mismatch", "the explorer shows other event bytes than the receipt's leaf")
        self.max_seen_size = max(self.max_seen_size, v.checkpoint.size)
        return v

    def receipt(self, index):
        return self.entry(index)
