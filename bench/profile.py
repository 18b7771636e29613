"""Where a worker's time goes under load: py-spy samples of one worker, list and create.

py-spy records with `--gil` (only samples holding the GIL: the Python work, not waits on
PostgreSQL) while wrk drives the service as in the measures. The collapsed stacks are kept in
the given folder (`list.txt`, `create.txt`; speedscope or flamegraph tools read them) and a short
summary is printed: the heaviest functions by the share of samples they are on the stack of.
"""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench import capture

PLUMBING = ("threading", "asyncio", "runpy", "<frozen", "anyio", "starlette", "uvicorn", "fastapi")
LOAD = {
    "list": ("list.lua", 50, 50),
    "create": ("request.lua", 8, 8),
}


def record(folder: Path, pid: int, url: str, token: str, body: str, seconds: int) -> None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    folder.mkdir(parents=True, exist_ok=True)
    for name, (script, connections, threads) in LOAD.items():
        arguments = (
            [token, str(capture.PAGES), ""]
            if name == "list"
            else ["POST", "/api/v1/incidents", token, body]
        )
        wrk = subprocess.Popen(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds + 2}s",
                "-s",
                str(Path(__file__).with_name(script)),
                url,
                "--",
                *arguments,
            ],
            stdout=subprocess.DEVNULL,
        )
        output = folder / f"{name}.txt"
        subprocess.run(
            [
                py_spy,
                "record",
                "--gil",
                "--nonblocking",
                "-r",
                "200",
                "-d",
                str(seconds),
                "-p",
                str(pid),
                "-f",
                "raw",
                "-o",
                str(output),
            ],
            check=True,
            capture_output=True,
        )
        wrk.wait()
        print(f"\n{name}: heaviest functions (share of GIL-holding samples on their stack)")
        print(summary(output))


def summary(collapsed: Path, top: int = 25) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [_short(frame) for frame in stack.split(";")]
        # Only the application's and its libraries' frames: the server's plumbing is above them.
        frames = [frame for frame in frames if not frame.split("(")[-1].startswith(PLUMBING)]
        if not frames:
            continue
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [f"{total} samples"]
    for frame, samples in inclusive.most_common(top):
        lines.append(f"{samples / total:6.1%} {own[frame] / total:6.1%} own  {frame}")
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`function (path/to/module.py:line)` without the line and the site-packages prefix."""
    name, _, where = frame.partition(" (")
    where = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/wt/", "lib/python3"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"
