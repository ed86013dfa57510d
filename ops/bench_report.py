#!/usr/bin/env python3
"""Summarises Google Benchmark JSON into the ledger's figures and ratios."""
import argparse
import json
import sys


def rates(doc):
    out = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "mean":
            continue
        name = b.get("run_name", b["name"])
        if "items_per_second" in b:
            out[name] = b["items_per_second"]
    return out


def http_summary(path):
    """ledgerd over HTTP (bench/ledgerd_load lines): rates, latencies, ratios
    to raw synced RocksDB batches of the same run, and where the time went."""
    out = {}
    for line in open(path):
        if not line.strip():
            continue
        run = json.loads(line)
        key = (f'{run["label"].replace(" ", "_")}/events_per_request_{run["events_per_request"]}'
               f'/{run.get("stamps", "per_event")}_stamps')
        out[key] = {
            "connections": run["connections"],
            "entries_per_sec": run["entries_per_sec"],
            "requests_per_sec": run["requests_per_sec"],
            "latency_ms_p50": run["latency_ms"]["p50"],
            "latency_ms_p99": run["latency_ms"]["p99"],
            "failed_requests": run["failed_requests"],
            "mean_batch_entries": run["ledgerd"]["mean_batch_entries"],
            "raw_rocksdb_synced_entries_per_sec_same_batch": run["raw_rocksdb_synced"]["entries_per_sec"],
            "raw_rocksdb_synced_entries_per_sec_observed_batch":
                run["raw_rocksdb_synced"]["observed_batch_entries_per_sec"],
            "ratio_to_raw_same_batch": run["ratio_to_raw_same_batch"],
            "ratio_to_raw_observed_batch": run["ratio_to_raw_observed_batch"],
            "per_entry_us": run["ledgerd"]["per_entry_us"],
            "raw_verify_one_core_per_sec": run.get("raw_verify_one_core_per_sec"),
            "notary_threads": run.get("notary_threads"),
            "ratio_to_raw_verify_x_threads": run.get("ratio_to_raw_verify_x_threads"),
            "cpu_us_per_entry": run.get("cpu_us_per_entry", {}),
        }
        if "state_queries" in run:
            q = run["state_queries"]
            out[key]["state_queries_per_sec"] = q["per_sec"]
            out[key]["state_query_latency_ms_p50"] = q["latency_ms"]["p50"]
            out[key]["state_query_latency_ms_p99"] = q["latency_ms"]["p99"]
            out[key]["state_queries_failed"] = q["failed"]
    return out


def http_table(summary):
    """The ledgerd_http runs as a Markdown table (docs/benchmarks.md), on stderr."""
    rows = ["| store | witnesses | events/request | stamps | entries/s | p50 ms | p99 ms | ÷ raw RocksDB |"
            " ÷ raw verify × threads | CPU µs/entry ledgerd + notary | notary µs | store µs | receipts µs | parse µs |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, r in summary.items():
        label, per_request, stamps = key.split("/")
        s = r["per_entry_us"]
        cpu = r.get("cpu_us_per_entry") or {}
        store = "PostgreSQL" if label.startswith("postgres") else "RocksDB"
        rows.append(f'| {store} | {label.split("_")[-1]} | {per_request.rsplit("_", 1)[-1]} | {stamps[:-7]} | '
                    f'{r["entries_per_sec"]:,.0f} | {r["latency_ms_p50"]:.1f} | {r["latency_ms_p99"]:.1f} | '
                    f'{r["ratio_to_raw_same_batch"]:.3f} | {(r["ratio_to_raw_verify_x_threads"] or 0):.2f} | '
                    f'{cpu.get("ledgerd", 0):.0f} + {cpu.get("notary", 0):.0f} | '
                    f'{s["notary_round_trip"]:.0f} | {s["store_write"]:.0f} | {s["receipts"]:.0f} | '
                    f'{s["http_parse"]:.0f} |')
    return "\n".join(rows)


def store_ratios(summary):
    """entries/s on PostgreSQL (a synchronous standby) ÷ on RocksDB, for each
    run made on both with witnesses on."""
    out = {}
    for key, r in summary.items():
        if not key.startswith("postgres_witnesses_on/"):
            continue
        twin = summary.get(key[len("postgres_"):])
        if twin and twin["entries_per_sec"]:
            out[key.split("/", 1)[1]] = {
                "postgres_entries_per_sec": r["entries_per_sec"],
                "rocksdb_entries_per_sec": twin["entries_per_sec"],
                "ratio": r["entries_per_sec"] / twin["entries_per_sec"],
            }
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--google", help="Google Benchmark JSON of ledger_bench")
    ap.add_argument("--notary", help="Google Benchmark JSON of notary_bench")
    ap.add_argument("--http", help="bench/ledgerd_load JSON lines")
    ap.add_argument("legacy", nargs="*",
                    help="benchmark.json [notary.json [anchor.json [export.json]]]")
    a = ap.parse_args()
    google = a.google or (a.legacy[0] if a.legacy else None)
    notary_file = a.notary or (a.legacy[1] if len(a.legacy) > 1 else None)
    doc = json.load(open(google)) if google else {"benchmarks": []}
    r = rates(doc)
    notary = rates(json.load(open(notary_file))) if notary_file else {}
    get = lambda k: r.get(k)
    summary = {"machine": doc.get("context", {}), "append": {}, "proofs": {}, "checkpoints": {}}
    if a.http:
        summary["ledgerd_http"] = http_summary(a.http)
        print(http_table(summary["ledgerd_http"]), file=sys.stderr)
        summary["postgres_vs_rocksdb"] = store_ratios(summary["ledgerd_http"])
    for n in (1, 100, 1000):
        led = get(f"BM_LedgerAppendSynced/{n}/min_time:2.000/real_time")
        raw = get(f"BM_RawRocksDbSyncedBatch/{n}/min_time:2.000/real_time")
        summary["append"][f"batch_{n}"] = {
            "ledger_appends_per_sec": led,
            "raw_rocksdb_synced_writes_per_sec": raw,
            "ratio_ledger_to_raw": (led / raw) if led and raw else None,
        }
    summary["proofs"] = {
        "inclusion_generate_per_sec": get("BM_InclusionProofFromStore/real_time"),
        "consistency_generate_per_sec": get("BM_ConsistencyProofFromStore/real_time"),
        "inclusion_verify_per_sec": get("BM_InclusionProofVerify"),
        "consistency_verify_per_sec": get("BM_ConsistencyProofVerify"),
        "raw_sha256_node_hashes_per_sec": get("BM_RawSha256NodeHash"),
    }
    sign, verify = get("BM_CheckpointSign"), get("BM_CheckpointVerify")
    rsign, rverify = get("BM_RawEd25519Sign"), get("BM_RawEd25519Verify")
    summary["checkpoints"] = {
        "sign_per_sec": sign,
        "verify_per_sec": verify,
        "raw_ed25519_sign_per_sec": rsign,
        "raw_ed25519_verify_per_sec": rverify,
        "ratio_sign_to_raw": (sign / rsign) if sign and rsign else None,
        "ratio_verify_to_raw": (verify / rverify) if verify and rverify else None,
    }
    rt = lambda k: get(k + "/min_time:2.000/real_time")
    summary["state_map"] = {
        f"batch_{n}": {
            "appends_per_sec_without_map": rt(f"BM_AppendWithAndWithoutMap/batch:{n}/map:0"),
            "appends_per_sec_with_map": rt(f"BM_AppendWithAndWithoutMap/batch:{n}/map:1"),
        } for n in (1, 100, 1000)
    }
    for b in doc["benchmarks"]:
        name = b.get("run_name", b["name"])
        for prefix, key in (("BM_MapProofVerify/subjects:", "verify"),
                            ("BM_MapApplyUpdate/subjects:", "apply_update")):
            if name.startswith(prefix) and b.get("run_type") != "aggregate":
                entry = summary["state_map"].setdefault("subjects_" + name[len(prefix):], {})
                entry[key + "_per_sec"] = b.get("items_per_second")
                entry[key + "_cpu_us"] = b.get("cpu_time", 0) / 1000.0
                if "proof_bytes" in b:
                    entry["proof_bytes_mean"] = b["proof_bytes"]
                    entry["proof_depth_mean"] = b["depth"]
    if notary:
        ed, p256 = notary.get("BM_RawEd25519VerifySameRun"), notary.get("BM_RawP256VerifySameRun")
        summary["notary_socket"] = {
            f"batch_{n}_{'stamped' if st else 'unstamped'}_appends_per_sec":
                notary.get(f"BM_NotarySocketAppend/batch:{n}/stamped:{st}/real_time")
            for n in (1, 100, 1000) for st in (0, 1)
        }
        summary["notary_socket"]["raw_ed25519_verify_per_sec"] = ed
        summary["notary_socket"]["raw_p256_verify_per_sec"] = p256
        stamped = notary.get("BM_NotarySocketAppend/batch:1000/stamped:1/real_time")
        summary["notary_socket"]["ratio_stamped_1000_to_raw_ed25519_verify"] = (
            stamped / ed if stamped and ed else None)
        # Stamped batches of 1000 on T verification threads (--verify-threads).
        threads = {}
        for b in json.load(open(notary_file))["benchmarks"]:
            name = b.get("run_name", b["name"])
            if name.startswith("BM_NotaryVerifyThreads/") and b.get("run_type") != "aggregate":
                threads[f"threads_{int(b['threads'])}"] = {
                    "appends_per_sec": b.get("items_per_second"),
                    "raw_ed25519_verify_per_sec": b.get("raw_ed25519_verify_per_sec"),
                    "ratio_to_raw_verify_x_threads": b.get("ratio_to_raw_verify_x_threads"),
                }
        summary["notary_verify_threads"] = threads
    if len(a.legacy) > 2:
        summary["anchoring"] = anchoring(json.load(open(a.legacy[2])))
    if len(a.legacy) > 3:
        ex = rates(json.load(open(a.legacy[3])))
        exp, ver = ex.get("BM_Export/iterations:2"), ex.get("BM_VerifyBundle/iterations:2")
        sha = ex.get("BM_Sha256OverBundleBytes/iterations:3")
        summary["export"] = {
            "export_entries_per_sec": exp,
            "verify_bundle_entries_per_sec": ver,
            "sha256_over_bundle_bytes_entries_per_sec": sha,
            "ratio_export_to_sha256": exp / sha if exp and sha else None,
            "ratio_verify_to_sha256": ver / sha if ver and sha else None,
        }
    print(json.dumps(summary, indent=2))


def anchoring(doc):
    """Gas per anchor by log size, latency by block time (bench/anchor_bench.cc)."""
    out = {"gas_by_log_size": {}, "latency_ms": {}}
    for b in doc["benchmarks"]:
        name = b.get("run_name", b["name"])
        if name.startswith("BM_GasPerAnchor/"):
            exp = name.split("/")[1]
            out["gas_by_log_size"][f"1e{exp}"] = {
                "first_anchor_gas": b.get("gas_first_anchor"),
                "next_anchor_gas": b.get("gas_next_anchor"),
                "proof_hashes": b.get("proof_hashes"),
            }
        elif name.startswith("BM_AnchorLatency/"):
            block_time = name.split("/")[1]
            key = "automine" if block_time == "0" else f"block_time_{block_time}s"
            out["latency_ms"][key] = b.get("real_time")
    return out


if __name__ == "__main__":
    main()
