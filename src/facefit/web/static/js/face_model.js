// What the Face Landmarker's worker (landmarker_worker.js) and the page share: the landmarker's options and
// its result as three typed arrays, which the page draws and sends (landmarks.js; the frame's layout is in
// facefit/web/live/protocol.py). A classic script, not a module: the worker loads it with importScripts,
// landmarks.js with a script tag, and only when the landmarker has to run on the page itself.
// Up to four faces, the largest used, as `facefit analyze` asks (vision/landmarker.py): the coach is tuned and
// evaluated on those landmarks. Asked for one face, MediaPipe tracks it on its own crop and smooths it over
// time, and the landmarks read differently: a drawn symmetric smile read 90% even facing the camera and 79%
// turned 15 deg, against 97% and 95% with four asked for (eval/README.md, session 12), and a tuning set of
// 76 clips counted worse. web/live/coaching.py tells the coach which of the two it gets.
self.FACE_MODEL_OPTIONS = {
  baseOptions: { modelAssetPath: "/models/face_landmarker.task", delegate: "CPU" },
  runningMode: "VIDEO", numFaces: 4,
  outputFaceBlendshapes: true, outputFacialTransformationMatrixes: true,  // the coach uses both
};

// The index of the largest face (by its landmarks' bounding box), as vision/landmarker.py picks it.
self.largestFace = function largestFace(faces) {
  let best = 0, bestArea = -1;
  for (let f = 0; f < faces.length; f++) {
    if (!faces[f] || faces[f].length === 0) continue;  // no points: no box (it would read as infinite)
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of faces[f]) {
      if (p.x < x0) x0 = p.x; if (p.x > x1) x1 = p.x; if (p.y < y0) y0 = p.y; if (p.y > y1) y1 = p.y;
    }
    const area = (x1 - x0) * (y1 - y0);
    if (area > bestArea) { best = f; bestArea = area; }
  }
  return best;
};

// A landmarker that has just found a face needs a few frames to lock on: its first answers are not where
// it settles, even on a face that does not move. Measured on the web tests' synth clip (a still face for
// 4 s) in Chromium when the page asked for one face, each worker's answers: the cheek-lift feature 0.014 IPD
// off on its first, 0.006-0.009, 0.003-0.005 and 0.0015-0.0023 on the next three, settled after that; with
// four faces asked for tests/web/test_frame_loop.py still finds no answer the coach gets off the rest. The
// coach learns the rest face from the first still second; when the page starts slowly (under load the
// first second brings only 3-5 answers) that second held only these, the rest was off by 0.007-0.014, a
// fifth to a third of the cheek lifter's 0.04 threshold, and the reps of a clip lifting 0.045 were never
// counted. lockOn() returns a check, face -> true while the landmarker is locking on: the first
// LOCK_ON_FRAMES answers with a face since the start (or a new ``run``) or since it last lost the face.
self.LOCK_ON_FRAMES = 3;
self.lockOn = function lockOn() {
  let run, faces = 0;
  return (face, newRun) => {
    if (newRun !== run) { run = newRun; faces = 0; }
    if (!face.landmarks) { faces = 0; return false; }
    faces += 1;
    return faces <= self.LOCK_ON_FRAMES;
  };
};

// faceArrays(result, spare): the result as arrays.
//   landmarks: Float32Array(478 * 3) normalised x, y, z; blendshapes: Float32Array(52) scores by index;
//   matrix: Float32Array(16) head transform, row-major. Each is null when the model gave none.
// ``spare`` may hold the arrays of an earlier result that the caller is done with: they are reused.
self.faceArrays = function faceArrays(result, spare) {
  const face = { landmarks: null, blendshapes: null, matrix: null };
  if (!result.faceLandmarks || result.faceLandmarks.length === 0) return face;
  const which = self.largestFace(result.faceLandmarks);
  const points = result.faceLandmarks[which];
  const reuse = (array, length) => (array && array.length === length ? array : new Float32Array(length));
  const landmarks = reuse(spare && spare.landmarks, 3 * points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    landmarks[3 * i] = p.x; landmarks[3 * i + 1] = p.y; landmarks[3 * i + 2] = p.z;
  }
  face.landmarks = landmarks;
  if (result.faceBlendshapes && result.faceBlendshapes.length > which) {
    const shapes = reuse(spare && spare.blendshapes, 52);
    shapes.fill(0);
    for (const c of result.faceBlendshapes[which].categories) if (c.index >= 0 && c.index < 52) shapes[c.index] = c.score;
    face.blendshapes = shapes;
  }
  if (result.facialTransformationMatrixes && result.facialTransformationMatrixes.length > which) {
    const data = result.facialTransformationMatrixes[which].data;
    const matrix = reuse(spare && spare.matrix, 16);
    // A rigid transform's bottom row is 0 0 0 1; if it is not in data[12..14], the data is column-major.
    const rowMajor = Math.abs(data[12]) < 1e-6 && Math.abs(data[13]) < 1e-6 && Math.abs(data[14]) < 1e-6;
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) matrix[r * 4 + c] = rowMajor ? data[r * 4 + c] : data[c * 4 + r];
    face.matrix = matrix;
  }
  return face;
};
