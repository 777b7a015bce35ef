"""The live server's own CPU per frame, in one process, without sockets or a client process: the app
``facefit serve`` runs, behind uvicorn's WebSocket protocol object (the one ``facefit serve`` selects),
fed masked frames on a fixed schedule by the event loop itself; replies go to an in-memory transport.

    .venv/bin/python bench/bench_ws_server.py [--streams 350] [--seconds 10] [--fps 15] [--rounds 3]
        [--profile out.prof]

Why beside ``bench_ws_load.py``: on a shared, loaded machine the socket benchmark's generator is starved
as often as the server, which changes how frames bunch up and so what the server pays per frame. Here
nothing but the server and a schedule run, so before/after figures of a change to the frame path are
comparable on a busy machine (process CPU time over the measured frames; the kernel's socket work is
not in it: ``bench_ws_load.py`` measures that). Frames are the same recorded landmark stream as
``bench_ws_load.py`` (its ``--cache``), each stream from its own start frame and time offset.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ws_load as load  # the recorded stream, the accounts

WARMUP_S = 2.0


class Transport:
    """What uvicorn's protocol writes to: collects the bytes; reading is paused/resumed as asked."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.closing = False
        self.paused = False

    def write(self, data: bytes) -> None:
        self.out += data

    def writelines(self, parts: list[bytes]) -> None:
        for part in parts:
            self.out += part

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(name, default)

    def set_write_buffer_limits(self, *args: Any, **kwargs: Any) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


class Stream:
    """One simulated browser: its protocol object, a client-side framer and the server's replies."""

    def __init__(self, protocol_factory: Any, index: int) -> None:
        from websockets.protocol import Protocol, Side, State

        self.index = index
        self.transport = Transport()
        self.protocol = protocol_factory()
        self.protocol.connection_made(self.transport)
        self.client = Protocol(Side.CLIENT, state=State.OPEN, max_size=2**20)
        self.parsed = 0  # bytes of transport.out already parsed
        self.handshaken = False
        self.messages: list[Any] = []

    def connect(self) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.protocol.data_received(
            (f"GET /ws/coach HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode())

    def send_text(self, text: str) -> None:
        self.client.send_text(text.encode())
        self.protocol.data_received(b"".join(self.client.data_to_send()))

    def encode_binary(self, data: bytes) -> bytes:
        self.client.send_binary(data)
        return b"".join(self.client.data_to_send())

    def read(self) -> list[Any]:
        """The server's messages since the last call (text as parsed JSON, binary as bytes)."""
        out = self.transport.out
        if not self.handshaken:
            end = out.find(b"\r\n\r\n")
            if end < 0:
                return []
            self.parsed, self.handshaken = end + 4, True
        if len(out) > self.parsed:
            self.client.receive_data(bytes(out[self.parsed:]))
            self.parsed = len(out)
        got = []
        for frame in self.client.events_received():
            got.append(json.loads(frame.data) if frame.opcode.name == "TEXT" else bytes(frame.data))
        return got


async def run(streams: int, seconds: float, fps: float, tokens: list[str], app: Any,
              frames: list[bytes], profile: Path | None, ws: str | None) -> dict[str, float]:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from facefit.cli.web import uvicorn_options

    options = uvicorn_options(app.state.settings)
    options.update({"ws": ws} if ws else {})
    config = Config(app=app, lifespan="off", log_level="warning", **options)
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()

    def factory() -> Any:
        return config.ws_protocol_class(config=config, server_state=state, app_state={}, _loop=loop)

    clients = [Stream(factory, i) for i in range(streams)]
    for client in clients:
        client.connect()
        await asyncio.sleep(0)
        client.send_text(json.dumps({"type": "start", "exercise": "cheek-lifter",
                                     "token": tokens[client.index], "sets": 10, "reps": 100, "rest_s": 0,
                                     "binary": True}))
    deadline = time.monotonic() + 60 + streams * 0.2
    ready = 0
    while ready < streams and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        for client in clients:
            for message in client.read():
                if isinstance(message, dict):
                    if message.get("type") == "ready":
                        ready += 1
                    elif message.get("type") == "error":
                        raise SystemExit(f"server error: {message}")
    if ready < streams:
        raise SystemExit(f"only {ready} of {streams} streams got 'ready'")
    period = 1.0 / fps
    n = len(frames)
    total = int((WARMUP_S + seconds) * fps)
    # Every frame encoded (masked) up front: the schedule then only hands bytes to the protocol.
    wire = []
    for client in clients:
        start = (client.index * 7919) % n
        mine = []
        for seq in range(total):
            data = bytearray(frames[(start + seq) % n])
            data[4:8] = seq.to_bytes(4, "little")
            data[8:16] = np.float64(1000.0 * seq * period).tobytes()
            mine.append(client.encode_binary(bytes(data)))
        wire.append(mine)
    gc.collect()
    t0 = loop.time() + 0.5

    def deliver(received: Any, mine: list[bytes], due: float, seq: int) -> None:
        """One stream's frame ``seq``, and its next frame scheduled (one timer per stream: a late loop
        delivers each stream's frames in order)."""
        received(mine[seq])
        if seq + 1 < len(mine):
            loop.call_at(due + period, deliver, received, mine, due + period, seq + 1)

    for client, mine in zip(clients, wire, strict=True):
        due = t0 + (client.index * 0.0137) % period
        loop.call_at(due, deliver, client.protocol.data_received, mine, due, 0)
    await asyncio.sleep(t0 + WARMUP_S - loop.time())
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    def taken() -> int:
        return sum(getattr(c.protocol, "frames_taken", 0) for c in clients)

    taken0 = taken()
    cpu0, wall0, bytes0 = time.process_time(), time.perf_counter(), sum(len(c.transport.out) for c in clients)
    await asyncio.sleep(t0 + WARMUP_S + seconds - loop.time())
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    short_path = (taken() - taken0) / (streams * int(seconds * fps))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    measured = streams * int(seconds * fps)
    replies = 0
    errors = []
    for client in clients:
        for message in client.read():
            replies += 1
            if isinstance(message, dict) and message.get("type") == "error":
                errors.append(message["message"])
    if errors:
        raise SystemExit(f"{len(errors)} errors, first: {errors[0]}")
    late_s = loop.time() - (t0 + WARMUP_S + seconds)
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)  # tasks cancelled at the end
    for client in clients:  # the connections end as when the browser goes: their rows are saved
        client.protocol.connection_lost(None)
    await asyncio.sleep(1.0)
    return {"cpu_us": 1e6 * cpu / measured, "cpu_share": cpu / wall, "late_s": late_s,
            "reply_bytes": sum(len(c.transport.out) for c in clients) - bytes0, "replies": replies,
            "short_path": short_path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=350)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds (after a 2 s warm-up)")
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=3, help="fresh server (app and loop) per round")
    parser.add_argument("--profile", type=Path, default=None,
                        help="cProfile the measured window (last round)")
    parser.add_argument("--ws", default=None, help="uvicorn ws protocol instead of facefit serve's (A/B)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "facefit-bench-ws")
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})  # one core, as the server has
    stream = load.load_stream(load.record_stream(args.cache), args.fps)
    frames, _ = load.encode_stream(stream)
    from facefit.cli.web import build_app
    from facefit.web.settings import WebSettings

    print(f"{args.streams} streams x {args.fps:g} fps, {args.seconds:g} s measured, load average "
          f"{os.getloadavg()[0]:.2f}")
    figures = []
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="facefit-bench-server-") as home:
            os.environ["FACEFIT_HOME"] = home
            db_url = f"sqlite:///{home}/bench.db"
            tokens = load.make_users(db_url, args.streams)
            app = build_app(WebSettings(db_url=db_url, secure_cookies=False))
            loop_factory = load._loop_factory()
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                result = runner.run(run(args.streams, args.seconds, args.fps, tokens, app, frames,
                                        args.profile if round_ == args.rounds - 1 else None, args.ws))
            app.state.store.close()
        figures.append(result["cpu_us"])
        print(f"round {round_ + 1}: server CPU {result['cpu_us']:.1f} us/frame "
              f"({result['cpu_share']:.0%} of a core), "
              f"{result['replies'] / (args.streams * args.seconds):.2f} replies/s a stream, schedule "
              f"{result['late_s'] * 1000:.0f} ms late at the end, {result['short_path']:.0%} of the measured "
              f"frames by the short path; load average {os.getloadavg()[0]:.2f}")
    print(f"median {float(np.median(figures)):.1f} us/frame, min {min(figures):.1f}")


if __name__ == "__main__":
    main()
