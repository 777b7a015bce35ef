// WebSocket client for /ws/coach: start, binary frames at the rate the server asks for, ticks; reconnects
// and resumes the session (on whichever server answers: the session lives in the database).
// Server messages are JSON, or an 18-byte binary state (layout in facefit/web/live/protocol.py) that is
// handed to the "tick" handler as the same object a JSON tick would be.
const PHASES = ["work", "rest", "done", "stopped"];

export function decodeState(buffer) {
  const v = new DataView(buffer);
  const target = v.getUint16(8, true);
  const tick = {
    type: "tick", phase: PHASES[v.getUint8(1)], active: (v.getUint8(2) & 1) !== 0,
    calibrating: (v.getUint8(2) & 2) !== 0, set: v.getUint8(3), sets: v.getUint8(4), reps: v.getUint16(6, true),
    target: target === 0xffff ? null : target, hold: v.getUint16(10, true) / 100, seq: v.getUint32(14, true),
  };
  if (tick.phase === "rest") tick.rest_left = v.getUint16(12, true) / 10;
  return tick;
}

export class LiveSocket {
  constructor(start, handlers) {
    this.start = { type: "start", binary: true, ...start };
    this.handlers = handlers;
    this.ready = null;
    this.closedByUs = false;
    this.retries = 0;
    this.nextSend = 0;  // performance.now() at which the next frame is due (the server's fps)
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/coach`);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.start));
    ws.onmessage = (event) => {
      const msg = typeof event.data === "string" ? JSON.parse(event.data) : decodeState(event.data);
      if (msg.type === "ready") {
        this.ready = msg; this.retries = 0; this.everReady = true;
        if (msg.session_id) this.start.session_id = msg.session_id;  // a reconnect resumes this session
      }
      if (msg.type === "session") this.start.session_id = msg.session_id;  // made with the first frame
      const handler = this.handlers[msg.type];
      if (handler) handler(msg);
    };
    ws.onclose = () => {
      const wasReady = this.ready; this.ready = null;
      if (this.closedByUs || this.finished) return;
      if (!this.everReady) { if (this.handlers.unreachable) this.handlers.unreachable(); return; }
      if (this.handlers.reconnecting) this.handlers.reconnecting();
      if (wasReady && this.retries < 20) { this.retries += 1; setTimeout(() => this.connect(), 1000); }
    };
  }

  // The next camera frame is wanted when the server's frame interval has passed (ready.fps, 15: what the
  // coach needs; every frame costs the server the same). Frames in between are not encoded or sent.
  wants(tMs) {
    if (!this.ready || this.ws.readyState !== 1 || this.ws.bufferedAmount >= 65536) return false;
    const interval = 1000 / (this.ready.fps || 30);
    if (tMs + 0.25 * interval < this.nextSend) return false;
    this.nextSend = Math.max(this.nextSend + interval, tMs + 0.5 * interval);
    return true;
  }

  send(buffer, tMs) {
    if (tMs === undefined) tMs = new DataView(buffer).getFloat64(8, true);  // the frame's own time
    if (this.wants(tMs)) this.ws.send(buffer);
  }
  // The frame of time tMs, built by make() only when it is wanted: the frames in between cost nothing.
  sendFrame(tMs, make) { if (this.wants(tMs)) this.ws.send(make()); }
  control(message) { if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(message)); }
  close() { this.closedByUs = true; if (this.ws) this.ws.close(); }
}

export function speak(text, enabled) {
  if (!enabled || !text || !("speechSynthesis" in window)) return;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}
