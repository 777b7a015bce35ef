"""One object per app and event loop: the live path's batcher, writer and connection claims.

They hold asyncio tasks and events, which belong to one loop. uvicorn runs one loop per process; each
test client runs its own, so the objects are kept per loop (weakly: a closed loop takes its objects).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def for_this_loop(app: Any, name: str, make: Callable[[], T]) -> T:
    """``app.state.<name>``'s object for the running loop, made by ``make()`` on first use."""
    per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] | None = getattr(app.state, name, None)
    if per_loop is None:
        per_loop = weakref.WeakKeyDictionary()
        setattr(app.state, name, per_loop)
    loop = asyncio.get_running_loop()
    found = per_loop.get(loop)
    if found is None:
        found = per_loop[loop] = make()
    return found
