"""Helpers shared by the benchmarks in bench/ (not a benchmark itself: running it does nothing).

* ``S3Server`` – moto's standalone S3 server in its own process, reached over real HTTP (the same few lines as
  ``tests/conftest.py``, copied so a benchmark needs neither pytest nor the test suite's fixtures).
* ``Meter`` / ``alternate`` – wall and CPU time of one piece of work, and running several pieces of work in
  turn (A, B, A, B, …) so that a noisy, shared machine slows them alike.
* ``summary``, ``result``, ``machine_info``, ``write_results`` – the common shape of bench/results/*.json:
  ``{"benchmark", "machine", "results": {name: {"value", "baseline", "ratio", "goal", "pass", "runs"}}}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"


def log(message: str) -> None:
    """Progress goes to stderr; stdout is kept for the JSON result."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- moto's S3 server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class S3Server:
    """``python -m moto.server`` on a free local port; use as a context manager."""

    region = "eu-west-2"
    access_key = "testing"
    secret_key = "testing"

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> S3Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto.server exited with status {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("moto.server did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (Linux /proc; 0.0 where unavailable)."""
        return process_cpu_seconds(self.process.pid) if self.process is not None else 0.0

    def client(self, **config: Any):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(**config) if config else None,
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        return name


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after the command name: state is field 0, utime 11, stime 12 (in clock ticks)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- timing -------------------------------------------------------------------------------------------------


def cpu_seconds() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self": own.ru_utime + own.ru_stime, "children": children.ru_utime + children.ru_stime}


@dataclass
class Meter:
    """Wall time, this process's CPU time, waited-for children's CPU time, and any extra CPU counters
    (e.g. a server process: ``extra={"s3_server": server.cpu_seconds}``) over a ``with`` block."""

    extra: Mapping[str, Callable[[], float]] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)

    def __enter__(self) -> Meter:
        self._cpu = cpu_seconds()
        self._extra = {name: read() for name, read in self.extra.items()}
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._wall
        cpu = cpu_seconds()
        self.figures = {
            "wall_s": round(wall, 4),
            "cpu_self_s": round(cpu["self"] - self._cpu["self"], 4),
            "cpu_children_s": round(cpu["children"] - self._cpu["children"], 4),
            **{f"cpu_{name}_s": round(read() - self._extra[name], 4) for name, read in self.extra.items()},
        }


def alternate(
    cases: Mapping[str, Callable[[], Any]],
    rounds: int,
    *,
    extra_cpu: Mapping[str, Callable[[], float]] | None = None,
    between: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every case once per round, in the given order (A, B, A, B, …). Each run's record holds the case
    name, the round, the Meter figures and the mapping the case returned, if it returned one. ``between`` runs
    untimed after each run."""
    runs = []
    for index in range(rounds):
        for name, work in cases.items():
            with Meter(extra=extra_cpu or {}) as meter:
                details = work()
            extra = details if isinstance(details, Mapping) else {}  # other return values are not recorded
            runs.append({"case": name, "round": index + 1, **meter.figures, **extra})
            log(f"  round {index + 1}/{rounds} {name}: {meter.figures['wall_s']:.2f} s")
            if between is not None:
                between()
    return runs


def summary(runs: list[dict[str, Any]], case: str, key: str = "wall_s") -> dict[str, float]:
    values = [run[key] for run in runs if run["case"] == case]
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4), "n": len(values)}


# -- results ------------------------------------------------------------------------------------------------


def result(
    *, value: Any, baseline: Any, ratio: float | None, goal: str, passed: bool, runs: list, **more: Any
) -> dict[str, Any]:
    return {
        "value": value,
        "baseline": baseline,
        "ratio": None if ratio is None else round(ratio, 4),
        "goal": goal,
        "pass": bool(passed),
        "runs": runs,
        **more,
    }


def machine_info(**more: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    with contextlib.suppress(OSError, StopIteration):
        info["cpu_model"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    info.update(more)
    return info


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write bench/results/<name>.json and print the same JSON to stdout."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    text = json.dumps(payload, indent=2, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return path


if __name__ == "__main__":  # `make bench` runs every bench/*.py; this file holds helpers only
    sys.exit(0)
