// The practice player. A routine (?routine=) or one exercise (?exercise=) as the practice layer planned
// it for this person (/api/practice/plan: filtered for the screening, with warnings). Each step starts
// with its card and demonstration; a step the camera can check is coached over the WebSocket (face points
// out, the server's coach counts reps and times holds), the others are guided by a timer. Without a
// connection the coaching comes from the card and the face points are kept on the device until they can
// be counted (offline.js). Everything said on screen is also spoken when voice is on.
import { api, cameraProblem, el, flash } from "./common.js";
import { createLandmarker, drawPoints, encodeFrame, runLoop, startCamera, stopCamera } from "./landmarks.js";
import { LiveSocket, speak } from "./live.js";
import { OfflineRecording, guidedSet, syncOffline } from "./offline.js";
import { planNotes, practicePlan, showRefusal } from "./refusal.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = { seq: 0, frames: 0, fps: null, landmarker: null, stopLoop: null, socket: null, ended: false, cards: {}, sessions: [], reps: 0, holds: [] };
window.facefit = state;  // read by the browser tests and bench (fps, frames, sessions, the coach's reps and holds) and handy when debugging
const INDICES_KEY = "facefit-landmark-indices";
const VOICE_KEY = "facefit-voice";

// ---------------------------------------------------------------------------------------------- voice
const voiceOn = () => $("speak").checked;
function setVoice(on) { $("speak").checked = on; $("speak-live").checked = on; localStorage.setItem(VOICE_KEY, on ? "on" : "off"); }
function say(text) { speak(text, voiceOn()); }

// ---------------------------------------------------------------------------------------------- words
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const FAULT_WORDS = {
  "teeth-showing": "teeth showing", "asymmetry": "one side weaker", "jerky-onset": "a jerky start",
  "wrong-exercise": "a different movement", "head-pose": "the head moving", "mouth-shape": "the mouth shape",
  "forehead-engagement": "the forehead joining in", "frown": "frowning", "not-resisting": "not resisting",
  "not-seen": "the movement not seen", "face-camera": "facing away from the camera",
  "rest-again": "the rest face learned again", "cheek-puff": "cheek puffing", "lip-flap": "lip flapping",
};
// What the coach says about seeing the face, not about how the exercise was done: not under "Form".
const NOT_FORM = new Set(["not-seen", "face-camera", "rest-again"]);
function times(n) { return n === 1 ? "once" : n === 2 ? "twice" : `${n} times`; }

function log(text, kind) { $("events").prepend(el("li", { class: `ev-${kind}`, text })); }
function banner(text, ms = 1800) {
  const b = $("banner"); b.textContent = text; b.hidden = false;
  clearTimeout(banner.timer); banner.timer = setTimeout(() => { b.hidden = true; }, ms);
}

// ---------------------------------------------------------------------------------------------- camera
async function ensureLandmarker() {
  if (!state.landmarker) { $("status").textContent = "Loading the face model…"; state.landmarker = await createLandmarker(); }
  return state.landmarker;
}

// Start the camera and run the landmarker on every frame; onFrame(result, tMs) gets each result.
async function cameraOn(onFrame) {
  const video = $("video");
  await startCamera(video);
  const stamps = [];
  state.stopLoop = runLoop(video, state.landmarker, (result, tMs) => {
    state.frames += 1;
    stamps.push(tMs); if (stamps.length > 60) stamps.shift();
    if (stamps.length > 10) state.fps = (1000 * (stamps.length - 1)) / (stamps[stamps.length - 1] - stamps[0]);
    if (state.frames % 30 === 0 && state.fps) document.body.dataset.fps = state.fps.toFixed(1);
    onFrame(result, tMs, video);
  }, state);
}

function cameraOff() {
  if (state.stopLoop) { state.stopLoop(); state.stopLoop = null; }
  stopCamera($("video"));
  const overlay = $("overlay");
  overlay.getContext("2d").clearRect(0, 0, overlay.width, overlay.height);  // no stale points after a set
}

// ---------------------------------------------------------------------------------------------- a set's summary
function newSet() { return { reps: [], holds: [], faults: {}, safety: [] }; }

function setSummary(set, plan, number, sets) {
  const target = plan.hold_s || 0;
  const lines = [`Set ${number} of ${sets}: ${plural(set.reps.length, "rep")}${plan.reps ? ` of ${plan.reps}` : ""}.`];
  if (target && set.holds.length) {
    const good = set.holds.filter((h) => h + 0.05 >= target).length;
    const shortest = Math.min(...set.holds);
    lines.push(good === set.holds.length ? `All ${plural(good, "hold")} reached ${target} s.`
      : `${good} of ${plural(set.holds.length, "hold")} reached ${target} s; the shortest was ${shortest.toFixed(1)} s. Hold until the bar is full.`);
  }
  const said = ([k, n]) => `${FAULT_WORDS[k] || k.replace(/-/g, " ")} ${times(n)}`;
  const faults = Object.entries(set.faults).filter(([k]) => !NOT_FORM.has(k));
  const notes = Object.entries(set.faults).filter(([k]) => NOT_FORM.has(k));
  lines.push(faults.length ? `Form: ${faults.map(said).join("; ")}.` : "Form: no faults seen.");
  if (notes.length) lines.push(`Also: ${notes.map(said).join("; ")}.`);
  // Evenness is the engine's verdict (its "asymmetry" fault, in the Form line above), as at every door.
  // A sentence of the page's own, from the raw symmetry %, called reps uneven that the engine passed, and
  // judged the brow presses, whose sides the engine does not judge (coach/specs.toml).
  return lines;
}

function showLines(box, title, lines) {
  box.textContent = "";
  box.append(el("h3", { text: title }), ...lines.map((line) => el("p", { text: line })));
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------- hold countdown
function showHold(msg, plan, live) {
  const target = plan.hold_s || 0;
  const held = msg.hold || 0;
  const share = target ? Math.min(1, held / target) : 0;
  $("hold-fill").style.width = `${Math.round(100 * share)}%`;
  $("hold-bar").setAttribute("aria-valuenow", String(Math.round(100 * share)));
  const text = $("hold-text");
  if (!target) { text.textContent = ""; return; }
  if (msg.active && held > 0) {
    if (!live.holding) { live.holding = true; live.released = false; say("Hold"); }
    const left = Math.ceil(target - held);
    text.dataset.kind = left > 0 ? "" : "good";
    text.textContent = left > 0 ? `Hold ${plural(left, "more second")}` : "Held long enough: release slowly";
    if (left <= 0 && !live.released) { live.released = true; say("Release"); }
  } else {
    live.holding = false;
    if (text.dataset.kind !== "short" && text.dataset.kind !== "done") { text.dataset.kind = ""; text.textContent = `Lift, then hold ${target} s`; }
  }
}

function holdEvent(duration, plan) {
  const target = plan.hold_s || 0;
  const text = $("hold-text");
  if (target && duration + 0.05 < target) {
    text.dataset.kind = "short"; text.textContent = `That hold was ${duration.toFixed(1)} s, short of ${target} s`;
    return `Hold ${duration.toFixed(1)} s: short of the ${target} s target`;
  }
  text.dataset.kind = "done"; text.textContent = `Held ${duration.toFixed(1)} s`;
  return `Hold ${duration.toFixed(1)} s: on target`;
}

// ---------------------------------------------------------------------------------------------- steps
function numbers(step) {
  const pick = (id, fallback) => ($(id).value ? Number($(id).value) : fallback);
  return { sets: pick("sets", step.sets), reps: step.reps === null ? null : pick("reps", step.reps), rest_s: pick("rest_s", step.rest_s) };
}

function dose(step) {
  const n = numbers(step);
  return step.reps === null ? `${Math.round(step.duration_s || step.total_s)} s, guided by a timer`
    : `${plural(n.sets, "set")} of ${n.reps}${step.hold_s ? `, holding each ${step.hold_s} s` : ""}`;
}

// The step's card and demonstration; resolves "start" or "skip".
function intro(step, index, total) {
  $("step").textContent = `Step ${index + 1} of ${total}`;
  $("exercise-name").textContent = step.name;
  $("intro-text").textContent = `${dose(step)}. ${step.cue}`;
  $("intro-steps").replaceChildren(...step.instructions.map((line) => el("li", { text: line })));
  $("intro").hidden = false; $("coaching").hidden = true; $("set-summary").hidden = true;
  // nothing said about the last exercise stays on screen for this one (its hold target may differ)
  $("hold-text").textContent = ""; delete $("hold-text").dataset.kind; $("phase").textContent = ""; $("status").textContent = "";
  const demo = $("demo");
  if (step.coached && navigator.onLine) {
    banner("Loading the clip…", 60000);
    demo.addEventListener("playing", () => { $("banner").hidden = true; }, { once: true });
    demo.src = `/demos/${step.exercise}.webm`; demo.hidden = false; demo.play().catch(() => {});
  }
  say(`Next: ${step.name}. ${step.cue}`);
  return new Promise((resolve) => {
    const done = (choice) => { $("banner").hidden = true; $("go").onclick = null; $("skip").onclick = null; $("intro").hidden = true; demo.pause(); demo.hidden = true; demo.removeAttribute("src"); resolve(choice); };
    $("go").onclick = () => done("start");
    $("skip").onclick = () => done("skip");
    $("go").focus();
  });
}

// A step the coach cannot check: its instructions and a timer; "Next" moves on.
function guidedStep(step) {
  return new Promise((resolve) => {
    $("coaching").hidden = false;
    $("cue").textContent = step.instructions.join(" ");
    $("rep-count").textContent = "—"; $("target").textContent = "—"; $("hold-text").textContent = "";
    $("set").textContent = "guided";
    let left = Math.round(step.duration_s || step.total_s);
    const next = $("next"); next.hidden = false; next.textContent = "Next";
    const tick = () => { $("phase").textContent = `${plural(left, "second")} left`; };
    tick();
    const timer = setInterval(() => { left -= 1; tick(); if (left <= 0 || state.ended) finish(); }, 1000);
    const total = left;
    const finish = () => {  // "Next" before the timer ran out is said as such, not as done
      clearInterval(timer); next.hidden = true; next.onclick = null;
      resolve({ step, status: "done", guided: true, movedOnAfter: left > 0 ? total - left : null, total });
    };
    next.onclick = finish;
  });
}

// A coached step over the WebSocket; resolves with its sets when the server has saved them.
function coachedStep(step) {
  const plan0 = { ...numbers(step), hold_s: step.hold_s };
  const start = { mode: "coach", exercise: step.exercise, sets: plan0.sets, reps: plan0.reps, rest_s: plan0.rest_s };
  if (!navigator.onLine) return offlineStep(step, start);
  return new Promise((resolve, reject) => {
    const result = { step, status: "done", sets: [], sessionId: null };
    const live = { set: newSet(), plan: { ...plan0 }, holding: false, released: false, lastPhase: null };
    let settled = false;
    const settle = (value) => { if (!settled) { settled = true; cameraOff(); resolve(value); } };
    const socket = new LiveSocket(start, {
      ready: async (msg) => {
        localStorage.setItem(INDICES_KEY, JSON.stringify(msg.landmarks));
        live.plan = msg.plan;
        if (msg.session_id && !result.sessionId) { result.sessionId = msg.session_id; $("session-id").textContent = msg.session_id; }
        $("target").textContent = msg.plan.reps ?? "—";
        $("cue").textContent = msg.plan.cue;
        $("set").textContent = `Set ${msg.set} of ${msg.plan.sets}`;
        $("status").textContent = msg.calibration === "stored" ? "" : "Keep still for a second: the coach learns your rest face first.";
        $("status").dataset.learning = msg.calibration === "stored" ? "" : "yes";
        live.set = newSet();  // a reconnect starts the set again at 0 on the server: the page's tally too
        for (const done of msg.completed_sets || []) {  // sets the server saved whose end never reached the page
          if (!result.sets.some((s) => s.set === done.set)) result.sets.push({ set: done.set, reps: done.reps, lines: [`Set ${done.set} of ${msg.plan.sets}: ${plural(done.reps, "rep")}.`] });
        }
        if (state.stopLoop) return;  // a reconnect: the camera is already on
        try {
          await cameraOn((res, tMs, video) => {
            if (!socket.ready || socket.finished) return;
            const indices = socket.ready.landmarks;
            socket.sendFrame(tMs, () => encodeFrame(res, indices, state.seq++, tMs, video.videoWidth, video.videoHeight));
            drawPoints($("overlay"), video, res, indices);
          });
        } catch (error) {  // no camera (refused, missing, busy): end the step, and start() says why
          socket.finished = true; socket.close(); settled = true; cameraOff(); reject(error); return;
        }
        banner(`Set ${msg.set} of ${msg.plan.sets}`);
        say(`Set ${msg.set}. Begin.`);
      },
      session: (msg) => { result.sessionId = msg.session_id; $("session-id").textContent = msg.session_id; state.sessions.push(msg.session_id); },
      tick: (msg) => onTick(msg, live, result, socket),
      saved: (msg) => {
        if (msg.sets.length) $("status").textContent = `Set ${msg.sets.join(", ")} saved.`;
        for (const n of msg.sets) {  // a set ended early (ended by the person, or a pain stop) has no "set" event
          if (!result.sets.some((s) => s.set === n)) result.sets.push({ set: n, reps: live.set.reps.length, lines: setSummary(live.set, live.plan, n, live.plan.sets) });
        }
        if (msg.finished) { socket.finished = true; socket.close(); settle(result); }
      },
      error: (msg) => {
        if (socket.finished && !msg.refusal) return;  // frames already on their way when the set ended
        if (!msg.refusal) { flash(msg.message, "error"); return; }
        showRefusal(msg.refusal); socket.finished = true; socket.close(); result.status = "refused"; settle(result);
      },
      unreachable: () => { socket.finished = true; settle(offlineStep(step, start)); },
      reconnecting: () => { $("status").textContent = "Connection lost: reconnecting (finished sets are saved)…"; },
    });
    state.socket = socket;
    socket.connect();
  });
}

function onTick(msg, live, result, socket) {
  const plan = live.plan;
  if (msg.reps !== undefined) $("rep-count").textContent = msg.reps;
  if (msg.set) $("set").textContent = `Set ${msg.set} of ${msg.sets}`;
  if (msg.phase === "rest") {
    $("phase").textContent = `rest: ${Math.ceil(msg.rest_left ?? 0)} s`;
    if (live.lastPhase !== "rest") { const o = $("overlay"); o.getContext("2d").clearRect(0, 0, o.width, o.height); }
  } else if (msg.phase === "work") {
    $("phase").textContent = msg.calibrating ? "keep still: learning your rest face" : "your turn";
    if (!msg.calibrating && $("status").dataset.learning) {  // the rest face is learned: the hint is done
      $("status").dataset.learning = "";
      $("status").textContent = "Rest face learned. Your turn.";
    }
    if (live.lastPhase === "rest") { $("set-summary").hidden = true; banner(`Set ${msg.set} of ${msg.sets}`); say(`Set ${msg.set}. Begin.`); $("rep-count").textContent = "0"; }
  }
  live.lastPhase = msg.phase;
  showHold(msg, plan, live);
  for (const event of msg.events || []) {
    if (event.event === "progress") continue;  // the counter shows it
    if (event.event === "rep") { live.set.reps.push(event); state.reps += 1; log(`Rep ${event.index}`, "rep"); say(String(event.index)); }
    else if (event.event === "hold") { live.set.holds.push(event.duration_s); state.holds.push(event.duration_s); log(holdEvent(event.duration_s, plan), "hold"); }
    else if (event.event === "fault") {
      live.set.faults[event.fault] = (live.set.faults[event.fault] || 0) + 1; log(event.message, "fault"); say(event.message);
      if (event.fault === "rest-again") { $("status").dataset.learning = "yes"; $("status").textContent = "Relax your face and keep still: learning your rest face again."; }
    }
    else if (event.event === "safety" || event.event === "stopped") {
      const text = event.message || event.reason;
      $("safety").hidden = false; $("safety").textContent = text; log(text, event.event); say(event.say || "Stopped. Rest your face.");
      result.status = "stopped";
    } else if (event.event === "set") {
      const lines = setSummary(live.set, plan, event.set, plan.sets);
      if (event.rest_s) lines.push(`Rest ${event.rest_s} s, then set ${event.set + 1}.`);
      result.sets.push({ set: event.set, reps: event.reps, lines });
      showLines($("set-summary"), `Set ${event.set} finished`, lines);
      log(lines[0], "set");
      say(event.rest_s ? `Set ${event.set} done. Rest ${event.rest_s} seconds.` : `Set ${event.set} done.`);
      banner(event.rest_s ? `Rest ${event.rest_s} s` : "Exercise finished", event.rest_s ? 2500 : 1800);
      live.set = newSet();
    }
  }
  if (msg.phase === "done" || msg.phase === "stopped") { socket.finished = true; if (msg.phase === "stopped") result.status = "stopped"; }
}

// No connection: coach from the card (lift, hold countdown, release) and keep the face points on this
// device; the server counts them when the connection is back.
async function offlineStep(step, start) {
  const indices = JSON.parse(localStorage.getItem(INDICES_KEY) || "null") || Array.from({ length: 478 }, (_, i) => i);
  const recording = new OfflineRecording({ ...start, landmarks: indices });
  const card = state.cards[step.exercise] || {};
  const tempo = card.tempo || { up_s: 1, down_s: 1 };
  const n = numbers(step);
  $("status").textContent = "No connection: coaching from the card. Your reps are counted when you are back online.";
  $("cue").textContent = step.cue;
  $("session-id").textContent = "saved on this device";
  document.body.dataset.offline = "yes";
  const drawn = indices.length > 200 ? indices.filter((_, i) => i % 4 === 0) : indices;  // a lighter overlay
  let lastKept = -Infinity;
  await cameraOn((res, tMs, video) => {
    drawPoints($("overlay"), video, res, drawn);
    if (tMs - lastKept < 60) return;  // keep at most ~15 frames a second: enough for the coach, half the size
    lastKept = tMs;
    recording.add(encodeFrame(res, indices, state.seq++, tMs, video.videoWidth, video.videoHeight));
  });
  $("target").textContent = n.reps;
  for (let set = 1; set <= n.sets && !state.ended; set += 1) {
    $("set").textContent = `Set ${set} of ${n.sets}`; banner(`Set ${set} of ${n.sets}`); say(`Set ${set}. Begin.`);
    let lastRep = 0, lastPhase = "";
    await guidedSet({ reps: n.reps, hold_s: step.hold_s || 0, up_s: tempo.up_s, down_s: tempo.down_s }, ({ rep, phase, left }) => {
      $("rep-count").textContent = rep;
      $("phase").textContent = "offline: follow the prompts";
      const words = { lift: "Lift", hold: `Hold ${plural(left, "more second")}`, release: "Release slowly", rest: "Relax" };
      $("hold-text").textContent = words[phase];
      if (phase !== lastPhase || rep !== lastRep) { if (phase !== "rest") say(phase === "hold" ? "Hold" : words[phase]); lastPhase = phase; lastRep = rep; }
    }, () => state.ended);
    if (set < n.sets && !state.ended) {
      banner(`Rest ${n.rest_s} s`); say(`Rest ${n.rest_s} seconds.`);
      await new Promise((r) => setTimeout(r, 1000 * n.rest_s));
    }
  }
  cameraOff();
  await recording.finish();
  log(`${step.name}: kept on this device (${recording.frames} frames), counted when you are back online`, "note");
  return { step, status: "offline", sets: [], offline: true };
}

// ---------------------------------------------------------------------------------------------- the session
function stepLine(r) {
  if (r.status === "skipped") return `${r.step.name}: skipped.`;
  if (r.guided) return r.movedOnAfter === null || r.movedOnAfter === undefined ? `${r.step.name}: done with the timer.`
    : `${r.step.name}: moved on after ${plural(r.movedOnAfter, "second")} of ${r.total}.`;
  if (r.offline) return `${r.step.name}: done offline; the reps are counted when you are back online.`;
  if (r.status === "refused") return `${r.step.name}: not started (see why above).`;
  const reps = r.sets.reduce((a, s) => a + s.reps, 0);
  const detail = r.sets.map((s) => s.lines.slice(1).join(" ")).join(" ");
  // a coached exercise with no rep seen is not practice done: say so, so today's unticked day has a reason
  const none = reps === 0 && r.status !== "stopped" ? " No rep was seen, so this exercise does not count toward today." : "";
  return `${r.step.name}: ${plural(reps, "rep")} in ${plural(r.sets.length, "set")}${r.status === "stopped" ? ", stopped" : ""}.${none} ${detail}`;
}

async function runSession(plan) {
  document.body.dataset.state = "running";
  $("live").hidden = false; $("setup").hidden = true; $("session-summary").hidden = true;
  state.ended = false;
  for (const line of planNotes(plan)) log(line, "note");
  const results = [];
  if (plan.steps.some((s) => s.coached)) await ensureLandmarker();
  $("status").textContent = "";
  for (const [index, step] of plan.steps.entries()) {
    if (state.ended) break;
    const choice = await intro(step, index, plan.steps.length);
    if (choice === "skip") { results.push({ step, status: "skipped" }); log(`${step.name}: skipped`, "note"); continue; }
    $("coaching").hidden = false; $("safety").hidden = true;
    $("exercise-name").textContent = step.name; $("rep-count").textContent = "0";
    const result = step.coached ? await coachedStep(step) : await guidedStep(step);
    results.push(result);
    if (result.status === "stopped" || result.status === "refused") break;
    if (step.coached && index < plan.steps.length - 1 && !state.ended) await carryOn();
  }
  finishSession(plan, results);
}

// After an exercise: its last set's summary stays up until the person moves on.
function carryOn() {
  return new Promise((resolve) => {
    const next = $("next"); next.hidden = false; next.textContent = "Next exercise";
    $("phase").textContent = "exercise finished";
    $("live").dataset.between = "yes";  // the camera is off: the summary gets the room
    next.onclick = () => { next.hidden = true; next.onclick = null; delete $("live").dataset.between; resolve(); };
    next.focus();
  });
}

function finishSession(plan, results) {
  cameraOff();
  document.body.dataset.state = results.some((r) => r.status === "refused") ? "refused" : "ended";
  $("live").hidden = true;
  const stopped = results.some((r) => r.status === "stopped");
  const lines = results.map(stepLine);
  const next = stopped ? "Stopped for safety: rest your face. The Today page says what to do before the next session."
    : results.some((r) => r.offline) ? "Saved on this device: it joins your history when the connection is back."
      : "Saved to your history. Next: your plan on the Today page. Changes in the face take weeks of regular practice.";
  $("summary-title").textContent = stopped ? "Session stopped" : "Session finished";
  $("summary-body").replaceChildren(...lines.map((line) => el("p", { class: "summary-line", text: line })), el("p", { class: "notice", text: next }));
  $("session-summary").hidden = false;
  say(stopped ? "Session stopped." : "Session finished.");
  $("summary-title").focus?.();
  state.results = results;
}

// The plan last given for ``target`` (kept so practice can start without a connection).
const PLAN_KEY = (target) => `facefit-plan-${target}`;

async function start(target) {
  $("start").disabled = true; $("start-routine").disabled = true;
  document.body.dataset.state = "starting";  // not "refused" from a last try while this plan is read
  try {
    let verdict;
    if (navigator.onLine) verdict = await practicePlan(target);
    else {
      const kept = localStorage.getItem(PLAN_KEY(target));
      if (!kept) throw new Error("No connection, and this has not been opened on this device yet: connect once to get it ready.");
      verdict = { plan: JSON.parse(kept) };
    }
    if (verdict.refusal) { localStorage.removeItem(PLAN_KEY(target)); showRefusal(verdict.refusal); $("start").disabled = false; $("start-routine").disabled = false; return; }
    localStorage.setItem(PLAN_KEY(target), JSON.stringify(verdict.plan));
    await runSession(verdict.plan);
  } catch (error) {
    flash(cameraProblem(error), "error");
    cameraOff(); document.body.dataset.state = ""; $("live").hidden = true; $("setup").hidden = false;
    $("start").disabled = false; $("start-routine").disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------- page setup
async function loadChoices() {
  const cards = await api("/api/catalog/exercises");
  for (const card of cards) state.cards[card.id] = card;
  const select = $("exercise");
  for (const card of cards) if (card.reps) select.append(el("option", { value: card.id, text: card.name }));
  select.value = params.get("exercise") || "cheek-lifter";
  const routines = await api("/api/catalog/routines");
  const pick = $("routine");
  // The length goes under the choice, not into it: a phone's select shows one short line.
  const minutes = {};
  for (const r of routines) {
    pick.append(el("option", { value: r.id, text: r.name }));
    minutes[r.id] = r.minutes;
  }
  if (params.get("routine")) pick.value = params.get("routine");
  const sayLength = () => {
    const m = minutes[pick.value];
    $("routine-length").textContent = m ? `Takes about ${Math.round(m)} min, cues and rests included.` : "";
  };
  sayLength();
  pick.addEventListener("change", sayLength);
  for (const choice of [select, pick]) choice.addEventListener("change", () => keepPlan(choice.value));
  await Promise.all([keepPlan(select.value), keepPlan(pick.value)]);
}

// Keep the chosen routine's and exercise's plans on the device, so practice can start offline.
async function keepPlan(target) {
  if (!navigator.onLine) return;
  try {
    const verdict = await practicePlan(target);
    if (verdict.plan) localStorage.setItem(PLAN_KEY(target), JSON.stringify(verdict.plan));
    else localStorage.removeItem(PLAN_KEY(target));
  } catch { /* only a convenience: starting online fetches the plan again */ }
}

async function sync() {
  if (!navigator.onLine) return;
  try {
    const sent = await syncOffline(api);
    if (sent) { flash(`${plural(sent, "offline session")} counted and saved to your history.`); document.body.dataset.synced = String(sent); }
  } catch (error) { flash(`Offline practice not sent yet: ${error.message}`, "error"); }
}

for (const key of ["sets", "reps", "rest_s"]) if (params.get(key)) { $(key).value = params.get(key); $("setup").querySelector("details").open = true; }
setVoice(localStorage.getItem(VOICE_KEY) === "on");
$("speak").addEventListener("change", () => setVoice($("speak").checked));
$("speak-live").addEventListener("change", () => setVoice($("speak-live").checked));
$("start").addEventListener("click", () => start($("exercise").value));
$("start-routine").addEventListener("click", () => start($("routine").value));
$("end").addEventListener("click", () => {
  state.ended = true;
  if (!$("intro").hidden) $("skip").click();
  if (state.socket && !state.socket.finished) state.socket.control({ type: "end" });
});
$("pain").addEventListener("click", () => {
  state.ended = true;
  if (state.socket && !state.socket.finished) state.socket.control({ type: "pain", note: "it hurts" });
});
window.addEventListener("online", () => { $("offline-note").hidden = true; sync(); });
window.addEventListener("offline", () => { $("offline-note").hidden = false; $("offline-note").textContent = "No connection: you can still practise; it is saved when you are back online."; });
if (!navigator.onLine) window.dispatchEvent(new Event("offline"));
loadChoices().then(() => { document.body.dataset.loaded = "yes"; }).catch((error) => flash(error.message, "error"));
sync();
