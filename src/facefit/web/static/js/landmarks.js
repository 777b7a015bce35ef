// The browser side of perception: MediaPipe Face Landmarker (CPU, wasm served by this app) on the
// camera, and the compact binary frame sent to the server (layout in facefit/web/live/protocol.py).
// The landmarker runs in a worker (landmarker_worker.js) on each new camera frame: the page's thread
// draws, sends and speaks while the model works on the next frame, so the loop runs at the model's own
// speed (docs/design.md, bench/bench_browser_fps.py). Where a worker cannot run it (no WebGL in an
// OffscreenCanvas), it runs on the page, one frame after the other, as before.
// Results reach the callers as face_model.js's typed arrays (``face``).

// The widest image the landmarker gets: the camera's own 640x480 (what startCamera asks for; a bigger
// frame is scaled to 640 wide). Scaled down to 480x360 each frame's upload would be cheaper, but the coach
// would time holds differently: the bench's 640x480 clip (six 2 s holds) reads 2.01 s a hold at 640x480
// and 1.87 s at 480x360 (facefit.practice.analyze.analyze_video, max_side=480), and a hold judged
// against the card's target must not lose 0.14 s.
export const INPUT_WIDTH = 640;

export async function createLandmarker() {
  if (typeof Worker === "function" && typeof OffscreenCanvas === "function") {
    try { return await WorkerLandmarker.start(); }
    catch (error) { console.warn(`The face model runs on the page (its worker did not start: ${error.message})`); }
  }
  return PageLandmarker.start();
}

// Call onFrame(tMs) once for each new camera frame, until the returned stop function is called.
function eachVideoFrame(video, onFrame) {
  let running = true;
  if (video.requestVideoFrameCallback) {
    const step = () => { if (!running) return; onFrame(performance.now()); video.requestVideoFrameCallback(step); };
    video.requestVideoFrameCallback(step);
  } else {
    let last = -1;
    const step = () => {
      if (!running) return;
      if (video.readyState >= 2 && video.currentTime !== last) { last = video.currentTime; onFrame(performance.now()); }
      requestAnimationFrame(step);
    };
    step();
  }
  return () => { running = false; };
}

const followDetectMs = (stats, ms) => { if (stats) stats.detectMs = stats.detectMs ? 0.9 * stats.detectMs + 0.1 * ms : ms; };

// How many workers run the landmarker. One worker is busy for a frame's whole model time (~35-45 ms in
// headless Chromium without a GPU), which caps the loop below the camera's 30 fps; two workers take
// alternate camera frames, so on two or more cores the loop makes about twice the results while each
// frame's own wait stays the same (docs/design.md, bench/bench_browser_fps.py --workers).
// ``self.FACEFIT_LANDMARKER_WORKERS`` (set before the page's scripts run) overrides it, so the bench can
// compare one and two in the same run.
function workerCount() {
  const forced = Math.floor(Number(self.FACEFIT_LANDMARKER_WORKERS));
  if (forced >= 1) return forced;
  return (navigator.hardwareConcurrency || 1) >= 2 ? 2 : 1;
}

function startWorker() {
  const worker = new Worker("/static/js/landmarker_worker.js");
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => (event.data.type === "ready" ? resolve(worker) : reject(new Error(event.data.message)));
    worker.onerror = (event) => { event.preventDefault(); reject(new Error(event.message || "it failed to load")); };
    worker.postMessage({ type: "init" });
  }).catch((error) => { worker.terminate(); throw error; });
}

class WorkerLandmarker {
  static async start(count = workerCount()) {
    const started = await Promise.allSettled(Array.from({ length: count }, startWorker));
    const workers = started.filter((s) => s.status === "fulfilled").map((s) => s.value);
    if (!workers.length) throw started[0].reason;
    if (workers.length < count) console.warn(`The face model runs in ${workers.length} of ${count} workers`);
    return new WorkerLandmarker(workers);
  }

  constructor(workers) {
    // One lane per worker: ``seq`` is the frame it is working on (null when idle).
    this.lanes = workers.map((worker) => ({ worker, seq: null }));
    this.run = 0;          // the current loop; answers to a stopped loop are dropped
    this.seq = 0;          // the next frame's number, in camera order
    this.nextOut = 0;      // the frame whose answer the caller gets next
    this.answers = new Map();  // answers that came back before an earlier frame's (seq -> message)
    this.next = null;      // a frame grabbed while every worker was busy: it goes next, without a wait
    this.spares = [];      // arrays of answers the caller is done with, given back with the next frames
    this.onFace = null;
    this.canvas = new OffscreenCanvas(1, 1);
    this.ctx = this.canvas.getContext("2d", { alpha: false });
    for (const lane of this.lanes) {
      lane.worker.onmessage = (event) => this.answered(lane, event.data);
      lane.worker.onerror = (event) => {
        console.error(`The face model stopped: ${event.message}`);
        if (lane.seq !== null) this.answered(lane, { type: "error", run: this.run, seq: lane.seq, quiet: true });
      };
    }
  }

  get workers() { return this.lanes.length; }

  // The camera's frame scaled to INPUT_WIDTH, as an ImageBitmap (moved to the worker, not copied).
  grab(video, tMs) {
    const width = Math.min(INPUT_WIDTH, video.videoWidth);
    const height = Math.round((video.videoHeight * width) / video.videoWidth);
    if (this.canvas.width !== width || this.canvas.height !== height) { this.canvas.width = width; this.canvas.height = height; }
    this.ctx.drawImage(video, 0, 0, width, height);
    return { type: "frame", run: this.run, seq: this.seq++, image: this.canvas.transferToImageBitmap(), tMs };
  }

  post(lane, frame) {
    lane.seq = frame.seq;
    const transfer = [frame.image];
    const spare = this.spares.pop();
    if (spare) {
      frame.spare = spare;
      for (const array of Object.values(spare)) if (array) transfer.push(array.buffer);
    }
    lane.worker.postMessage(frame, transfer);
  }

  answered(lane, msg) {
    lane.seq = null;
    if (this.next) { const frame = this.next; this.next = null; this.post(lane, frame); }  // the model never waits
    if (msg.run !== this.run || !this.onFace) return;
    // Each worker answers its frames in order, but two workers can finish out of order: the caller gets
    // the answers in camera order (a failed frame is skipped), as from one worker.
    this.answers.set(msg.seq, msg);
    while (this.answers.has(this.nextOut)) {
      const answer = this.answers.get(this.nextOut);
      this.answers.delete(this.nextOut); this.nextOut += 1;
      if (answer.type === "error") {
        if (!answer.quiet) console.error(`The face model failed on a frame: ${answer.message}`);
        continue;
      }
      if (answer.lockingOn) { this.spares.push(answer.face); continue; }  // not settled yet: not used
      this.onFace(answer);
      this.spares.push(answer.face);  // drawn and encoded (encodeFrame copies): the arrays can be filled again
    }
  }

  loop(video, onResult, stats) {
    const run = ++this.run;
    this.nextOut = this.seq; this.answers.clear();
    this.onFace = (msg) => { followDetectMs(stats, msg.detectMs); onResult(msg.face, msg.tMs); };
    // One copy of a camera frame per frame the model processes: a new camera frame goes to an idle
    // worker; while every worker is busy the first new frame is copied to go next, and later ones are
    // skipped rather than copied and thrown away (under load that waste took the CPU the model needed).
    const stop = eachVideoFrame(video, (tMs) => {
      if (!video.videoWidth || this.next) return;
      const idle = this.lanes.find((lane) => lane.seq === null);
      const frame = this.grab(video, tMs);
      if (idle) this.post(idle, frame); else this.next = frame;
    });
    return () => {
      stop();
      if (this.run !== run) return;
      this.run += 1; this.onFace = null; this.answers.clear();
      if (this.next) { this.next.image.close(); this.next = null; }
    };
  }
}

function classicScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src; script.onload = resolve; script.onerror = () => reject(new Error(`${src} did not load`));
    document.head.append(script);
  });
}

class PageLandmarker {
  static async start() {
    const [{ FaceLandmarker, FilesetResolver }] = await Promise.all([
      import("/vendor/tasks-vision/vision_bundle.mjs"), classicScript("/static/js/face_model.js")]);
    const fileset = await FilesetResolver.forVisionTasks("/vendor/tasks-vision/wasm");
    return new PageLandmarker(await FaceLandmarker.createFromOptions(fileset, self.FACE_MODEL_OPTIONS));
  }

  constructor(landmarker) { this.landmarker = landmarker; this.lastTs = -Infinity; }

  loop(video, onResult, stats) {
    let spare = null;
    const lockingOn = self.lockOn();
    return eachVideoFrame(video, (tMs) => {
      if (video.readyState < 2) return;
      const ts = Math.max(tMs, this.lastTs + 0.001);  // the landmarker needs increasing timestamps
      this.lastTs = ts;
      const result = this.landmarker.detectForVideo(video, ts);
      followDetectMs(stats, performance.now() - tMs);
      const face = self.faceArrays(result, spare);
      if (!lockingOn(face, 0)) onResult(face, tMs);  // the first answers after finding a face are not used
      spare = face;
    });
  }
}

export async function startCamera(video) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  video.srcObject = stream;
  await video.play();
  return stream;
}

export function stopCamera(video) {
  const stream = video.srcObject;
  if (stream) for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
}

export function encodeFrame(face, indices, seq, tMs, width, height) {
  const found = Boolean(face && face.landmarks);
  const n = found ? indices.length : 0;
  const shapes = found && Boolean(face.blendshapes);
  const matrix = found && Boolean(face.matrix);
  const bytes = 20 + (found ? 12 * n + (shapes ? 208 : 0) + (matrix ? 64 : 0) : 0);
  const buffer = new ArrayBuffer(bytes);
  const view = new DataView(buffer);
  view.setUint8(0, 1);
  view.setUint8(1, (found ? 1 : 0) | (shapes ? 2 : 0) | (matrix ? 4 : 0));
  view.setUint16(2, n, true);
  view.setUint32(4, seq >>> 0, true);
  view.setFloat64(8, tMs, true);
  view.setUint16(16, width, true);
  view.setUint16(18, height, true);
  if (!found) return buffer;
  const body = new Float32Array(buffer, 20);
  const lm = face.landmarks;
  for (let i = 0; i < n; i++) { const j = 3 * indices[i]; body[3 * i] = lm[j]; body[3 * i + 1] = lm[j + 1]; body[3 * i + 2] = lm[j + 2]; }
  let offset = 3 * n;
  if (shapes) { body.set(face.blendshapes, offset); offset += 52; }
  if (matrix) body.set(face.matrix, offset);
  return buffer;
}

// Run the landmarker on every new camera frame; onResult(face, tMs) gets each result (tMs: when the frame
// was taken), except those of a landmarker still locking on to a face it has just found (face_model.js
// lockOn: the coach would learn a wrong rest face from them). ``stats.detectMs`` (if given) follows the landmarker's time per frame (a moving average).
export function runLoop(video, landmarker, onResult, stats = null) {
  return landmarker.loop(video, onResult, stats);
}

export function drawPoints(canvas, video, face, indices) {
  const ctx = canvas.getContext("2d");
  // Resizing a canvas reallocates it: only when the camera's size changes, not on every frame.
  if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!face || !face.landmarks) return;
  const lm = face.landmarks;
  ctx.fillStyle = "#19c37d";
  ctx.beginPath();  // one path for every point: one fill instead of one per point
  for (const i of indices) {
    const x = lm[3 * i] * canvas.width, y = lm[3 * i + 1] * canvas.height;
    ctx.moveTo(x + 2.5, y); ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
  }
  ctx.fill();
}
