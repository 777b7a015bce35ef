"""The live frames' short path (``web/live/fastpath.py``, what ``facefit serve`` runs): uvicorn's protocol
object with the real app, fed the bytes a browser sends, in chunks that cut frames anywhere. Coaching
results are the ones ``facefit analyze`` gives (as through ASGI: test_live_replay.py), control messages
are answered after the frames sent before them, and what the short path does not take (a bad frame, a
frame too big) is handled as it always was."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

from fastapi import FastAPI
from webtest_helpers import (
    engine_events_on_wire,
    frame_bytes,
    offline_events,
    stored_events,
    without_set_keys,
)

from facefit.cli.web import uvicorn_options
from facefit.web.live.fastpath import LiveWebSocketProtocol, server_frame
from facefit.web.live.protocol import decode_state


class Transport:
    def __init__(self) -> None:
        self.out = bytearray()
        self.closing = False

    def write(self, data: bytes) -> None:
        self.out += data

    paused = False
    pauses = 0

    def pause_reading(self) -> None:
        self.paused = True
        self.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(name, default)


class Browser:
    """One WebSocket client talking to the protocol object directly."""

    def __init__(self, app: FastAPI) -> None:
        from uvicorn.config import Config
        from uvicorn.server import ServerState
        from websockets.protocol import Protocol, Side, State

        config = Config(app=app, lifespan="off", log_level="warning", **uvicorn_options(app.state.settings))
        config.load()
        assert config.ws_protocol_class is LiveWebSocketProtocol  # what facefit serve runs
        self.protocol = config.ws_protocol_class(config=config, server_state=ServerState(), app_state={})
        self.transport = Transport()
        self.protocol.connection_made(self.transport)
        self.client = Protocol(Side.CLIENT, state=State.OPEN, max_size=2**22)
        self.parsed = -1
        key = base64.b64encode(os.urandom(16)).decode()
        self.protocol.data_received(
            (f"GET /ws/coach HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode())

    def wire(self, payload: bytes | str) -> bytes:
        if isinstance(payload, str):
            self.client.send_text(payload.encode())
        else:
            self.client.send_binary(payload)
        return b"".join(self.client.data_to_send())

    def messages(self) -> list[Any]:
        out = self.transport.out
        if self.parsed < 0:
            end = out.find(b"\r\n\r\n")
            if end < 0:
                return []
            self.parsed = end + 4
        self.client.receive_data(bytes(out[self.parsed:]))
        self.parsed = len(out)
        return [json.loads(f.data) if f.opcode.name == "TEXT" else (f.opcode.name, bytes(f.data))
                for f in self.client.events_received()]

    async def opened(self) -> None:
        """Wait for the handshake's answer (a browser sends nothing before it)."""
        while b"\r\n\r\n" not in self.transport.out:
            await asyncio.sleep(0.01)

    async def until(self, done: Any, seen: list[Any], timeout: float = 60.0) -> list[Any]:
        """Run the loop until ``done(message)`` for a message; every message so far is in ``seen``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            await asyncio.sleep(0.01)
            for message in self.messages():
                seen.append(message)
                if done(message):
                    return seen
        raise AssertionError(f"no such message; got {seen[-5:]}")


def _token(user: Any) -> str:
    made = user.client.post("/api/account/tokens", json={"name": "t", "scope": "practice"})
    return str(made.json()["token"])


def _state(message: Any) -> Any:
    return decode_state(message[1]) if isinstance(message, tuple) and message[0] == "BINARY" else message



async def _started(app: Any, token: str) -> tuple[Browser, list[Any], dict[str, Any]]:
    """A browser whose cheek-lifter stream has started: it, the messages seen, and the "ready" message."""
    browser = Browser(app)
    await browser.opened()
    seen: list[Any] = []
    browser.protocol.data_received(browser.wire(json.dumps(
        {"type": "start", "exercise": "cheek-lifter", "sets": 1, "binary": True, "token": token})))
    ready = (await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "ready", seen))[-1]
    return browser, seen, ready

async def _ended(browser: Browser, seen: list[Any]) -> tuple[list[Any], int]:
    """After the pong for a stream's last frames: end the session, wait for "saved", drop the
    connection; every message seen (state replies decoded) and how many frames the short path took."""
    await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "pong", seen)
    browser.protocol.data_received(browser.wire(json.dumps({"type": "end"})))
    await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "saved", seen)
    taken = browser.protocol.frames_taken
    browser.protocol.connection_lost(None)
    await asyncio.sleep(0.2)
    return [_state(m) for m in seen], taken


def test_frames_through_the_short_path_give_the_events_analyze_gives(app: FastAPI, make_user: Any,
                                                                       recording: Any) -> None:
    token = _token(make_user("short@example.org"))

    async def session() -> tuple[list[Any], int]:
        browser, seen, ready = await _started(app, token)
        first = browser.wire(frame_bytes(recording, 0, ready["landmarks"]))
        browser.protocol.data_received(first)  # the first frame starts making the session row
        await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "session", seen)
        rest = b"".join(browser.wire(frame_bytes(recording, i, ready["landmarks"]))
                        for i in range(1, len(recording.t_ms)))
        rest += browser.wire(json.dumps({"type": "ping"}))
        for start in range(0, len(rest), 1000):  # cut anywhere, a frame or two a chunk: as TCP delivers
            browser.protocol.data_received(rest[start:start + 1000])
            await asyncio.sleep(0.005)
        return await _ended(browser, seen)

    messages, taken = asyncio.run(session())
    assert taken >= len(recording.t_ms) - 10  # all but the first few took the short path
    assert not [m for m in messages if m.get("type") == "error"]
    pong = next(i for i, m in enumerate(messages) if m.get("type") == "pong")
    answered = [m["seq"] for m in messages[:pong] if m.get("type") == "tick" and m.get("seq") is not None]
    assert answered and max(answered) == len(recording.t_ms) - 1  # the ping came after the last frame
    assert engine_events_on_wire(messages) == offline_events(recording)


def test_the_first_frame_does_not_wait_for_the_session_row(app: FastAPI, make_user: Any,
                                                            recording: Any) -> None:
    """Every frame, the first included, by the short path, sent at once without waiting for the "session"
    message: the row is made meanwhile and the events coached before it existed are stored in it; on
    the wire and in the store they are the events ``analyze_series`` gives."""
    token = _token(make_user("first-frame@example.org"))

    async def session() -> tuple[list[Any], int]:
        browser, seen, ready = await _started(app, token)
        frames = b"".join(browser.wire(frame_bytes(recording, i, ready["landmarks"]))
                          for i in range(len(recording.t_ms)))
        frames += browser.wire(json.dumps({"type": "ping"}))
        for start in range(0, len(frames), 1000):
            browser.protocol.data_received(frames[start:start + 1000])
            await asyncio.sleep(0.002)
        return await _ended(browser, seen)

    messages, taken = asyncio.run(session())
    assert taken == len(recording.t_ms)  # the first frame too: none waited for the row on the ASGI path
    assert not [m for m in messages if m.get("type") == "error"]
    (session_id,) = [m["session_id"] for m in messages if m.get("type") == "session"]
    offline = offline_events(recording)
    assert sum(e["kind"] == "rep" for e in offline) == len(recording.truth["reps"])
    assert engine_events_on_wire(messages) == offline
    stored = stored_events(app, session_id)
    assert [without_set_keys(payload) for _, payload in stored] == offline


def test_a_stream_with_frames_waiting_stops_being_read_and_keeps_the_short_path(
        app: FastAPI, make_user: Any, recording: Any) -> None:
    """More than MAX_QUEUED frames in one read: all are taken by the short path (none through ASGI), the
    socket's reading is paused while they wait and resumed once they are stepped, and every frame is
    answered in order."""
    from facefit.web.api.routes.live import MAX_QUEUED

    token = _token(make_user("burst@example.org"))

    async def session() -> tuple[list[Any], int, int, bool]:
        browser, seen, ready = await _started(app, token)
        browser.protocol.data_received(browser.wire(frame_bytes(recording, 0, ready["landmarks"])))
        await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "session", seen)
        burst = 3 * MAX_QUEUED
        taken_before = browser.protocol.frames_taken
        browser.protocol.data_received(b"".join(browser.wire(frame_bytes(recording, i, ready["landmarks"]))
                                                for i in range(1, burst + 1)))
        taken = browser.protocol.frames_taken - taken_before
        paused = browser.transport.paused
        browser.protocol.data_received(browser.wire(json.dumps({"type": "ping"})))
        await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "pong", seen)
        resumed = not browser.transport.paused
        browser.protocol.connection_lost(None)
        await asyncio.sleep(0.2)
        return [_state(m) for m in seen], taken, burst, paused and resumed

    messages, taken, burst, paused_then_resumed = asyncio.run(session())
    assert taken == burst  # every frame of the burst by the short path
    assert paused_then_resumed
    assert not [m for m in messages if m.get("type") == "error"]
    answered = [m["seq"] for m in messages if m.get("type") == "tick" and m.get("seq") is not None]
    assert answered == sorted(answered) and answered[-1] == burst  # in order, up to the burst's last


def test_what_the_short_path_leaves_is_handled_as_before(app: FastAPI, make_user: Any,
                                                          recording: Any) -> None:
    token = _token(make_user("leftover@example.org"))

    async def session() -> list[Any]:
        browser, seen, ready = await _started(app, token)
        for i in range(3):
            browser.protocol.data_received(browser.wire(frame_bytes(recording, i, ready["landmarks"])))
        browser.protocol.data_received(browser.wire(b"\x01\x00"))  # a frame too short for its header
        await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "error", seen)
        browser.protocol.data_received(browser.wire(frame_bytes(recording, 3, ready["landmarks"])))
        browser.protocol.data_received(browser.wire(json.dumps({"type": "ping"})))
        await browser.until(lambda m: isinstance(m, dict) and m.get("type") == "pong", seen)
        browser.protocol.data_received(browser.wire(b"\x00" * (app.state.settings.max_ws_message_bytes + 1)))
        return await browser.until(lambda m: isinstance(m, tuple) and m[0] == "CLOSE", seen, timeout=10)

    messages = asyncio.run(session())
    errors = [m["message"] for m in messages if isinstance(m, dict) and m.get("type") == "error"]
    assert errors == ["binary frame too short: 2 bytes, the header alone is 20"]
    assert int.from_bytes(messages[-1][1][:2], "big") == 1009  # too big: closed by the parser, as always


def test_replies_are_framed_as_the_websockets_library_frames_them() -> None:
    """The short path frames its replies itself: byte for byte what websockets would send, at every
    length encoding (7-bit, 16-bit, 64-bit), for binary states and JSON text."""
    from websockets.frames import Frame, Opcode

    for size in (0, 18, 125, 126, 1000, 65535, 65536, 70_000):
        payload = os.urandom(size)
        for opcode, code in ((Opcode.BINARY, 0x82), (Opcode.TEXT, 0x81)):
            expected = Frame(opcode, payload).serialize(mask=False, extensions=[])
            assert server_frame(code, payload) == expected, (opcode, size)
