"""Speed benchmark: run by hand, never from the test suite.

    python bench/bench.py            # both measurements, median of N runs

1. Start-up: `tlslint check` of one small nginx config against
   `python -c "import cryptography.x509"` (the goal: at most 1.5x).
2. Parsing the 1.3 MB generated nginx config of the corpus against
   `crossplane parse` of the same file (the goal: at least as fast).
   crossplane is installed into a throw-away venv under /tmp for this only.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LARGE = next((ROOT.parent / "shared" / "corpus" / "nginx" / "nginx-go-crossplane").rglob("large-config*/nginx.conf"),
             None)
RUNS = 15


# Installed packages run from bytecode (pip compiles it at install time); a
# PYTHONDONTWRITEBYTECODE environment would time the compiler instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(cmd: list[str], runs: int = RUNS, cwd: Path | None = None) -> float:
    subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text("events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name a.test;\n"
                        "    ssl_certificate certs/a.pem;\n    ssl_certificate_key certs/a.key;\n  }\n}\n")
        base = median_seconds([sys.executable, "-c", "import cryptography.x509"])
        # the floor: importing the libraries a check must use (typer is not
        # imported for a plain `check` command line), and nothing of tlslint's
        floor = median_seconds([sys.executable, "-c", "import lark, cryptography.x509"])
        tlslint = median_seconds([sys.executable, "-m", "tlslint", "check", str(conf)])
        print(f"startup: import cryptography.x509 {base * 1000:.0f} ms; "
              f"import lark, cryptography.x509 {floor * 1000:.0f} ms (ratio {floor / base:.2f}); "
              f"tlslint check small config {tlslint * 1000:.0f} ms; ratio {tlslint / base:.2f} (goal <= 1.5)")


def crossplane_python() -> str:
    env = Path(tempfile.gettempdir()) / "tlslint-bench-crossplane"
    python = env / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "crossplane==0.5.8"], check=True)
    return str(python)


def large_parse() -> None:
    if LARGE is None:
        print("large config not found; skipped")
        return
    ours = ("import sys, time; from pathlib import Path; from tlslint.dialects import nginx; "
            "from tlslint.options import Options; t=time.perf_counter(); "
            "nginx.parse(Path(sys.argv[1]), 'nginx', Options()); print(time.perf_counter()-t)")
    theirs = ("import sys, time, crossplane; t=time.perf_counter(); "
              "crossplane.parse(sys.argv[1], single=True, check_ctx=False, check_args=False); "
              "print(time.perf_counter()-t)")

    def timed(python: str, code: str) -> float:
        out = [float(subprocess.run([python, "-c", code, str(LARGE)], capture_output=True, text=True,
                                    env=ENV, check=True).stdout.split()[-1]) for _ in range(5)]
        return statistics.median(out)

    t_ours = timed(sys.executable, ours)
    t_theirs = timed(crossplane_python(), theirs)
    print(f"large config ({LARGE.stat().st_size / 1e6:.1f} MB): tlslint parse {t_ours * 1000:.0f} ms; "
          f"crossplane parse {t_theirs * 1000:.0f} ms; ratio {t_ours / t_theirs:.2f} (goal <= 1.0)")


if __name__ == "__main__":
    startup()
    large_parse()
