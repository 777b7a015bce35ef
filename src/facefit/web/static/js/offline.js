// Practice without a connection. The page keeps coaching from the card (cues, tempo, hold countdown) and
// stores the face points it would have sent (the same binary frames, web/live/protocol.py) in this
// browser's IndexedDB. When the connection is back they are sent once to /api/practice/offline, where the
// server's own coach counts the reps exactly as it would have live, and the session joins the history.
const DB = "facefit-offline", STORE = "sessions";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const result = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : result); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

// One offline session: the start message the WebSocket would have had, then frames in chunks.
export class OfflineRecording {
  constructor(start) {
    this.id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.start = { ...start, started_at: new Date().toISOString() };
    this.pending = [];
    this.chunks = 0;
    this.frames = 0;
  }

  add(buffer) { this.pending.push(buffer); this.frames += 1; if (this.pending.length >= 30) this.flush(); }

  async flush(finished = false) {
    const chunk = this.pending.length ? new Blob(this.pending) : null;
    this.pending = [];
    const record = { id: this.id, start: this.start, finished, frames: this.frames };
    const index = chunk ? this.chunks++ : null;
    await tx("readwrite", (store) => {
      const get = store.get(this.id);
      get.onsuccess = () => {
        const old = get.result || { ...record, chunks: [] };
        if (chunk) old.chunks[index] = chunk;
        store.put({ ...old, finished, frames: this.frames });
      };
    });
  }

  finish() { return this.flush(true); }
}

export async function pendingSessions() {
  return (await tx("readonly", (store) => store.getAll())) || [];
}

// Send every finished offline session; each is deleted only once the server has stored it.
export async function syncOffline(api) {
  let sent = 0;
  for (const record of await pendingSessions()) {
    if (!record.finished) continue;
    const form = new FormData();
    form.append("start", JSON.stringify(record.start));
    form.append("frames", new Blob(record.chunks.filter(Boolean)), "frames.bin");
    await api("/api/practice/offline", { method: "POST", body: form });
    await tx("readwrite", (store) => store.delete(record.id));
    sent += 1;
  }
  return sent;
}

// The coach's prompts for one set from the card when the server cannot count: lift, hold (counting down),
// release, then the next rep. onPrompt({rep, reps, phase, left}) is called about ten times a second.
export function guidedSet({ reps, hold_s: hold = 0, up_s: up = 1, down_s: down = 1 }, onPrompt, shouldStop) {
  const rep_s = up + hold + down + 1;
  return new Promise((resolve) => {
    const began = performance.now();
    const timer = setInterval(() => {
      const t = (performance.now() - began) / 1000;
      const rep = Math.floor(t / rep_s) + 1;
      if (rep > reps || shouldStop()) { clearInterval(timer); resolve(Math.min(reps, rep - 1)); return; }
      const into = t - (rep - 1) * rep_s;
      const phase = into < up ? "lift" : into < up + hold ? "hold" : into < up + hold + down ? "release" : "rest";
      const left = phase === "hold" ? Math.ceil(up + hold - into) : 0;
      onPrompt({ rep, reps, phase, left });
    }, 100);
  });
}
