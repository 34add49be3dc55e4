#!/usr/bin/python3
"""The committed power tables were made from the RTL in the tree: every row (and Horowitz unit
that records it) names the git blob hash of each RTL file of its design's hierarchy
(flow.design.rtl; lba.rtl.design_files), and each must equal the hash of that file today. A changed PE without a regenerated table
(`lbasim power --synthesize ... --table-out models/cost/data/power_osu018.json`, or the
dot-product units' power_osu018_units.json) fails here.

usage: test_table_rtl.py SOURCE_DIR
"""
import hashlib
import json
import os
import sys

from lba.rtl import FormatError, design_files


def blob_hash(path):
    """git hash-object: sha1 of "blob <size>\\0" + the bytes."""
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# Each committed table and the command that regenerates it.
TABLES = {
    "power_osu018.json": "lbasim power --synthesize --anchors",
    "power_osu018_units.json": "lbasim power --synthesize --configs "
                               "chain_m13e8,fused4_m13e8,fused32_m13e8",
}


def main(root):
    return max(check(root, name, command) for name, command in TABLES.items())


def check(root, name, command):
    table_path = os.path.join(root, "models", "cost", "data", name)
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
        top = row["flow"]["design"].get("top")
        try:
            files = set(design_files(top))
        except FormatError as e:
            stale.append(f"{row['name']}: {e}")
            continue
        # The files of the design's hierarchy (lba.rtl.design_files): each Verilog module file
        # must be recorded; a recorded file outside the hierarchy (older rows recorded all of
        # rtl/) does not make the row stale.
        for rel in sorted(f for f in files - set(rtl) if f.endswith(".v")):
            stale.append(f"{row['name']}: {rel} (module of {top}) has no hash in the table")
        for rel, want in sorted((k, v) for k, v in rtl.items() if k in files):
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
        print(f"the table is stale: regenerate it with {command} "
              f"--table-out models/cost/data/{name} (docs/cost.md)", file=sys.stderr)
        return 1
    print(f"{checked} RTL file hashes of {len(table['configs'])} rows match the tree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
