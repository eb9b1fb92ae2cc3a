"""The project's speed and memory targets, as data: the bench prints a line per target after
its table, and RESULTS.md lists the same lines, both from ``TARGETS``.

A target not met is a figure, not a failure: the bench exits 0 either way.
"""

from __future__ import annotations

from dataclasses import dataclass

MET = "met"
NOT_MET = "NOT met"
NOT_MEASURED_IN_THIS_RUN = "not measured in this run"


@dataclass(frozen=True)
class Figure:
    """A figure of a size's results (``key``), and how a target line shows it."""

    key: str
    name: str
    spec: str
    unit: str = ""

    def format(self, value: float) -> str:
        return f"{value:{self.spec}}{self.unit}"


WALL_RATIO = Figure("wall_ratio", "build/notebook", ".3f")
BUILD_PEAK = Figure("build_peak_mib", "peak", ".0f", " MiB")
REPORT_SECONDS = Figure("report_wall_seconds", "wall", ".1f", " s")
REPORT_PEAK = Figure("report_peak_mib", "peak", ".0f", " MiB")
MAIN_JOB_SECONDS = Figure("main_job_wall_seconds", "wall", ".1f", " s")
MAIN_JOB_PEAK = Figure("main_job_peak_mib", "peak", ".0f", " MiB")


@dataclass(frozen=True)
class Limit:
    figure: Figure
    maximum: float

    def describe(self) -> str:
        return f"at most {self.figure.format(self.maximum)}"


@dataclass(frozen=True)
class Target:
    """What must hold at ``rows`` customers: every limit; ``reported`` figures are shown
    beside them, without a limit."""

    rows: int
    subject: str
    limits: tuple[Limit, ...]
    reported: tuple[Figure, ...] = ()

    def line(self, result: dict | None, missing: str = NOT_MEASURED_IN_THIS_RUN) -> str:
        """``<rows> rows, <subject>: <figure> (at most <limit>), ...: met`` or ``NOT met``;
        ``missing`` when ``result`` (that size's results) is None or lacks a figure."""
        head = f"{self.rows:,} rows, {self.subject}"
        figures = (*(limit.figure for limit in self.limits), *self.reported)
        if result is None or any(result.get(figure.key) is None for figure in figures):
            limits = ", ".join(f"{limit.figure.name} {limit.describe()}" for limit in self.limits)
            return f"{head}: {limits}: {missing}"
        shown = [
            f"{limit.figure.name} {limit.figure.format(result[limit.figure.key])}"
            f" ({limit.describe()})"
            for limit in self.limits
        ]
        shown += [f"{figure.name} {figure.format(result[figure.key])}" for figure in self.reported]
        met = all(result[limit.figure.key] <= limit.maximum for limit in self.limits)
        return f"{head}: {', '.join(shown)}: {MET if met else NOT_MET}"


TARGETS = (
    Target(1_000_000, "production build against the notebook", (Limit(WALL_RATIO, 1.0),)),
    Target(10_000_000, "production build against the notebook", (Limit(WALL_RATIO, 0.35),)),
    Target(10_000_000, "production build", (Limit(BUILD_PEAK, 2048),)),
    Target(10_000_000, "report", (Limit(REPORT_SECONDS, 30), Limit(REPORT_PEAK, 2048))),
    Target(
        100_000_000,
        "main job (build + publish + report)",
        (Limit(MAIN_JOB_PEAK, 12_288),),
        reported=(MAIN_JOB_SECONDS,),
    ),
)


def target_lines(results: list[dict], missing: str = NOT_MEASURED_IN_THIS_RUN) -> list[str]:
    """One line per target, read from the results of the size it names."""
    by_rows = {result["rows"]: result for result in results}
    return [target.line(by_rows.get(target.rows), missing) for target in TARGETS]
