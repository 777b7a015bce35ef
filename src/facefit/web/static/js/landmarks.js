// The browser side of perception: MediaPipe Face Landmarker (CPU, wasm served by this app) on the
// camera, and the compact binary frame sent to the server (layout in facefit/web/live/protocol.py).
import { FaceLandmarker, FilesetResolver } from "/vendor/tasks-vision/vision_bundle.mjs";

export async function createLandmarker() {
  const fileset = await FilesetResolver.forVisionTasks("/vendor/tasks-vision/wasm");
  return FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: "/models/face_landmarker.task", delegate: "CPU" },
    runningMode: "VIDEO", numFaces: 1,
    outputFaceBlendshapes: true, outputFacialTransformationMatrixes: true,
  });
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

function rowMajor(data) {
  // A rigid transform's bottom row is 0 0 0 1; if it is not in data[12..14], the data is column-major.
  if (Math.abs(data[12]) < 1e-6 && Math.abs(data[13]) < 1e-6 && Math.abs(data[14]) < 1e-6) return data;
  const out = new Float32Array(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) out[r * 4 + c] = data[c * 4 + r];
  return out;
}

export function encodeFrame(result, indices, seq, tMs, width, height) {
  const face = result.faceLandmarks && result.faceLandmarks.length > 0;
  const n = face ? indices.length : 0;
  const shapes = face && result.faceBlendshapes && result.faceBlendshapes.length > 0;
  const matrix = face && result.facialTransformationMatrixes && result.facialTransformationMatrixes.length > 0;
  const bytes = 20 + (face ? 12 * n + (shapes ? 208 : 0) + (matrix ? 64 : 0) : 0);
  const buffer = new ArrayBuffer(bytes);
  const view = new DataView(buffer);
  view.setUint8(0, 1);
  view.setUint8(1, (face ? 1 : 0) | (shapes ? 2 : 0) | (matrix ? 4 : 0));
  view.setUint16(2, n, true);
  view.setUint32(4, seq >>> 0, true);
  view.setFloat64(8, tMs, true);
  view.setUint16(16, width, true);
  view.setUint16(18, height, true);
  if (!face) return buffer;
  const body = new Float32Array(buffer, 20);
  const lm = result.faceLandmarks[0];
  for (let i = 0; i < n; i++) { const p = lm[indices[i]]; body[3 * i] = p.x; body[3 * i + 1] = p.y; body[3 * i + 2] = p.z; }
  let offset = 3 * n;
  if (shapes) {
    for (const c of result.faceBlendshapes[0].categories) if (c.index >= 0 && c.index < 52) body[offset + c.index] = c.score;
    offset += 52;
  }
  if (matrix) body.set(rowMajor(result.facialTransformationMatrixes[0].data), offset);
  return buffer;
}

// Run the landmarker on every new camera frame; onResult(result, tMs) gets each result.
// ``stats.detectMs`` (if given) follows the landmarker's time per frame (a moving average).
export function runLoop(video, landmarker, onResult, stats = null) {
  let running = true;
  let last = -1;
  const step = () => {
    if (!running) return;
    if (video.readyState >= 2 && video.currentTime !== last) {
      last = video.currentTime;
      const tMs = performance.now();
      const result = landmarker.detectForVideo(video, tMs);
      if (stats) { const ms = performance.now() - tMs; stats.detectMs = stats.detectMs ? 0.9 * stats.detectMs + 0.1 * ms : ms; }
      onResult(result, tMs);
    }
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(step); else requestAnimationFrame(step);
  };
  step();
  return () => { running = false; };
}

export function drawPoints(canvas, video, result, indices) {
  const ctx = canvas.getContext("2d");
  // Resizing a canvas reallocates it: only when the camera's size changes, not on every frame.
  if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  }
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!result.faceLandmarks || !result.faceLandmarks.length) return;
  ctx.fillStyle = "#19c37d";
  ctx.beginPath();  // one path for every point: one fill instead of one per point
  for (const i of indices) {
    const p = result.faceLandmarks[0][i];
    const x = p.x * canvas.width, y = p.y * canvas.height;
    ctx.moveTo(x + 2.5, y); ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
  }
  ctx.fill();
}
