"""Run the shared framework benchmark and turn its results into the docs' chart and table.

    python benchmarks/chart.py --bench-dir ../shared/bench --python .venv-bench/bin/python
    python benchmarks/chart.py --from-json docs/assets/benchmarks.json   # redraw only

Writes docs/assets/benchmarks.json (raw numbers), docs/assets/benchmarks.svg (requests per
second relative to Starlette, per scenario) and docs/assets/benchmarks.md (the table, the
method and the machine), which the "Performance" page includes. Only the standard library.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "docs" / "assets"
APPS = ["starlette_app", "fastapi_app", "litestar_app", "blacksheep_app", "boca_app"]
NAMES = {
    "starlette_app": "Starlette",
    "fastapi_app": "FastAPI",
    "litestar_app": "Litestar",
    "blacksheep_app": "BlackSheep",
    "boca_app": "Boca",
}
COLOURS = {
    "starlette_app": "#9ca3af",
    "fastapi_app": "#059669",
    "litestar_app": "#7c3aed",
    "blacksheep_app": "#1f2937",
    "boca_app": "#ea580c",
}


def run(bench_dir: Path, python: str, seconds: float, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        subprocess.run(
            [
                python,
                str(bench_dir / "inproc.py"),
                "--app-dir",
                str(ROOT / "benchmarks" / "apps"),
                "--apps",
                ",".join(["raw_asgi", *APPS]),
                "--scenarios",
                "all",
                "--seconds",
                str(seconds),
                "--rounds",
                str(rounds),
                "--json",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        data = json.loads(out.read_text())
    data["machine"] = {
        "date": date.today().isoformat(),
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    return data


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover - not Linux
        pass
    return platform.processor() or "unknown"


def ratios(data: dict) -> dict[str, dict[str, float]]:
    """Requests per second relative to Starlette, by scenario and app."""
    median = data["median"]
    out: dict[str, dict[str, float]] = {}
    for scenario in data["scenarios"]:
        base = median.get(f"starlette_app/{scenario}")
        if not base:
            continue
        out[scenario] = {
            app: median[f"{app}/{scenario}"] / base
            for app in APPS
            if median.get(f"{app}/{scenario}")
        }
    return out


def svg(data: dict) -> str:
    """A grouped bar chart on a log scale: static files are hundreds of times faster."""
    table = ratios(data)
    scenarios = list(table)
    bar, gap, label_w, width = 9, 14, 110, 760
    top = 44
    group = bar * len(APPS) + gap
    height = top + group * len(scenarios) + 30
    low = 0.1
    high = 10 ** math.ceil(math.log10(max(max(row.values()) for row in table.values())))
    span = width - label_w - 60

    def x_of(value: float) -> float:
        return (
            label_w
            + (math.log10(max(value, low)) - math.log10(low))
            / (math.log10(high) - math.log10(low))
            * span
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{label_w}" y="16" font-size="13" font-weight="bold">Requests per second '
        "relative to Starlette (in-process, log scale, higher is better)</text>",
    ]
    for i, (app, name) in enumerate(NAMES.items()):
        x = label_w + i * 120
        parts.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{COLOURS[app]}"/>')
        parts.append(f'<text x="{x + 14}" y="33">{html.escape(name)}</text>')
    tick = low
    while tick <= high:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24}" '
            f'stroke="{"#666" if tick == 1 else "#ddd"}"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{tick:g}x</text>')
        tick *= 10
    for s, scenario in enumerate(scenarios):
        y0 = top + s * group
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + group / 2:.1f}" text-anchor="end">'
            f"{html.escape(scenario)}</text>"
        )
        for a, app in enumerate(APPS):
            value = table[scenario].get(app)
            if value is None:
                continue
            y = y0 + a * bar
            w = max(x_of(value) - label_w, 1)
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar - 1}" '
                f'fill="{COLOURS[app]}"><title>{NAMES[app]} {scenario}: {value:.2f}x</title></rect>'
            )
            label = f"{value:.2f}x"
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 1}" font-size="9">{label}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def markdown(data: dict) -> str:
    table = ratios(data)
    median = data["median"]
    args = data["args"]
    machine = data.get("machine", {})
    lines = [
        "| scenario | " + " | ".join(NAMES[a] for a in APPS) + " |",
        "|---" * (len(APPS) + 1) + "|",
    ]
    for scenario, row in table.items():
        cells = []
        for app in APPS:
            rate = median.get(f"{app}/{scenario}")
            cells.append(f"{rate:,.0f} ({row[app]:.2f}x)" if rate and app in row else "n/a")
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Requests per second (median of {args['rounds']} rounds of {args['seconds']} s per "
        "app and scenario, interleaved), and in brackets the ratio to Starlette measured in the "
        f"same run. Measured on {machine.get('date', '?')}: {machine.get('cpu', '?')}, "
        f"{machine.get('cores', '?')} cores, {machine.get('system', '?')}, Python "
        f"{machine.get('python', '?')}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--from-json", type=Path)
    args = parser.parse_args()
    if args.from_json:
        data = json.loads(args.from_json.read_text())
    else:
        data = run(args.bench_dir, args.python, args.seconds, args.rounds)
    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / "benchmarks.json").write_text(json.dumps(data, indent=1) + "\n")
    (ASSETS / "benchmarks.svg").write_text(svg(data))
    (ASSETS / "benchmarks.md").write_text(markdown(data))
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
