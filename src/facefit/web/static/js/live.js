// WebSocket client for /ws/coach: start, binary frames, ticks; reconnects and resumes the session.
export class LiveSocket {
  constructor(start, handlers) {
    this.start = { type: "start", ...start };
    this.handlers = handlers;
    this.ready = null;
    this.closedByUs = false;
    this.retries = 0;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/coach`);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.start));
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
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

  send(buffer) { if (this.ready && this.ws.readyState === 1 && this.ws.bufferedAmount < 65536) this.ws.send(buffer); }
  control(message) { if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(message)); }
  close() { this.closedByUs = true; if (this.ws) this.ws.close(); }
}

export function speak(text, enabled) {
  if (!enabled || !text || !("speechSynthesis" in window)) return;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}
