// Calibration: a few seconds of the user's neutral face; the server computes and stores the rest.
import { cameraProblem, flash } from "./common.js";
import { createLandmarker, drawPoints, encodeFrame, runLoop, startCamera, stopCamera } from "./landmarks.js";
import { LiveSocket } from "./live.js";

const $ = (id) => document.getElementById(id);
const state = { seq: 0, result: null };
window.facefit = state;

async function start() {
  $("start").disabled = true;
  // A second calibration (Start again) is not "ended" with the first one's result while it runs.
  document.body.dataset.state = "calibrating"; $("result").textContent = "";
  $("status").textContent = "Loading the face model…";
  const landmarker = await createLandmarker();
  const seconds = Number(new URLSearchParams(location.search).get("seconds") || 5);
  const socket = new LiveSocket({ mode: "calibrate", seconds }, {
    tick: (msg) => { $("progress").value = msg.elapsed / msg.seconds; $("status").textContent = msg.face ? "Hold still, relaxed face…" : "No face: look at the camera."; },
    calibration: (msg) => {
      state.result = msg; socket.finished = true; if (state.stop) state.stop();
      stopCamera($("video")); socket.close();
      const overlay = $("overlay"); overlay.getContext("2d").clearRect(0, 0, overlay.width, overlay.height);
      $("status").textContent = msg.ok ? "Rest saved: exercises are now measured from your own neutral face." : msg.message;
      $("result").textContent = msg.ok ? "saved" : "rejected"; $("start").disabled = false;
      if (msg.ok && $("continue")) $("continue").hidden = false;
      document.body.dataset.state = "ended";
    },
    error: (msg) => flash(msg.message, "error"),
  });
  socket.connect();
  await new Promise((resolve) => { const wait = () => (socket.ready ? resolve() : setTimeout(wait, 50)); wait(); });
  const video = $("video");
  try { await startCamera(video); } catch (error) { socket.finished = true; socket.close(); $("status").textContent = ""; throw error; }
  $("status").textContent = "Relax your face and look at the camera.";
  state.frames = 0;
  state.stop = runLoop(video, landmarker, (face, tMs) => {
    if (!socket.ready) return;
    const indices = socket.ready.landmarks;
    socket.sendFrame(tMs, () => encodeFrame(face, indices, state.seq++, tMs, video.videoWidth, video.videoHeight));
    state.frames += 1;
    drawPoints($("overlay"), video, face, indices);
  });
}

$("start").addEventListener("click", () => start().catch((error) => { flash(cameraProblem(error), "error"); $("start").disabled = false; document.body.dataset.state = ""; }));
