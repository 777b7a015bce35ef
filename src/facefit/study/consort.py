"""The CONSORT flow: who was assessed, excluded, allocated, followed up and analysed, boxes that add up.

Counts are derived once (:func:`consort_counts`) from the participants and their final visits; the
diagram (:func:`consort_figure`) only draws them. Per arm, ``allocated = completed + discontinued +
lost``, and ``analysed ITT = allocated`` (everyone randomised is analysed in their arm), ``analysed PP +
excluded from PP = allocated``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from matplotlib.figure import Figure

from facefit.study.analysis import per_protocol_codes
from facefit.study.data import StudyData


@dataclass
class ArmFlow:
    arm: str
    label: str
    allocated: int = 0
    completed: int = 0
    discontinued: int = 0
    discontinued_reasons: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    analysed_itt: int = 0
    analysed_pp: int = 0
    excluded_pp: int = 0


@dataclass
class ConsortCounts:
    assessed: int
    excluded: int
    excluded_reasons: dict[str, int]
    randomised: int
    awaiting: int  # eligible, enrolled, not (yet) randomised
    arms: list[ArmFlow]

    def add_up(self) -> list[str]:
        """Every identity the diagram relies on that does not hold (empty: the boxes add up)."""
        problems = []
        if self.assessed != self.excluded + self.randomised + self.awaiting:
            problems.append("assessed != excluded + randomised + awaiting randomisation")
        if self.randomised != sum(a.allocated for a in self.arms):
            problems.append("randomised != sum of allocated")
        for arm in self.arms:
            if arm.allocated != arm.completed + arm.discontinued + arm.lost:
                problems.append(f"{arm.arm}: allocated != completed + discontinued + lost")
            if arm.analysed_itt != arm.allocated:
                problems.append(f"{arm.arm}: analysed ITT != allocated")
            if arm.analysed_pp + arm.excluded_pp != arm.allocated:
                problems.append(f"{arm.arm}: analysed PP + excluded from PP != allocated")
            if sum(arm.discontinued_reasons.values()) != arm.discontinued:
                problems.append(f"{arm.arm}: discontinuation reasons do not add up")
        if sum(self.excluded_reasons.values()) < self.excluded:
            problems.append("exclusion reasons do not cover every excluded person")
        return problems

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def consort_counts(data: StudyData) -> ConsortCounts:
    definition = data.study.definition
    people = data.participants
    final = definition.endpoints.final_visit
    completed = set(
        data.visits[(data.visits["visit"] == final) & (data.visits["status"] == "complete")]["participant"]
    )
    excluded = people[people["status"] == "ineligible"]
    reasons: Counter[str] = Counter()
    for row in excluded["eligibility"]:
        for reason in row or ["not eligible"]:
            reasons[_reason_kind(reason)] += 1
    pp = per_protocol_codes(data)
    arms = []
    for arm in definition.arms:
        members = people[people["arm"] == arm.id]
        flow = ArmFlow(arm.id, arm.label, allocated=len(members))
        why: Counter[str] = Counter()
        for _, person in members.iterrows():
            if person["code"] in completed:
                flow.completed += 1
            elif person["status"] == "withdrawn":
                flow.discontinued += 1
                why[str(person["withdrawal_reason"] or "no reason given")] += 1
            else:
                flow.lost += 1
        flow.discontinued_reasons = dict(why)
        flow.analysed_itt = flow.allocated
        flow.analysed_pp = int(members["code"].isin(pp).sum())
        flow.excluded_pp = flow.allocated - flow.analysed_pp
        arms.append(flow)
    randomised = int(people["arm"].notna().sum())
    return ConsortCounts(
        assessed=len(people),
        excluded=len(excluded),
        excluded_reasons=dict(reasons),
        randomised=randomised,
        awaiting=len(people) - len(excluded) - randomised,
        arms=arms,
    )


def _reason_kind(reason: str) -> str:
    if reason.startswith("age"):
        return "age outside the range"
    if reason.startswith("sex"):
        return "sex not included"
    if "screen" in reason or "clinician" in reason:
        return "screening"
    return reason


def consort_figure(counts: ConsortCounts) -> Figure:
    """The flow diagram as boxes and arrows (matplotlib, no display needed)."""
    fig = Figure(figsize=(8.27, 8.5))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.axis("off")

    def box(x: float, y: float, text: str, width: float = 36) -> None:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            wrap=True,
            bbox={"boxstyle": "square,pad=0.6", "facecolor": "white", "edgecolor": "#333"},
        )

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#333"})

    reasons = "\n".join(f"  {k}: {v}" for k, v in sorted(counts.excluded_reasons.items()))
    box(50, 93, f"Assessed for eligibility (n = {counts.assessed})")
    box(82, 80, f"Excluded (n = {counts.excluded})\n{reasons}".rstrip())
    arrow(50, 90, 50, 76)
    arrow(50, 84, 66, 82)
    waiting = f"\n(eligible, awaiting randomisation: {counts.awaiting})" if counts.awaiting else ""
    box(50, 72, f"Randomised (n = {counts.randomised}){waiting}")
    xs = (
        [25, 75]
        if len(counts.arms) == 2
        else [100 * (i + 0.5) / len(counts.arms) for i in range(len(counts.arms))]
    )
    for x, arm in zip(xs, counts.arms, strict=False):
        arrow(50, 69, x, 60)
        box(x, 56, f"Allocated to {arm.arm} (n = {arm.allocated})")
        why = "\n".join(f"  {k}: {v}" for k, v in sorted(arm.discontinued_reasons.items()))
        box(
            x,
            38,
            f"Completed final visit: {arm.completed}\nDiscontinued: {arm.discontinued}"
            f"{chr(10) + why if why else ''}\nLost to follow-up: {arm.lost}",
        )
        arrow(x, 53, x, 44)
        box(
            x,
            16,
            f"Analysed, intention to treat (n = {arm.analysed_itt})\n"
            f"Analysed, per protocol (n = {arm.analysed_pp})\n"
            f"Excluded from per protocol: {arm.excluded_pp}",
        )
        arrow(x, 31, x, 22)
    ax.text(2, 64, "Allocation", fontsize=9, weight="bold")
    ax.text(2, 45, "Follow-up", fontsize=9, weight="bold")
    ax.text(2, 24, "Analysis", fontsize=9, weight="bold")
    return fig
