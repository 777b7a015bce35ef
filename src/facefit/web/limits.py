"""The request-body limit, enforced while the body is read: nobody can make the server hold more than
the limit in memory, signed in or not.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read; a body
without one (chunked) is counted as it arrives and refused the moment it passes the limit. Either way
the client gets ``413`` with one sentence, and the app (which may be half-way through reading) sees a
disconnect. Uploads (multipart forms, wherever they are sent) have their own, larger limit: their
files are spooled to disk, not memory. A photo route's multipart body is held to the photo limit itself
(15 MB; ``uploads.PHOTO_PATHS``), so the refusal a person reads names the limit that applies, in the
photo route's own words. A JSON route never reads a multipart body as JSON, so the larger limit gains an
attacker nothing there.

The same gate refuses (400) a path, query or JSON body carrying a null byte or another control
character (``%00``, ``\\u0000``): no FaceFit name or id has one, PostgreSQL cannot store one (a slug with
``%00`` in a path was a 500 there), and refusing at the edge covers every route, present and future.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facefit.photos.files import photo_too_large
from facefit.web.settings import MB
from facefit.web.uploads import PHOTO_PATHS

MULTIPART_OVERHEAD = 64 * 1024  # form boundaries and the small fields beside an uploaded file
CONTROL_IN_ADDRESS = re.compile(rb"[\x00-\x1f\x7f]")
NUL_IN_JSON = (b"\x00", b"\\u0000")  # a raw null byte, or JSON's escape for one
CONTROL_REFUSED = json.dumps({"detail": "The request contains a null byte or another control character; "
                                        "nothing was done."}).encode()


def _megabytes(limit: int) -> str:
    return f"{limit / MB:.0f} MB" if limit >= MB else f"{limit // 1024} KB"


class BodyLimit:
    """Plain ASGI middleware: 413 for a request body over ``limit`` (``form_limit`` for multipart forms,
    ``photo_limit`` for a multipart form sent to a photo route)."""

    def __init__(self, app: ASGIApp, *, limit: int, form_limit: int, photo_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.form_limit = form_limit
        self.photo_limit = photo_limit

    @staticmethod
    def is_upload(scope: Scope) -> bool:
        """A multipart form (what every upload route reads): the upload limit; anything else: the JSON one."""
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        return content_type.lower().startswith(b"multipart/form-data")

    @staticmethod
    def is_photo(scope: Scope) -> bool:
        return PHOTO_PATHS.match(scope["path"]) is not None

    def limit_for(self, scope: Scope) -> int:
        if not self.is_upload(scope):
            return self.limit
        return (self.photo_limit if self.is_photo(scope) else self.form_limit) + MULTIPART_OVERHEAD

    async def refuse(self, scope: Scope, send: Send, size: int | None) -> None:
        if self.is_upload(scope) and self.is_photo(scope):
            text = photo_too_large(None, size, self.photo_limit)
        elif self.is_upload(scope):
            told = f"is {size / MB:.0f} MB" if size else "is too large"
            text = f"This upload {told}; uploads over {_megabytes(self.form_limit)} are refused."
        else:
            text = (f"The request body is larger than the {_megabytes(self.limit)} this address accepts; "
                    "nothing was stored.")
        body = json.dumps({"detail": text}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def refuse_control(send: Send) -> None:
        await send({"type": "http.response.start", "status": 400, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(CONTROL_REFUSED)).encode())]})
        await send({"type": "http.response.body", "body": CONTROL_REFUSED})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = unquote_to_bytes(scope["query_string"])
        if CONTROL_IN_ADDRESS.search(scope["path"].encode("utf-8", "surrogateescape") + b"?" + query):
            await self.refuse_control(send)
            return
        scan = not self.is_upload(scope)  # uploads are binary; any other body is text
        tail = b""
        limit = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self.refuse(scope, send, int(declared))
            return
        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused, tail
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    refused = True
                    if not started:
                        await self.refuse(scope, send, None)
                    return {"type": "http.disconnect"}
                if scan:
                    seen, tail = tail + chunk, (tail + chunk)[-5:]  # an escape split between two chunks
                    if any(marker in seen for marker in NUL_IN_JSON):
                        refused = True
                        if not started:
                            await self.refuse_control(send)
                        return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 went out already; whatever the app says about the cut-off body is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except Exception:
            if not refused:
                raise
