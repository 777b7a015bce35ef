// The Face Landmarker in a thread of its own, so the page's thread (drawing the points, sending frames,
// the counter, the voice) never waits for the model and the model never waits for the page: the loop
// runs at the model's speed (landmarks.js, docs/design.md). A classic worker because MediaPipe's wasm
// loader is a classic script. Messages:
//   page -> worker  {type: "init"}; {type: "frame", run, seq, image: ImageBitmap, tMs, spare?}
//   worker -> page  {type: "ready"} | {type: "failed", message};
//                   {type: "face", run, seq, tMs, detectMs, face, lockingOn} | {type: "error", run, seq, message}
// ``face`` is face_model.js's typed arrays (transferred, not copied); ``spare`` gives back the arrays of
// an earlier answer the page is done with, so they are reused instead of allocated for every frame.
// ``lockingOn``: this landmarker has only just found the face (face_model.js lockOn): the page does not use
// the answer.
importScripts("/vendor/tasks-vision/vision_bundle.js", "/static/js/face_model.js");

let landmarker = null;
let lastTs = -Infinity;
const lockingOn = self.lockOn();

async function init() {
  const fileset = await Vision.FilesetResolver.forVisionTasks("/vendor/tasks-vision/wasm");
  landmarker = await Vision.FaceLandmarker.createFromOptions(fileset, self.FACE_MODEL_OPTIONS);
}

function detect(msg) {
  const start = performance.now();
  const ts = Math.max(msg.tMs, lastTs + 0.001);  // the landmarker needs increasing timestamps
  lastTs = ts;
  let result;
  try { result = landmarker.detectForVideo(msg.image, ts); } finally { msg.image.close(); }
  const face = self.faceArrays(result, msg.spare);
  const detectMs = performance.now() - start;
  const transfer = [face.landmarks, face.blendshapes, face.matrix].filter(Boolean).map((a) => a.buffer);
  self.postMessage({ type: "face", run: msg.run, seq: msg.seq, tMs: msg.tMs, detectMs, face,
    lockingOn: lockingOn(face, msg.run) }, transfer);
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    try { await init(); self.postMessage({ type: "ready" }); }
    catch (error) { self.postMessage({ type: "failed", message: String((error && error.message) || error) }); }
  } else if (msg.type === "frame") {
    try { detect(msg); }
    catch (error) { self.postMessage({ type: "error", run: msg.run, seq: msg.seq, message: String((error && error.message) || error) }); }
  }
};
