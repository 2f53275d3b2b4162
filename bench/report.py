"""Render benchmark results: a short console summary, and docs/BENCHMARKS.md."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from bench.common import ROOT

HEADER = """# Benchmarks

Written by `make bench` (`.venv/bin/python -m bench.all`) on {date}. Do not edit by hand: change
`bench/` and run `make bench` again; every figure below is the one that run printed. Each
figure stands beside a bare baseline measured in the same run, on the same machine, and
`ratio` is always value / baseline (below 1 is slower for a rate, above 1 is slower for a
latency or a cost). How the benchmarks work: `bench/README.md`.
"""


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:.3g}"


def ratio(figure: dict[str, Any]) -> str:
    r = figure.get("ratio")
    return "–" if r is None else f"{r:.2f}×"


def console(result: dict[str, Any]) -> str:
    lines = [f"  {result.get('name')}: exit {result.get('exit_code')}, "
             f"{result.get('seconds', 0):.0f} s, log {result.get('log')}"]
    for f in result.get("figures", []):
        base = (f"  ({f.get('baseline')}: {fmt(f.get('baseline_value'))}, ratio {ratio(f)})"
                if f.get("baseline_value") is not None else "")
        lines.append(f"    {f['name']}: {fmt(f['value'])} {f['unit']}{base}")
    return "\n".join(lines)


def description(name: str) -> str:
    """The first paragraph of the benchmark module's docstring, minus its usage line."""
    spec = importlib.util.find_spec(f"bench.{name}")
    if spec is None or spec.origin is None:
        return ""
    source = Path(spec.origin).read_text(encoding="utf-8")
    found = re.match(r'\s*(?:#.*\n)*\s*"""(.*?)"""', source, re.S)
    if not found:
        return ""
    paragraphs = [p.strip() for p in found.group(1).split("\n\n")]
    prose = [p for p in paragraphs if p and not p.startswith((".venv", "python", "uvicorn"))]
    return " ".join(" ".join(p.split()) for p in prose[:2])


def section(result: dict[str, Any]) -> list[str]:
    title = result.get("title") or result["name"]
    out = [f"## {title}", "", description(result["name"]), "",
           f"Command: `{result.get('argv')}` — exit code {result.get('exit_code')}, "
           f"{result.get('seconds', 0):.0f} s wall. Parameters: "
           + ", ".join(f"{k}={v}" for k, v in result.get("params", {}).items()
                       if k != "plots"), ""]
    figures = result.get("figures", [])
    if figures:
        out += ["| figure | value | unit | bare baseline | baseline value | ratio |",
                "| --- | ---: | --- | --- | ---: | ---: |"]
        out += [f"| {f['name']} | {fmt(f['value'])} | {f['unit']} | {f.get('baseline') or '–'}"
                f" | {fmt(f.get('baseline_value'))} | {ratio(f)} |" for f in figures]
        out.append("")
    for plot in result.get("params", {}).get("plots", []):
        out += [f"![{plot}]({plot})", ""]
    out += [note + "\n" for note in result.get("notes", [])]
    return out


def headlines(results: dict[str, dict[str, Any]]) -> list[str]:
    """The first figure of each benchmark, to read before the details."""
    out = ["## Headlines", "", "| benchmark | figure | value | bare baseline | ratio |",
           "| --- | --- | ---: | --- | ---: |"]
    for name, result in results.items():
        figures = result.get("figures") or [{"name": "(no figures: see its section)",
                                             "value": None, "unit": ""}]
        f = figures[0]
        base = (f"{f.get('baseline')}: {fmt(f.get('baseline_value'))}"
                if f.get("baseline") else "–")
        out.append(f"| `bench.{name}` | {f['name']} | {fmt(f['value'])} {f['unit']} | {base} "
                   f"| {ratio(f)} |")
    goals = [n for r in results.values() for n in r.get("notes", []) if n.startswith("Goal")]
    return [*out, "", *[g + "\n" for g in goals]]


def markdown(run: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    lines = [HEADER.format(date=run["date"]), "## Machine", "",
             "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in run["machine"].items()]
    lines += [f"| load average (1, 5, 15 min) before / after | {run['load_before']} / "
              f"{run['load_after']} |",
              f"| total wall time | {run['seconds'] / 60:.1f} min |", ""]
    if run["skipped"]:
        lines += ["Not run: " + "; ".join(f"`bench.{k}` {v}" for k, v in run["skipped"].items()),
                  ""]
    lines += headlines(results)
    for result in results.values():
        lines += section(result)
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines).rstrip() + "\n"
