#!/usr/bin/env python3
"""ops/monitoring's dashboard is valid Grafana JSON and, with the alert rules,
names only metrics the daemons declare: the names given to
ledger::prometheus::Page (Gauge, Counter, Family, Histogram and ledgerd's
labelled helper) and anchord's counter table, in the daemons' sources.
Histogram families also provide NAME_bucket, NAME_sum and NAME_count.
Usage: check_names.py SOURCE_DIR"""
import glob
import json
import re
import sys

root = sys.argv[1]
sources = []
for pattern in ("ledger/ledgerd/src/*.cc", "explorer/src/*.cc", "anchor/witness/src/*.cc",
                "anchor/anchord/src/*.cc"):
    sources += sorted(glob.glob(f"{root}/{pattern}"))
declared, histograms = set(), set()
for path in sources:
    text = open(path).read()
    for kind, name in re.findall(r'\b(Gauge|Counter|Family|Histogram|labelled)\(\s*"([a-z0-9_]+)"',
                                 text):
        declared.add(name)
        if kind == "Histogram":
            histograms.add(name)
    declared.update(re.findall(r'\{\s*"(anchord_[a-z0-9_]+_total)",', text))
for h in histograms:
    declared.update({h + "_bucket", h + "_sum", h + "_count"})
if len(declared) < 40:
    sys.exit(f"only {len(declared)} metric names found in the sources: the patterns are stale")

name_re = re.compile(r"\b((?:ledgerd|explorer|witness|anchord)_[a-z0-9_]+)\b")
problems = []

dashboard = json.load(open(f"{root}/ops/monitoring/dashboard.json"))
exprs = []
def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            exprs.append(node["expr"])
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(dashboard)
if not dashboard.get("panels") or not exprs:
    problems.append("dashboard.json: no panels or no queries")
for panel in dashboard.get("panels", []):
    if not panel.get("targets"):
        problems.append(f"dashboard.json: panel {panel.get('title')!r} has no query")

alerts = open(f"{root}/ops/monitoring/alerts.yml").read()
alert_exprs = re.findall(r"^\s*expr:\s*(.+)$", alerts, re.M)
if len(alert_exprs) < 7:
    problems.append(f"alerts.yml: only {len(alert_exprs)} expressions found")

for where, texts in (("dashboard.json", exprs), ("alerts.yml", alert_exprs)):
    for text in texts:
        for name in name_re.findall(text):
            if name not in declared:
                problems.append(f"{where}: {name} is not a metric of any daemon ({text})")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"dashboard: {len(exprs)} queries, alerts: {len(alert_exprs)} expressions, "
      f"all on {len(declared)} declared metric names")
