"""The allocation schedule: stratified permuted blocks, generated up front from a seed (pure).

Each stratum gets its own list of slots. Slots come in blocks; a block holds every arm in the
protocol's ratio (a 1:1 block of 4 is two and two) in a random order, and each block's size is drawn at
random from the protocol's block sizes, so someone who knows the last few allocations still cannot
tell the next one. The randomness is HMAC-SHA256 of the seed, the stratum and a counter (not a library
RNG whose stream may change between versions): the same protocol and seed give the same schedule on any
machine, forever, which is what lets anyone check the stored schedule against the seed afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from facefit.study.definition import StudyDefinition

MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Slot:
    """One schedule entry: the ``position``-th participant randomised in ``stratum`` gets ``arm``."""

    stratum: str
    position: int
    block: int
    block_size: int
    arm: str

    def as_row(self) -> dict[str, object]:
        return {"stratum": self.stratum, "position": self.position, "block": self.block,
                "block_size": self.block_size, "arm": self.arm}


class _Stream:
    """Deterministic uniform integers from HMAC-SHA256(seed, stratum | counter)."""

    def __init__(self, seed: int, stratum: str) -> None:
        self._key = str(seed).encode()
        self._label = stratum.encode()
        self._counter = 0

    def _word(self) -> int:
        self._counter += 1
        message = self._label + b"|" + str(self._counter).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    def below(self, n: int) -> int:
        """Uniform in ``range(n)`` (rejection sampling: no modulo bias)."""
        limit = (2**64 // n) * n
        while True:
            word = self._word()
            if word < limit:
                return word % n

    def shuffle(self, items: list[str]) -> list[str]:
        out = list(items)
        for i in range(len(out) - 1, 0, -1):  # Fisher-Yates
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out


def check_seed(seed: int) -> int:
    if not 0 <= int(seed) <= MAX_SEED:
        raise ValueError(f"the allocation seed must be an integer from 0 to {MAX_SEED}, got {seed}")
    return int(seed)


def block_arms(study: StudyDefinition, size: int) -> list[str]:
    """The arms one block of ``size`` holds, in protocol order (``size`` is a multiple of the ratio sum)."""
    ratio = study.allocation.ratio
    per = size // sum(ratio.values())
    return [arm.id for arm in study.arms for _ in range(ratio[arm.id] * per)]


def stratum_slots(study: StudyDefinition, seed: int, stratum: str) -> list[Slot]:
    """Whole blocks until at least ``slots_per_stratum`` slots (a block is never cut short)."""
    stream = _Stream(check_seed(seed), stratum)
    sizes = study.allocation.block_sizes
    slots: list[Slot] = []
    block = 0
    while len(slots) < study.allocation.slots_per_stratum:
        block += 1
        size = sizes[stream.below(len(sizes))]
        for arm in stream.shuffle(block_arms(study, size)):
            slots.append(Slot(stratum, len(slots) + 1, block, size, arm))
    return slots


def generate_schedule(study: StudyDefinition, seed: int) -> list[Slot]:
    """Every stratum's slots, strata in protocol order."""
    return [slot for stratum in study.strata() for slot in stratum_slots(study, seed, stratum)]


def schedule_digest(slots: Iterable[Slot] | Iterable[object]) -> str:
    """SHA-256 over the schedule's lines (stratum, position, block, size, arm), in stratum/position order.

    Published at creation (a commitment): once the seed is revealed, anyone can regenerate the schedule
    and check that this is the one the trial used.
    """
    lines = sorted(
        f"{s.stratum},{s.position:06d},{s.block},{s.block_size},{s.arm}"  # type: ignore[attr-defined]
        for s in slots
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def blocks_of(slots: Sequence[Slot]) -> dict[tuple[str, int], list[Slot]]:
    out: dict[tuple[str, int], list[Slot]] = {}
    for slot in slots:
        out.setdefault((slot.stratum, slot.block), []).append(slot)
    return out
