// Shared helpers: the JSON API with the CSRF header, a status line, sign-out.
export function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

export async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = { "X-CSRF-Token": cookie("facefit_csrf") || "" };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    const error = new Error(detail); error.status = response.status; throw error;
  }
  if (raw) return response;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

// What to tell a person whose camera did not start (getUserMedia's errors name the cause, in developer
// words: "Permission denied", "Requested device not found"); any other error keeps its own message.
export function cameraProblem(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError")
    return "FaceFit may not use your camera. Allow the camera for this site (the camera or lock icon next to the address, or your browser's site settings), then try again.";
  if (name === "NotFoundError" || name === "OverconstrainedError")
    return "No camera was found. Connect a camera, or open FaceFit on a phone or laptop that has one.";
  if (name === "NotReadableError" || name === "AbortError")
    return "The camera is busy: close other apps or tabs that use it, then try again.";
  return String((error && error.message) || error);
}

// A toast above the tab bar: information fades after a few seconds, an error stays until closed.
let toastTimer = null;
export function flash(text, kind = "info") {
  const box = document.getElementById("flash");
  if (!box) return;
  clearTimeout(toastTimer);
  box.textContent = "";
  if (!text) return;
  const close = el("button", { type: "button", "aria-label": "Close message", text: "×" });
  close.addEventListener("click", () => { box.textContent = ""; });
  box.append(el("div", { class: "toast", "data-kind": kind }, el("p", { text }), close));
  if (kind !== "error") toastTimer = setTimeout(() => { box.textContent = ""; }, 6000);
}

// Ask before something that cannot be undone; resolves true only on the confirming button.
export function confirmAction(question, { confirm = "Delete", detail = "" } = {}) {
  return new Promise((resolve) => {
    const dialog = el("dialog", { class: "confirm", "aria-labelledby": "confirm-title" });
    const yes = el("button", { type: "button", class: "danger", text: confirm });
    const no = el("button", { type: "button", class: "quiet", text: "Cancel" });
    dialog.append(el("h2", { id: "confirm-title", text: question }));
    if (detail) dialog.append(el("p", { text: detail }));
    dialog.append(el("div", { class: "actions" }, no, yes));
    const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";
}

// A calendar day ("2026-03-14") as a person reads it ("14 Mar 2026"), without a time-zone shift.
export function day(iso) {
  if (!iso) return "—";
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

// The phone's "More" button opens the full menu above the tab bar; Escape or a link closes it.
const menu = document.getElementById("menu-toggle");
if (menu) {
  const setOpen = (open) => { document.body.dataset.menu = open ? "open" : ""; menu.setAttribute("aria-expanded", String(open)); };
  menu.addEventListener("click", () => setOpen(document.body.dataset.menu !== "open"));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && document.body.dataset.menu === "open") { setOpen(false); menu.focus(); } });
  document.getElementById("site-nav").addEventListener("click", (e) => { if (e.target.closest("a")) setOpen(false); });
}

for (const button of document.querySelectorAll("#logout, [data-action=logout]")) {
  button.addEventListener("click", async () => {
    await api("/api/auth/logout", { method: "POST" });
    if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget-pages");
    location.href = "/login";
  });
}

// The service worker keeps the practice page and its files (wasm, face model) so practice works offline.
if ("serviceWorker" in navigator && document.body.hasAttribute("data-signed-in")) {
  navigator.serviceWorker.register("/sw.js").catch(() => { /* no offline practice here; everything else works */ });
}
