"""When a batched live-session transaction fails, the writer and the opener retry each item on its
own (web/live/writer.py, ``_one_by_one``): one bad item fails only its own future, the others get
their results, and a future already settled is left as it was."""

from __future__ import annotations

import asyncio

import pytest

from facefit.web.live.writer import _one_by_one


def test_one_bad_item_fails_only_its_own_future() -> None:
    async def run() -> list[object]:
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in range(4)]
        futures[3].set_result("settled before")

        def bad() -> int:
            raise ValueError("row 2 is bad")

        await _one_by_one([(lambda: 11, futures[0]), (bad, futures[1]), (lambda: 13, futures[2]),
                           (lambda: 14, futures[3])])
        with pytest.raises(ValueError, match="row 2 is bad"):
            futures[1].result()
        return [futures[0].result(), futures[2].result(), futures[3].result()]

    assert asyncio.run(run()) == [11, 13, "settled before"]
