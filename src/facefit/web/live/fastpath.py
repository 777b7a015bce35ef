"""uvicorn's WebSocket protocol with a short path for live landmark frames (``facefit serve`` uses it).

Why. Through ASGI, every ~760-byte frame costs the server, before any coaching: the websockets parser's
generators and a Frame object, a message dict put on an asyncio queue, the socket's reading paused and
resumed, and the connection's task woken through a dozen awaiting frames of middleware and routing
(profiled with py-spy on ``bench/bench_ws_server.py``: about a third of the event loop's time at 100
streams). At 15 frames a second per user that is paid thousands of times a second on one core.

What. This protocol splits the incoming bytes into WebSocket frames itself. A complete, final, masked
binary frame is unmasked (the websockets C helper) and offered to the connection's *frame sink*, a plain
function the live handler registers through the ASGI scope's ``extensions["facefit.live"]``; the sink
takes it (hands it to the batcher) or declines. Everything else, and every frame the sink declines, goes
whole to uvicorn's own protocol and reaches the app through ASGI exactly as before: text (control)
messages, pings and pongs, close, fragmented or oversized frames, anything malformed (the websockets
parser then rejects it as it always did). Replies are written at once the same way when nothing else is
waiting to be sent (:meth:`LiveWebSocketProtocol.write_now`), without a task per reply.

Order is kept: the sink takes a frame only while uvicorn's queue to the app is empty and the handler
sits waiting for the next message (``web/api/routes/live.py``, ``Connection.take_frame``), so no frame
overtakes a message sent before it. The websockets parser only ever sees whole frames, so it is always
at a frame boundary when it gets one. An app or server without the extension (tests' ASGI client, other
servers) simply uses the ASGI path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State
from websockets.speedups import apply_mask

EXTENSION = "facefit.live"
"""The scope extension under which the live handler finds this protocol (:class:`LiveLink`)."""
FIN_BINARY = 0x82
"""First byte of an unfragmented binary frame without extension bits."""


class LiveLink:
    """What the live handler may use: register a frame sink, write a reply now."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: LiveWebSocketProtocol) -> None:
        self._protocol = protocol

    def set_sink(self, sink: Callable[[bytes], bool] | None) -> None:
        """``sink(payload)`` returns True when it took the binary message, False to send it through ASGI."""
        self._protocol.sink = sink

    def write_now(self, message: bytes | str) -> bool:
        """Send ``message`` now if the socket can take it (False: send it the ordinary way)."""
        return self._protocol.write_now(message)

    def hold_reading(self) -> None:
        """Stop reading the socket (the stream has enough frames waiting): TCP slows the client down."""
        self._protocol.hold_reading()

    def release_reading(self) -> None:
        """Read the socket again (unless uvicorn's own queue still holds a message for the app)."""
        self._protocol.release_reading()


class LiveWebSocketProtocol(WebSocketsSansIOProtocol):
    """See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sink: Callable[[bytes], bool] | None = None
        self._buffer = b""  # bytes of an incomplete frame (handshake bytes go straight to uvicorn)
        self._raw = False  # everything goes to uvicorn's parser from here on (a frame too big to hold)
        self._fresh = True  # no frame seen since the handshake yet
        self.frames_taken = 0  # binary messages the sink took (tests and benchmarks read it)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        if self.handshake_initiated and hasattr(self, "scope"):
            self.scope["extensions"][EXTENSION] = LiveLink(self)

    def data_received(self, data: bytes) -> None:
        if self._raw or not self.handshake_complete or self.conn.state is not State.OPEN:
            if self.handshake_initiated and not self.handshake_complete:
                self._raw = True  # frames sent before the handshake's answer: leave them all to uvicorn
            super().data_received(data)
            return
        if self._fresh:
            self._fresh = False
            if self.conn.reader.buffer:  # bytes that came with the handshake: the parser has them
                self._raw = True
                super().data_received(data)
                return
        if self._buffer:
            data = self._buffer + data
            self._buffer = b""
        size, limit, pos = len(data), self.config.ws_max_size, 0
        while size - pos >= 2:
            second = data[pos + 1]
            length = second & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(data[pos + 2:pos + 4], "big")
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(data[pos + 2:pos + 10], "big")
                head = 10
            if second & 0x80:
                head += 4  # the mask (a client must mask; the websockets parser rejects one that does not)
            if length > limit:  # too big to hold: uvicorn's parser refuses it (close 1009) as it always did
                self._raw = True
                super().data_received(data[pos:])
                return
            end = pos + head + length
            if end > size:
                break
            sink = self.sink
            if (data[pos] != FIN_BINARY or not second & 0x80 or sink is None or self.close_sent
                    or not self.queue.empty()
                    or not sink(apply_mask(data[pos + head:end], data[pos + head - 4:pos + head]))):
                super().data_received(data[pos:end])  # a whole frame: the parser stays at a boundary
                if self.conn.state is not State.OPEN:
                    self._raw = True
                    if end < size:
                        super().data_received(data[end:])
                    return
            else:
                self.frames_taken += 1
            pos = end
        if pos < size:
            self._buffer = data[pos:]

    def hold_reading(self) -> None:
        """Pause the transport, flagged as uvicorn flags its own pause (``read_paused``), so whichever
        side resumes first finds it consistent."""
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def release_reading(self) -> None:
        """Resume reading after :meth:`hold_reading`; left to uvicorn's ``receive`` while its queue to
        the app holds a message (it resumes once the app has taken them all)."""
        if self.read_paused and self.queue.empty() and not self.transport.is_closing():
            self.read_paused = False
            self.transport.resume_reading()

    def write_now(self, message: bytes | str) -> bool:
        """Frame and write ``message`` at once (False when the socket is not open for writing now: paused
        by flow control, closing or closed)."""
        if (self.close_sent or self.disconnected or not self.writable.is_set()
                or self.conn.state is not State.OPEN or self.transport.is_closing()):
            return False
        queued = self.conn.data_to_send()  # anything the parser has queued (a pong) goes first
        if queued:
            self.transport.write(b"".join(queued))
        payload, opcode = (message, 0x82) if isinstance(message, bytes) else (message.encode(), 0x81)
        self.transport.write(server_frame(opcode, payload))
        return True


def server_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked WebSocket frame from the server (RFC 6455 section 5.2): the replies' framing
    without the websockets library's frame objects, which cost more than the 18-byte state they carry."""
    size = len(payload)
    if size < 126:
        return bytes((opcode, size)) + payload
    if size < 65536:
        return bytes((opcode, 126)) + size.to_bytes(2, "big") + payload
    return bytes((opcode, 127)) + size.to_bytes(8, "big") + payload
