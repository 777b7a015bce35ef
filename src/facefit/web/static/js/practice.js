// The routine player with live camera coaching. One exercise (?exercise=) or a whole routine
// (?routine=): each step the coach can check runs over the WebSocket (landmarks out, events back);
// the others are guided with their instructions and a timer.
import { api, el, flash } from "./common.js";
import { createLandmarker, drawPoints, encodeFrame, runLoop, startCamera, stopCamera } from "./landmarks.js";
import { LiveSocket, speak } from "./live.js";
import { planNotes, practicePlan, showRefusal } from "./refusal.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = { seq: 0, frames: 0, firstFrameAt: null, reps: 0, stop: null, socket: null, landmarker: null };
window.facefit = state;  // read by the browser test and handy when debugging

async function loadChoices() {
  const cards = await api("/api/catalog/exercises");
  const select = $("exercise");
  for (const card of cards) if (card.reps) select.append(el("option", { value: card.id, text: card.name }));
  select.value = params.get("exercise") || "cheek-lifter";
  const routines = await api("/api/catalog/routines");
  const pick = $("routine");
  for (const r of routines) pick.append(el("option", { value: r.id, text: r.name }));
  if (params.get("routine")) pick.value = params.get("routine");
}

// The hold against the card's target: "hold 2 more seconds" while holding, said plainly when short.
function showHold(msg) {
  const target = state.plan && state.plan.hold_s ? state.plan.hold_s : 0;
  const held = msg.hold || 0;
  const text = $("hold-text");
  const share = target ? Math.min(1, held / target) : 0;
  $("hold-fill").style.width = `${Math.round(100 * share)}%`;
  $("hold-bar").setAttribute("aria-valuenow", String(Math.round(100 * share)));
  if (!target) { text.textContent = ""; return; }
  if (msg.active && held > 0) {
    const left = Math.ceil(target - held);
    text.dataset.kind = left > 0 ? "" : "good";
    text.textContent = left > 0 ? `Hold ${left} more second${left === 1 ? "" : "s"}` : "Held long enough: release slowly";
  } else if (!msg.active && text.dataset.kind !== "short") {
    text.dataset.kind = ""; text.textContent = `Hold each rep ${target} s`;
  }
}

function eventLine(event) {
  if (event.event === "rep") return `Rep ${event.index}${event.hold_s != null ? `: held ${event.hold_s.toFixed(1)} s` : ""}`;
  if (event.event === "hold") {
    const target = state.plan && state.plan.hold_s;
    const short = target && event.duration_s + 0.05 < target;
    if (short) { $("hold-text").dataset.kind = "short"; $("hold-text").textContent = `That hold was ${event.duration_s.toFixed(1)} s, short of ${target} s`; }
    return short ? `Hold ${event.duration_s.toFixed(1)} s: shorter than the ${target} s target` : `Hold ${event.duration_s.toFixed(1)} s: on target`;
  }
  if (event.event === "set") return `Set ${event.set} finished: ${event.reps} reps`;
  return event.message || event.reason || event.say || event.event;
}

function showTick(msg) {
  if (msg.reps !== undefined) { state.reps = msg.reps; $("rep-count").textContent = msg.reps; }
  if (msg.target) $("target").textContent = msg.target;
  if (msg.set) $("set").textContent = `${msg.set} of ${msg.sets}`;
  if (msg.phase) $("phase").textContent = msg.phase === "rest" ? `rest: ${Math.ceil(msg.rest_left ?? 0)} s` : (msg.calibrating ? "finding your rest face" : msg.phase === "work" ? "your turn" : msg.phase);
  showHold(msg);
  for (const event of msg.events || []) {
    if (event.event === "progress") continue;  // the counter above shows it
    $("events").prepend(el("li", { class: `ev-${event.event}`, text: eventLine(event) }));
    if (event.event === "safety" || event.event === "stopped") { $("safety").hidden = false; $("safety").textContent = event.message || event.reason; }
    speak(event.say, $("speak").checked);
  }
}

async function ensureCamera() {
  if (!state.landmarker) { $("status").textContent = "Loading the face model…"; state.landmarker = await createLandmarker(); }
}

function startLoop() {
  const video = $("video");
  const stopAfter = Number(params.get("stop_after") || 0);
  state.stop = runLoop(video, state.landmarker, (result, tMs) => {
    const socket = state.socket;
    if (!socket || !socket.ready || socket.finished) return;
    if (state.firstFrameAt === null) state.firstFrameAt = tMs;
    if (stopAfter && tMs - state.firstFrameAt > stopAfter * 1000) { end(); return; }
    state.frames += 1;
    socket.send(encodeFrame(result, socket.ready.landmarks, state.seq++, tMs, video.videoWidth, video.videoHeight));
    if (state.frames % 2 === 0) drawPoints($("overlay"), video, result, socket.ready.landmarks);
  });
}

// Coach one exercise; resolves with "done" or "stopped" when the server says so.
function coach(startMessage) {
  return new Promise((resolve) => {
    const socket = new LiveSocket(startMessage, {
      ready: (msg) => {
        state.plan = msg.plan; state.sessionId = msg.session_id;
        $("session-id").textContent = msg.session_id;
        $("target").textContent = msg.plan.reps ?? "—";
        $("cue").textContent = msg.plan.cue;
        $("status").textContent = msg.resumed ? `Resumed at set ${msg.set}.` : `Coaching ${msg.plan.name}: follow the cue.`;
      },
      tick: (msg) => {
        showTick(msg);
        if (msg.phase === "done" || msg.phase === "stopped") { socket.finished = true; state.lastPhase = msg.phase; }
      },
      saved: (msg) => {
        if (msg.sets.length) flash(`Set ${msg.sets.join(", ")} saved.`);
        if (msg.finished) { socket.finished = true; socket.close(); resolve(state.lastPhase || msg.finished); }
      },
      error: (msg) => {
        if (!msg.refusal) { flash(msg.message, "error"); return; }
        showRefusal(msg.refusal); socket.finished = true; socket.close(); resolve("refused");
      },
      reconnecting: () => { $("status").textContent = "Connection lost: reconnecting (finished sets are saved)…"; },
    });
    state.socket = socket;
    socket.connect();
  });
}

function guided(step) {
  // A step the coach cannot check: its instructions and a timer; "Next" skips ahead.
  return new Promise((resolve) => {
    $("cue").textContent = `${step.name}: ${step.instructions.join(" ")}`;
    $("rep-count").textContent = "—"; $("target").textContent = "—";
    let left = Math.round(step.total_s);
    const next = $("next"); next.hidden = false;
    const timer = setInterval(() => { left -= 1; $("phase").textContent = `guided · ${left} s left`; if (left <= 0) finish(); }, 1000);
    const finish = () => { clearInterval(timer); next.hidden = true; next.onclick = null; resolve("done"); };
    next.onclick = finish;
    speak(step.name, $("speak").checked);
  });
}

async function startExercise() {
  await ensureCamera();
  const msg = { mode: "coach", exercise: $("exercise").value };
  for (const key of ["sets", "reps", "rest_s"]) if ($(key).value) msg[key] = Number($(key).value);
  if (params.get("session")) msg.session_id = Number(params.get("session"));
  const done = coach(msg);
  const opened = await Promise.race([done, new Promise((resolve) => { const wait = () => (state.socket.ready ? resolve("ready") : setTimeout(wait, 50)); wait(); })]);
  if (opened === "refused") { finish("refused"); return; }
  await startCamera($("video"));
  startLoop();
  const phase = await done;
  finish(phase);
}

async function startRoutine() {
  await ensureCamera();
  const verdict = await practicePlan($("routine").value);
  if (verdict.refusal) { showRefusal(verdict.refusal); finish("refused"); return; }
  const plan = verdict.plan;
  for (const line of planNotes(plan)) $("events").prepend(el("li", { class: "ev-note", text: line }));
  await startCamera($("video"));
  startLoop();
  for (const step of plan.steps) {
    if (state.ended) break;
    $("step").textContent = `Step ${step.position} of ${plan.steps.length}: ${step.name}`;
    const phase = step.coached
      ? await coach({ mode: "coach", exercise: step.exercise, sets: step.sets, reps: step.reps, rest_s: step.rest_s })
      : await guided(step);
    if (phase === "stopped" || phase === "refused") { finish(phase); return; }
  }
  finish("done");
}

function finish(phase) {
  if (state.stop) { state.stop(); state.stop = null; }
  stopCamera($("video"));
  const overlay = $("overlay");
  overlay.getContext("2d").clearRect(0, 0, overlay.width, overlay.height);
  if (phase === "refused") {  // nothing ran: say why (below) and let the person choose another
    $("status").textContent = "Not started: see why below.";
    $("start").disabled = false; $("start-routine").disabled = false; document.body.dataset.state = "refused"; return;
  }
  $("status").textContent = phase === "stopped" ? "Stopped and saved. Rest your face." : "Finished and saved.";
  document.body.dataset.state = "ended";
}

function end() {
  state.ended = true;
  if (state.socket && !state.socket.finished) state.socket.control({ type: "end" });
  else finish("done");
}

function guard(fn) {
  return () => { $("start").disabled = true; $("start-routine").disabled = true; document.body.dataset.state = "running"; fn().catch((error) => { flash(String(error.message || error), "error"); $("start").disabled = false; document.body.dataset.state = ""; }); };
}

$("start").addEventListener("click", guard(startExercise));
$("start-routine").addEventListener("click", guard(startRoutine));
$("end").addEventListener("click", end);
$("pain").addEventListener("click", () => { state.ended = true; if (state.socket) state.socket.control({ type: "pain", note: "it hurts" }); });
loadChoices().catch((error) => flash(error.message, "error"));
