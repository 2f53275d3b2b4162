"""PNG plots for docs/: people would rather look than read."""

from __future__ import annotations

from typing import Any

from bench.common import ROOT

DOCS = ROOT / "docs"


def scaling(stages: dict[int, dict[str, Any]], lookups: list[dict[str, Any]]) -> list[str]:
    """Cost per event and peak memory by events; lookup latency by subjects. Relative paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["import", "relay", "rebuild"]
    fig, (cost, memory) = plt.subplots(1, 2, figsize=(10, 4))
    for i, name in enumerate(names):
        color = f"C{i}"
        events = [stages[f][name]["events"] for f in sorted(stages)]
        cost.plot(events, [stages[f][name]["per_event_us"] for f in sorted(stages)], "o-",
                  color=color, label=f"{name} (wall)")
        cost.plot(events, [stages[f][name]["cpu_per_event_us"] for f in sorted(stages)], "x:",
                  color=color, label=f"{name} (CPU)")
        memory.plot(events, [stages[f][name]["max_rss_mb"] for f in sorted(stages)], "o-",
                    color=color, label=name)
    cost.set(title="Cost per event (flat is good)", xlabel="events", ylabel="µs per event")
    memory.set(title="Peak RSS of the process", xlabel="events", ylabel="MB")
    for ax in (cost, memory):
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    first = "bench-scaling-events.png"
    fig.savefig(DOCS / first, dpi=90)
    plt.close(fig)

    fig, (latency, rate) = plt.subplots(1, 2, figsize=(10, 4))
    subjects = [p["subjects"] for p in lookups]
    latency.plot(subjects, [p["p50_ms"] for p in lookups], "o-", label="p50")
    latency.plot(subjects, [p["p99_ms"] for p in lookups], "o-", label="p99")
    latency.set(title="Profile lookup latency at a fixed rate", xlabel="subjects",
                ylabel="ms", xscale="log")
    rate.plot(subjects, [p["max_rps"] for p in lookups], "o-")
    rate.set(title="Most profile lookups per second (wrk)", xlabel="subjects",
             ylabel="requests/s", xscale="log")
    for ax in (latency, rate):
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    latency.legend()
    fig.tight_layout()
    second = "bench-scaling-lookups.png"
    fig.savefig(DOCS / second, dpi=90)
    plt.close(fig)
    return [first, second]
