// Routine player with live camera coaching: landmarks go to the server, events come back.
import { api, el, flash } from "./common.js";
import { createLandmarker, drawPoints, encodeFrame, runLoop, startCamera, stopCamera } from "./landmarks.js";
import { LiveSocket, speak } from "./live.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = { seq: 0, frames: 0, firstFrameAt: null, reps: 0, stop: null, socket: null, lastResult: null };
window.facefit = state;  // read by the browser test and handy when debugging

async function loadExercises() {
  const cards = await api("/api/catalog/exercises");
  const select = $("exercise");
  for (const card of cards) if (card.reps) select.append(el("option", { value: card.id, text: card.name }));
  select.value = params.get("exercise") || "cheek-lifter";
}

function showTick(msg) {
  if (msg.reps !== undefined) { state.reps = msg.reps; $("rep-count").textContent = msg.reps; }
  if (msg.target) $("target").textContent = msg.target;
  if (msg.set) $("set").textContent = `${msg.set} / ${msg.sets}`;
  $("phase").textContent = msg.phase === "rest" ? `rest ${msg.rest_left ?? ""} s` : (msg.calibrating ? "finding your rest…" : msg.phase);
  const hold = state.plan && state.plan.hold_s ? Math.min(1, (msg.hold || 0) / state.plan.hold_s) : 0;
  $("ring").style.strokeDashoffset = String(100 - 100 * hold);
  for (const event of msg.events || []) {
    const line = event.event === "rep" ? `Rep ${event.index}${event.symmetry != null ? ` · symmetry ${Math.round(event.symmetry)}%` : ""}`
      : event.message || event.say || event.event;
    $("events").prepend(el("li", { class: `ev-${event.event}`, text: line }));
    if (event.event === "safety" || event.event === "stopped") { $("safety").hidden = false; $("safety").textContent = event.message || event.reason; }
    speak(event.say, $("speak").checked);
  }
  if (msg.phase === "done" || msg.phase === "stopped") finish(msg.phase);
}

function finish(phase) {
  if (state.stop) { state.stop(); state.stop = null; }
  stopCamera($("video"));
  $("status").textContent = phase === "done" ? "Finished and saved." : "Stopped and saved.";
  document.body.dataset.state = "ended";
  if (state.socket) { state.socket.finished = true; }
}

async function start() {
  $("start").disabled = true;
  $("status").textContent = "Loading the face model…";
  const landmarker = await createLandmarker();
  const startMessage = { mode: "coach", exercise: $("exercise").value };
  for (const key of ["sets", "reps", "rest_s"]) if ($(key).value) startMessage[key] = Number($(key).value);
  if (params.get("session")) startMessage.session_id = Number(params.get("session"));
  const socket = new LiveSocket(startMessage, {
    ready: (msg) => {
      state.plan = msg.plan; state.indices = msg.landmarks; state.sessionId = msg.session_id;
      $("session-id").textContent = msg.session_id;
      $("target").textContent = msg.plan.reps ?? "—";
      $("cue").textContent = msg.plan.cue;
      $("status").textContent = msg.resumed ? `Resumed at set ${msg.set}.` : "Coaching: follow the cue.";
    },
    tick: showTick,
    saved: (msg) => { if (msg.sets.length) flash(`Set ${msg.sets.join(", ")} saved.`); },
    error: (msg) => flash(msg.message, "error"),
    reconnecting: () => { $("status").textContent = "Connection lost: reconnecting (finished sets are saved)…"; },
  });
  state.socket = socket;
  socket.connect();
  await new Promise((resolve) => { const wait = () => (socket.ready ? resolve() : setTimeout(wait, 50)); wait(); });
  const video = $("video");
  await startCamera(video);
  const stopAfter = Number(params.get("stop_after") || 0);
  state.stop = runLoop(video, landmarker, (result, tMs) => {
    if (!socket.ready) return;
    if (state.firstFrameAt === null) state.firstFrameAt = tMs;
    if (stopAfter && tMs - state.firstFrameAt > stopAfter * 1000) { end(); return; }
    state.lastResult = result;
    state.frames += 1;
    socket.send(encodeFrame(result, socket.ready.landmarks, state.seq++, tMs, video.videoWidth, video.videoHeight));
    if (state.frames % 2 === 0) drawPoints($("overlay"), video, result, socket.ready.landmarks);
  });
}

function end() {
  if (state.stop) { state.stop(); state.stop = null; }
  if (state.socket) state.socket.control({ type: "end" });
  state.ended = true;
  stopCamera($("video"));
  $("status").textContent = "Ended.";
  document.body.dataset.state = "ended";
}

$("start").addEventListener("click", () => start().catch((error) => { flash(String(error.message || error), "error"); $("start").disabled = false; }));
$("end").addEventListener("click", end);
$("pain").addEventListener("click", () => { if (state.socket) state.socket.control({ type: "pain", note: "it hurts" }); });
loadExercises().catch((error) => flash(error.message, "error"));
