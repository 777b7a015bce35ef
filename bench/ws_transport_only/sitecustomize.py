"""``bench_ws_load.py --transport-only``: the server with no coaching, to measure what the socket path alone
costs a frame. Python imports this module at start-up when its directory is on PYTHONPATH; it acts only
in ``facefit serve`` (the benchmark puts the directory on the server's PYTHONPATH alone).

Frames still come off the socket by the short path (``web/live/fastpath.py``) and through
``Connection.take_frame``'s header check, but ``SignalBatcher.put`` hands each straight to
``Connection.step``, which answers every 8th frame with an 18-byte state (about as often as the coach
answers the benchmark's stream: 1.8 replies a second of 15 frames) and does nothing else: no batch, no
signals, no engine, no rows. Everything else (uvloop, the sockets, the WebSocket framing, the replies'
writes, the connection's bookkeeping) is the real server's.
"""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "serve":
    from typing import Any

    import facefit.web.api.routes.live as live
    import facefit.web.live.batcher as batcher
    from facefit.practice.sets import Phase
    from facefit.web.live.protocol import encode_state

    def _put(self: Any, client: Any, header: Any) -> None:
        client.step(header, None)

    def _step(self: Any, header: Any, values: Any) -> None:
        self._stepped()
        if header.seq % 8 == 0:
            self.post(encode_state(seq=header.seq, phase=Phase.WORK, set_index=1, sets=10, reps=0,
                                   target=100, hold_s=0.0, rest_left_s=0.0, active=False, calibrating=False))

    batcher.SignalBatcher.put = _put  # type: ignore[method-assign]
    live.Connection.step = _step  # type: ignore[method-assign]
