// Photos: capture with a ghost of the baseline over the live camera, or upload a file; the gate says
// which check failed and how to fix it. The picture is sent only when you press "Take photo".
import { api, el, flash } from "./common.js";
import { startCamera, stopCamera } from "./landmarks.js";

const root = document.getElementById("photos-app");

function showVerdict(result) {
  const box = document.getElementById("verdict");
  box.textContent = "";
  const ok = result.accepted;
  box.append(el("p", { class: ok ? "ok" : "safety", text: result.duplicate ? "You already stored this photo." : ok ? "Accepted and stored." : "Not stored: fix the failed checks and try again." }));
  if (result.gate) for (const c of result.gate.checks) if (!c.passed) box.append(el("p", { text: `✗ ${c.name}: ${c.advice}` }));
}

async function upload(blob, name) {
  const form = new FormData();
  form.append("file", blob, name);
  try { showVerdict(await api("/api/photos", { method: "POST", body: form })); list(); }
  catch (error) { flash(error.message, "error"); }
}

async function list() {
  const grid = document.getElementById("photo-list");
  grid.textContent = "";
  for (const p of await api("/api/photos")) {
    const del = el("button", { class: "link", text: "delete" });
    del.addEventListener("click", async () => { await api(`/api/photos/${p.id}`, { method: "DELETE" }); list(); });
    grid.append(el("figure", {}, el("img", { src: p.image, alt: `photo ${p.id}`, width: "160" }),
      el("figcaption", { text: `${p.taken_at.slice(0, 10)}${p.is_baseline ? " · baseline" : ""}${p.accepted ? "" : " · rejected"} ` }, del)));
  }
}

root.textContent = "";
const video = el("video", { id: "video", playsinline: "", muted: "" });
const ghost = el("img", { id: "ghost", class: "ghost", alt: "", src: "/api/photos/ghost" });
ghost.addEventListener("error", () => ghost.remove());
const camera = el("button", { text: "Start camera" });
const shoot = el("button", { text: "Take photo" });
const file = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp" });
camera.addEventListener("click", () => startCamera(video).catch((e) => flash(e.message, "error")));
shoot.addEventListener("click", () => {
  if (!video.videoWidth) { flash("Start the camera first.", "error"); return; }
  const canvas = el("canvas"); canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  canvas.toBlob((blob) => { stopCamera(video); upload(blob, "camera.jpg"); }, "image/jpeg", 0.95);
});
file.addEventListener("change", () => { if (file.files[0]) upload(file.files[0], file.files[0].name); });
root.append(el("p", { class: "small", text: "Line your face up with the ghost of your first photo: same distance, head straight, soft even light, relaxed face." }),
  el("div", { class: "stage" }, video, ghost), el("p", {}, camera, " ", shoot, " or upload: ", file), el("div", { id: "verdict" }),
  el("h2", { text: "Your photos" }), el("div", { id: "photo-list", class: "photo-grid" }));
list().then(() => { document.body.dataset.state = "loaded"; }).catch((error) => flash(error.message, "error"));
