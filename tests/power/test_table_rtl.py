#!/usr/bin/python3
"""The committed power table was made from the RTL in the tree: every row (and Horowitz unit
that records it) names the git blob hash of each RTL file the flow read (flow.design.rtl), and
each must equal the hash of that file today. A changed PE without a regenerated table
(`lbasim power --synthesize ... --table-out models/cost/data/power_osu018.json`) fails here.

usage: test_table_rtl.py SOURCE_DIR
"""
import hashlib
import json
import os
import sys


def blob_hash(path):
    """git hash-object: sha1 of "blob <size>\\0" + the bytes."""
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def main(root):
    table_path = os.path.join(root, "models", "cost", "data", "power_osu018.json")
    with open(table_path) as f:
        table = json.load(f)
    stale, checked = [], 0
    parts = []
    for row in table["configs"] + table.get("anchors", []):
        parts.append(row)
        lane = row.get("flow", {}).get("column_lane")  # chunk lane 'column': the lane's flow
        if lane is not None:
            parts.append({"name": row["name"] + " (column lane)", "flow": lane})
    for row in parts:
        rtl = row.get("flow", {}).get("design", {}).get("rtl")
        if rtl is None:
            if row is not None and row.get("label") is not None:
                stale.append(f"{row['name']}: no flow.design.rtl (which RTL made it is unknown)")
            continue
        for rel, want in sorted(rtl.items()):
            path = os.path.join(root, rel)
            got = blob_hash(path) if os.path.isfile(path) else "missing"
            checked += 1
            if got != want:
                stale.append(f"{row['name']}: {rel} is {got} in the tree, {want} in the table")
    if checked == 0:
        stale.append("no RTL hashes in the table at all")
    for line in stale:
        print(f"{table_path}: {line}", file=sys.stderr)
    if stale:
        print("the table is stale: regenerate it with lbasim power --synthesize --anchors "
              "--table-out models/cost/data/power_osu018.json (docs/cost.md)", file=sys.stderr)
        return 1
    print(f"{checked} RTL file hashes of {len(table['configs'])} rows match the tree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
