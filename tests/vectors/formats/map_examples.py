#!/usr/bin/env python3
"""Regenerates map-example.json (schemas/formats/map.md §7).

Independent of ledger::core: written from map.md with hashlib only. A log of
eight entries naming five subjects is replayed into the map (map.md §5); the
file records each entry's key, value and the root after it, and membership and
absence proofs (both absence shapes) in the compressed encoding (map.md §4).
A second log (map.md §5a) has stamped entries: each sets its stamp key,
SHA-256(0x13 || SHA-256(event bytes)), before its subject, except the one
stamped by the log key. A third part (map.md §5b) sets retention keys:
SHA-256(0x14 || tag || name) with the records' encodings. Deterministic.
Usage: python3 map_examples.py
"""
import hashlib, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
ZERO = bytes(32)


def sha(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


def key_of(subject):
    return sha(b"\x12", subject.encode())


def stamp_key_of(event):
    return sha(b"\x13", sha(event))


def encode_event(kind, event_id, occurred_at_us, actor_id, subject):
    """The canonical event encoding (event.md §3) of these fields, outcome SUCCESS."""
    fields = [(0x01, struct.pack(">H", kind)), (0x02, event_id.encode()),
              (0x06, struct.pack(">Q", occurred_at_us)), (0x08, actor_id.encode()),
              (0x0c, subject.encode()), (0x0f, b"\x01")]
    return b"\x01" + b"".join(bytes([t]) + struct.pack(">H", len(v)) + v for t, v in fields)


def value_bytes(index, version, state):
    return struct.pack(">QQ", index, version) + state


def leaf_hash(key, value):
    return sha(b"\x10", key, value)


def node_hash(left, right):
    return sha(b"\x11", left, right)


def bit(key, i):
    return (key[i // 8] >> (7 - i % 8)) & 1


def subtree(items, depth):
    """Hash of the subtree at `depth` holding `items` [(key, value)] (map.md §3)."""
    if not items:
        return ZERO
    if len(items) == 1:
        return leaf_hash(*items[0])
    left = [kv for kv in items if bit(kv[0], depth) == 0]
    right = [kv for kv in items if bit(kv[0], depth) == 1]
    return node_hash(subtree(left, depth + 1), subtree(right, depth + 1))


def prove(items, key):
    """(terminal, siblings): the path of `key` down to an empty or one-leaf subtree."""
    siblings, depth, here = [], 0, list(items)
    while len(here) > 1:
        same = [kv for kv in here if bit(kv[0], depth) == bit(key, depth)]
        other = [kv for kv in here if bit(kv[0], depth) != bit(key, depth)]
        siblings.append(subtree(other, depth + 1))
        here, depth = same, depth + 1
    return (here[0] if here else None), siblings


def encode_proof(terminal, siblings):
    out = b"\x01"
    out += b"\x00" if terminal is None else b"\x01" + terminal[0] + terminal[1]
    out += struct.pack(">H", len(siblings))
    bitmap = bytearray((len(siblings) + 7) // 8)
    for d, s in enumerate(siblings):
        if s != ZERO:
            bitmap[d // 8] |= 0x80 >> (d % 8)
    return out + bytes(bitmap) + b"".join(s for s in siblings if s != ZERO)


def root_from_proof(key, terminal, siblings):
    h = ZERO if terminal is None else leaf_hash(*terminal)
    for d in reversed(range(len(siblings))):
        h = node_hash(siblings[d], h) if bit(key, d) else node_hash(h, siblings[d])
    return h


def main():
    state = lambda s: hashlib.sha256(s.encode()).digest()
    # (subject, new state hash or None); the log index is the position.
    log = [
        ("enclave/boot", None),
        ("key/k-1", None),
        ("billing/account-7", state("balance=100")),
        ("key/k-1", None),
        ("policy/org-1", state("policy v1")),
        ("billing/account-7", state("balance=80")),
        ("key/k-2", None),
        ("key/k-3", state("retired")),
    ]
    values, entries = {}, []
    for index, (subject, new_state) in enumerate(log):
        k = key_of(subject)
        prev = values.get(k)
        version = prev[1] + 1 if prev else 1
        st = new_state if new_state is not None else (prev[2] if prev else ZERO)
        values[k] = (index, version, st)
        items = [(kk, value_bytes(*v)) for kk, v in values.items()]
        entries.append({
            "index": index, "subject": subject, "key_hex": k.hex(),
            "new_state_hex": new_state.hex() if new_state else None,
            "value": {"index": index, "version": version, "state_hex": st.hex()},
            "value_hex": value_bytes(index, version, st).hex(),
            "leaf_hash_hex": leaf_hash(k, value_bytes(index, version, st)).hex(),
            "root_after_hex": subtree(items, 0).hex(),
        })
    items = [(kk, value_bytes(*v)) for kk, v in values.items()]
    root = subtree(items, 0)

    proofs = []
    def add(subject, kind):
        k = key_of(subject)
        terminal, siblings = prove(items, k)
        assert root_from_proof(k, terminal, siblings) == root
        proofs.append({"subject": subject, "key_hex": k.hex(), "kind": kind,
                       "depth": len(siblings), "proof_hex": encode_proof(terminal, siblings).hex()})
    for subject in ("billing/account-7", "key/k-1"):
        add(subject, "present")
    # The first absent subjects whose search ends in an empty subtree and at
    # another subject's leaf.
    found = set()
    for i in range(1000):
        subject = f"key/absent-{i}"
        terminal, _ = prove(items, key_of(subject))
        kind = "absent_empty" if terminal is None else "absent_leaf"
        if kind not in found:
            found.add(kind)
            add(subject, kind)
        if len(found) == 2:
            break

    doc_stamps = stamp_log()
    doc = {
        "description": "map.md §7: eight entries, five subjects, roots and proofs",
        "generator": "tests/vectors/formats/map_examples.py",
        "empty_root_hex": ZERO.hex(),
        "entries": entries,
        "root_hex": root.hex(),
        "extension_line": "map " + root.hex(),
        "proofs": proofs,
        "stamp_keys": doc_stamps,
        "retention_keys": retention_log(),
    }
    with open(os.path.join(HERE, "map-example.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def stamp_log():
    """map.md §5a: stamped entries set their stamp key, then their subject."""
    # (kind, subject, stamped by: None, "submitter" or "log key")
    log = [
        (10, "notary/ledger.example/log", "log key"),  # ENCLAVE_BOOTED
        (7, "key/k-1", "submitter"),                   # SIGNATURE_PRODUCED
        (7, "key/k-1", None),
        (1, "key/k-2", "submitter"),                   # KEY_CREATED
    ]
    values, entries = {}, []
    for index, (kind, subject, stamper) in enumerate(log):
        event = encode_event(kind, f"evt-{index}", 1_700_000_000_000_000 + index, "svc", subject)
        sk = stamp_key_of(event)
        sets = stamper == "submitter"
        if sets:
            assert sk not in values
            values[sk] = (index, 1, ZERO)
        k = key_of(subject)
        prev = values.get(k)
        values[k] = (index, prev[1] + 1 if prev else 1, prev[2] if prev else ZERO)
        items = [(kk, value_bytes(*v)) for kk, v in values.items()]
        entries.append({
            "index": index, "subject": subject, "event_hex": event.hex(),
            "stamped_by": stamper, "sets_stamp_key": sets, "stamp_key_hex": sk.hex(),
            "stamp_value_hex": value_bytes(index, 1, ZERO).hex() if sets else None,
            "root_after_hex": subtree(items, 0).hex(),
        })
    items = [(kk, value_bytes(*v)) for kk, v in values.items()]
    # A replay of entry 1: its stamp key's proof shows it present, at index 1.
    replayed = bytes.fromhex(entries[1]["event_hex"])
    terminal, siblings = prove(items, stamp_key_of(replayed))
    assert terminal is not None and terminal[0] == stamp_key_of(replayed)
    return {
        "description": "map.md §5a: stamp keys of stamped entries, set before the subject",
        "entries": entries,
        "root_hex": subtree(items, 0).hex(),
        "replay_of": 1,
        "replay_proof_hex": encode_proof(terminal, siblings).hex(),
    }


def retention_subject_key(subject):
    return sha(b"\x14\x01", subject.encode())


def retention_class_key(name):
    return sha(b"\x14\x02", name.encode())


def disposal_key(record_index):
    return sha(b"\x14\x03", struct.pack(">Q", record_index))


def subject_record(retain_until_us, holds):
    """map.md §5b: 0x01 || retain_until:u64 || n:u16 || holds sorted by id."""
    out = b"\x01" + struct.pack(">QH", retain_until_us, len(holds))
    for hold_id, (name, key_id) in sorted(holds.items(), key=lambda kv: kv[0].encode()):
        out += struct.pack(">H", len(hold_id.encode())) + hold_id.encode()
        out += struct.pack(">H", len(name.encode())) + name.encode() + struct.pack(">I", key_id)
    return out


def class_record(period_days, locked):
    return b"\x02" + struct.pack(">QB", period_days, 1 if locked else 0)


def retention_log():
    """map.md §5b: the retention keys a few retention entries set, in log order."""
    # (log index, key kind, name, record or disposed payload digest)
    body = sha(b"the original")
    steps = [
        (1, "class", "TEST-2d", class_record(2, False)),
        (2, "subject", "record/r-1",
         subject_record(0, {"case-42": ("legal.example", 0x1a2b3c4d)})),
        (3, "subject", "record/r-1",
         subject_record(1_700_000_000_000_000 + 30 * 86_400_000_000,
                        {"case-42": ("legal.example", 0x1a2b3c4d), "b-7": ("", 0)})),
        (4, "class", "TEST-2d", class_record(5, True)),
        (5, "subject", "record/r-1", subject_record(1_700_000_000_000_000 + 30 * 86_400_000_000, {})),
        (6, "disposal", "0", body),
    ]
    values, out = {}, []
    for index, kind, name, data in steps:
        if kind == "class":
            key = retention_class_key(name)
        elif kind == "subject":
            key = retention_subject_key(name)
        else:
            key = disposal_key(int(name))
        prev = values.get(key)
        if kind == "disposal":
            assert prev is None
            values[key] = (index, 1, data)
        else:
            values[key] = (index, prev[1] + 1 if prev else 1, sha(data))
        items = [(kk, value_bytes(*v)) for kk, v in values.items()]
        out.append({
            "index": index, "kind": kind, "name": name,
            "record_hex": data.hex() if kind != "disposal" else None,
            "payload_digest_hex": data.hex() if kind == "disposal" else None,
            "key_hex": key.hex(), "value_hex": value_bytes(*values[key]).hex(),
            "root_after_hex": subtree(items, 0).hex(),
        })
    return {
        "description": "map.md §5b: retention subject, class and disposal keys with their records",
        "entries": out,
        "root_hex": subtree([(kk, value_bytes(*v)) for kk, v in values.items()], 0).hex(),
    }


if __name__ == "__main__":
    main()
