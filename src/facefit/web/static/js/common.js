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

export function flash(text, kind = "info") {
  const el = document.getElementById("flash");
  if (!el) return;
  el.textContent = text; el.dataset.kind = kind;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

export function when(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }

const logout = document.getElementById("logout");
if (logout) logout.addEventListener("click", async () => { await api("/api/auth/logout", { method: "POST" }); location.href = "/login"; });
