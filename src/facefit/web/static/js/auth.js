// Sign-in and sign-up forms (JSON API; the CSRF cookie is echoed in a header).
import { api, flash } from "./common.js";

// Where to go after signing in: the server checked ?next= (web/security.py safe_next) and put the result
// on the form; it is checked again here. Browsers read a backslash as "/" and drop tabs: only a plain path on
// this site passes (before and after decoding), else the dashboard.
function nextPage(form) {
  const next = form.dataset.next || "/";
  let decoded;
  try { decoded = decodeURIComponent(next); } catch { return "/"; }
  const bad = (s) => !s.startsWith("/") || s.startsWith("//") || s.includes("\\") || /[\x00-\x20\x7f]/.test(s);
  if (bad(next) || bad(decoded)) return "/";
  const url = new URL(next, location.origin);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : "/";
}

async function submit(form, path, extra = {}) {
  const data = Object.fromEntries(new FormData(form));
  try {
    if (!document.cookie.includes("facefit_csrf=")) await api("/api/auth/csrf");
    await api(path, { method: "POST", body: { ...data, ...extra } });
    location.href = nextPage(form);
  } catch (error) { flash(error.message, "error"); }
}

const login = document.getElementById("login-form");
if (login) login.addEventListener("submit", (e) => { e.preventDefault(); submit(login, "/api/auth/login"); });
const signup = document.getElementById("signup-form");
if (signup) signup.addEventListener("submit", (e) => { e.preventDefault(); submit(signup, "/api/auth/signup"); });
