"""Canonical event bytes v1, as ledger/core/record/src/event.cc (event.md §3-5)."""
from ._util import valid_utf8
from .errors import MalformedError

KIND_NAMES = [
    "", "KEY_CREATED", "KEY_IMPORTED", "KEY_ROTATED", "KEY_EXPORTED", "KEY_RETIRED",
    "POLICY_CHANGED", "SIGNATURE_PRODUCED", "SIGNATURE_REJECTED", "STATE_NOTARIZED",
    "ENCLAVE_BOOTED", "ANCHOR_CONFIRMED", "RETENTION_SET", "LEGAL_HOLD_PLACED",
    "LEGAL_HOLD_RELEASED", "RECORD_DISPOSED", "EXPORT_CREATED", "VERIFICATION_RUN",
]
OUTCOME_NAMES = ["", "SUCCESS", "DENIED", "ERROR"]
MAX_EVENT_SIZE = 60000
MAX_STRING = 4096
MAX_ATTRIBUTES = 64
MAX_OCCURRED_AT_US = 253402300799999999

_STRING_TAGS = {
    0x02: "event_id", 0x03: "request_id", 0x04: "correlation_id", 0x05: "action",
    0x07: "actor_type", 0x08: "actor_id", 0x09: "actor_auth_method",
    0x0A: "actor_on_behalf_of", 0x0B: "source", 0x0C: "subject", 0x0D: "target_type",
    0x0E: "target_version", 0x10: "outcome_reason", 0x13: "retention_class",
}
_HASH_TAGS = {0x11: "prior_state_hash", 0x12: "new_state_hash", 0x14: "payload_digest"}
_ATTRIBUTE = 0x30


class Event:
    """A decoded event. String fields are str ("" when absent); hashes are
    32-byte values or None; attributes a list of (key, value) in key order."""

    def __init__(self):
        self.kind = 0
        self.occurred_at_us = 0
        self.outcome = 0
        for name in _STRING_TAGS.values():
            setattr(self, name, "")
        for name in _HASH_TAGS.values():
            setattr(self, name, None)
        self.attributes = []

    @property
    def kind_name(self):
        return KIND_NAMES[self.kind] if 0 < self.kind < len(KIND_NAMES) else ""

    def attribute(self, key):
        for k, v in self.attributes:
            if k == key:
                return v
        return None


def _bad(message):
    return MalformedError("malformed_event", message)


def _check_string(value, name):
    if len(value) > MAX_STRING:
        raise _bad(f"field_too_long: {name} is longer than 4096 bytes")
    if not valid_utf8(value):
        raise _bad(f"invalid_utf8: {name} is not UTF-8")
    if b"\x00" in value:
        raise _bad(f"nul_in_string: {name} contains a NUL character")


def decode_event(data):
    """Strict inverse of EncodeEvent. MalformedError('malformed_event')."""
    data = bytes(data)
    if len(data) > MAX_EVENT_SIZE:
        raise _bad("event larger than 60000 bytes")
    if not data:
        raise _bad("truncated")
    if data[0] != 0x01:
        raise _bad(f"unknown version {data[0]}")
    e = Event()
    raw_strings = {}
    have = set()
    last_tag = 0
    pos = 1
    prev_key = None
    while pos < len(data):
        if len(data) - pos < 3:
            raise _bad("truncated")
        tag = data[pos]
        length = int.from_bytes(data[pos + 1:pos + 3], "big")
        pos += 3
        if len(data) - pos < length:
            raise _bad("truncated")
        value = data[pos:pos + length]
        pos += length
        if tag < last_tag or (tag == last_tag and tag != _ATTRIBUTE):
            raise _bad(f"field 0x{tag:02x} out of order or repeated")
        last_tag = tag
        if length == 0:
            raise _bad(f"field 0x{tag:02x} is empty")
        if tag in _STRING_TAGS:
            raw_strings[_STRING_TAGS[tag]] = value
        elif tag == 0x01:
            if length != 2:
                raise _bad("kind must be 2 bytes")
            e.kind = int.from_bytes(value, "big")
            have.add("kind")
        elif tag == 0x06:
            if length != 8:
                raise _bad("occurred_at_us must be 8 bytes")
            e.occurred_at_us = int.from_bytes(value, "big")
            have.add("time")
        elif tag == 0x0F:
            if length != 1:
                raise _bad("outcome must be 1 byte")
            e.outcome = value[0]
            have.add("outcome")
        elif tag in _HASH_TAGS:
            if length != 32:
                raise _bad(f"field 0x{tag:02x}: a hash must be 32 bytes")
            setattr(e, _HASH_TAGS[tag], value)
        elif tag == _ATTRIBUTE:
            if length < 2:
                raise _bad("truncated")
            key_len = int.from_bytes(value[:2], "big")
            if len(value) - 2 < key_len:
                raise _bad("truncated")
            key = value[2:2 + key_len]
            if prev_key is not None and not prev_key < key:
                raise _bad("attribute keys not strictly increasing")
            prev_key = key
            e.attributes.append((key, value[2 + key_len:]))
        else:
            raise _bad(f"unknown field 0x{tag:02x}")
    if have != {"kind", "time", "outcome"}:
        raise _bad("kind, occurred_at_us and outcome are required")
    # ValidateEvent's rules.
    if not 0 < e.kind < len(KIND_NAMES):
        raise _bad(f"unknown_event_kind: event kind {e.kind}")
    if not 0 < e.outcome < len(OUTCOME_NAMES):
        raise _bad(f"unknown_outcome: outcome {e.outcome}")
    for name in ("event_id", "actor_id", "subject"):
        if name not in raw_strings:
            raise _bad(f"missing_field: {name} is required")
    if e.occurred_at_us > MAX_OCCURRED_AT_US:
        raise _bad("timestamp_out_of_range: occurred_at_us is after year 9999")
    for name, value in raw_strings.items():
        _check_string(value, name)
    if len(e.attributes) > MAX_ATTRIBUTES:
        raise _bad("too_many_attributes: more than 64 attributes")
    attrs = []
    for k, v in e.attributes:
        if not k:
            raise _bad("empty_attribute_key: attribute key is empty")
        _check_string(k, "attribute key")
        _check_string(v, "attribute value")
        attrs.append((k.decode("utf-8"), v.decode("utf-8")))
    e.attributes = attrs
    for name, value in raw_strings.items():
        setattr(e, name, value.decode("utf-8"))
    return e
