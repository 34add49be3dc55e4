"""Where the flow's tools and cell library are, their versions, and clear errors when absent."""
import os
import shutil
import subprocess

# Debian qflow-tech-osu018; $LBASIM_OSU018_DIR overrides it (tests).
OSU018 = os.environ.get("LBASIM_OSU018_DIR") or "/usr/share/qflow/tech/osu018"
LIBERTY = os.path.join(OSU018, "osu018_stdcells.lib")
CELL_MODELS = os.path.join(OSU018, "osu018_stdcells.v")

# tool -> Debian package that ships it
PACKAGES = {"yosys": "yosys", "sta": "opensta", "iverilog": "iverilog", "vvp": "iverilog"}


class FlowError(Exception):
    """Bad input or a missing or failing tool; the message says what and what to do."""


def require_tools(liberty=LIBERTY, cell_models=CELL_MODELS):
    """Fails with the Debian package to install for each missing tool or library file."""
    missing = [f"{t} (Debian package {p})" for t, p in PACKAGES.items() if shutil.which(t) is None]
    for path in (liberty, cell_models):
        if not os.path.isfile(path):
            missing.append(f"{path} (Debian package qflow-tech-osu018)")
    if missing:
        raise FlowError("missing: " + "; ".join(missing) +
                        ". Install with apt-get install, or run tools/setup.sh")


def run(cmd, cwd, log_name, timeout=1800):
    """Runs a tool, its output in cwd/log_name; FlowError with the log's tail if it fails."""
    log = os.path.join(cwd, log_name)
    with open(log, "w") as f:
        proc = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)
    with open(log, errors="replace") as f:
        text = f.read()
    if proc.returncode != 0:
        raise FlowError(f"{cmd[0]} failed (exit {proc.returncode}), log {log}:\n{text[-3000:]}")
    return text


def versions():
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"
    sta = subprocess.run(["sta", "-no_splash", "-exit", "/dev/null"], capture_output=True,
                         text=True, input="")
    return {"yosys": first_line(["yosys", "-V"]),
            "iverilog": first_line(["iverilog", "-V"]),
            "opensta": first_line(["dpkg-query", "-W", "-f=${Version}", "opensta"]) or
            sta.stdout.strip(),
            "liberty": LIBERTY,
            "liberty_package": first_line(["dpkg-query", "-W", "-f=${Version}",
                                           "qflow-tech-osu018"])}
