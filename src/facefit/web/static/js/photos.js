// Photos: capture with a ghost of the baseline over the live camera, or upload a file; the gate says
// which check failed and how to fix it. The picture is sent only when you press "Take photo".
import { api, cameraProblem, confirmAction, day, el, flash } from "./common.js";
import { startCamera, stopCamera } from "./landmarks.js";

const root = document.getElementById("photos-app");

// The gate's checks (facefit.photos.gate) in a person's words.
const CHECKS = {
  one_face: "Face", yaw: "Head turned", pitch: "Chin up or down", roll: "Head tilted", distance: "Distance",
  resolution: "Face size", luminance: "Light", balance: "Light on both sides", sharpness: "Sharpness",
  eyes_open: "Eyes open", expression: "Relaxed face",
};

function showVerdict(result) {
  const box = document.getElementById("verdict");
  box.textContent = "";
  const ok = result.accepted;
  box.append(el("p", { class: ok ? "ok" : "safety", text: result.duplicate ? "You already stored this photo." : ok ? "Accepted and stored." : "Not stored: fix the failed checks and try again." }));
  if (result.gate) for (const c of result.gate.checks) if (!c.passed) box.append(el("p", { text: `✗ ${CHECKS[c.name] || c.name}: ${c.advice}` }));
  if (result.is_baseline && result.error_note) box.append(el("p", { class: "small", text: `This is your baseline. ${result.error_note}` }));
}

async function upload(blob, name) {
  const form = new FormData();
  form.append("file", blob, name);
  const status = document.getElementById("upload-status");
  status.textContent = "Checking the photo (light, pose, expression)… A first photo takes longer: how precise its measurements are is worked out too.";
  document.getElementById("verdict").textContent = "";  // the last photo's verdict is not this one's
  try { showVerdict(await api("/api/photos", { method: "POST", body: form })); list(); }
  catch (error) { flash(error.message, "error"); }
  finally { status.textContent = ""; }
}

async function remove(photo) {
  const detail = photo.is_baseline
    ? "This is your baseline: every change is measured against it. Your next accepted photo becomes the new baseline."
    : "The photo and its measurements are removed from this server. This cannot be undone.";
  if (!await confirmAction(`Delete the photo of ${day(photo.taken_at)}?`, { confirm: "Delete photo", detail })) return;
  try { await api(`/api/photos/${photo.id}`, { method: "DELETE" }); flash("Photo deleted."); list(); }
  catch (error) { flash(error.message, "error"); }
}

// The list is asked for again after every upload and deletion; only the newest answer is shown, in one
// step (two answers in flight used to both add their photos: one photo showed twice).
let asked = 0;
async function list() {
  const grid = document.getElementById("photo-list");
  const mine = ++asked;
  const photos = await api("/api/photos");
  if (mine !== asked) return;  // a newer list is on its way
  const items = [];
  if (!photos.length) items.push(el("p", { class: "grid-note", text: "No photos yet. Your first accepted photo becomes the baseline that later ones are compared with." }));
  for (const p of photos) {
    const del = el("button", { type: "button", class: "link", text: "Delete", "aria-label": `Delete the photo of ${day(p.taken_at)}` });
    del.addEventListener("click", () => remove(p));
    const label = `${day(p.taken_at)}${p.is_baseline ? " · baseline" : ""}${p.accepted ? "" : " · not accepted"}`;
    items.push(el("figure", {}, el("img", { src: p.image, alt: `Photo of ${label}`, width: "160", height: "120", loading: "lazy" }),
      el("figcaption", {}, el("span", { text: label }), del)));
  }
  grid.replaceChildren(...items);
  const hasBaseline = photos.some((p) => p.is_baseline);
  if (hasBaseline && !ghost.getAttribute("src")) ghost.src = "/api/photos/ghost";
  ghost.hidden = !hasBaseline;
  document.getElementById("photo-tip").textContent = hasBaseline
    ? "Line your face up with the ghost of your baseline photo: same distance, head straight, soft even light, relaxed face."
    : "Face the camera at arm's length, head straight, in soft even light, with a relaxed face: this first photo becomes your baseline.";
}

root.textContent = "";
const video = el("video", { id: "video", playsinline: "", muted: "" });
const ghost = el("img", { id: "ghost", class: "ghost", alt: "" });  // the baseline, once there is one
const camera = el("button", { type: "button", text: "Start camera" });
const shoot = el("button", { type: "button", class: "secondary", text: "Take photo" });
const file = el("input", { type: "file", id: "photo-file", accept: "image/jpeg,image/png,image/webp" });
camera.addEventListener("click", () => startCamera(video).catch((e) => flash(`${cameraProblem(e)} You can also upload a photo instead.`, "error")));
shoot.addEventListener("click", () => {
  if (!video.videoWidth) { flash("Start the camera first.", "error"); return; }
  const canvas = el("canvas"); canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  canvas.toBlob((blob) => { stopCamera(video); upload(blob, "camera.jpg"); }, "image/jpeg", 0.95);
});
file.addEventListener("change", () => { if (file.files[0]) upload(file.files[0], file.files[0].name); });
root.append(el("p", { class: "small", id: "photo-tip" }),
  el("div", { class: "stage" }, video, ghost), el("div", { class: "actions" }, camera, shoot), el("label", { for: "photo-file" }, "Or upload a photo"), file, el("p", { id: "upload-status", class: "status", role: "status" }), el("div", { id: "verdict" }),
  el("h2", { text: "Your photos" }), el("div", { id: "photo-list", class: "photo-grid" }));
list().then(() => { document.body.dataset.state = "loaded"; }).catch((error) => flash(error.message, "error"));
