// Sign-in and sign-up forms (JSON API; the CSRF cookie is echoed in a header).
import { api, flash } from "./common.js";

async function submit(form, path, extra = {}) {
  const data = Object.fromEntries(new FormData(form));
  try {
    if (!document.cookie.includes("facefit_csrf=")) await api("/api/auth/csrf");
    await api(path, { method: "POST", body: { ...data, ...extra } });
    const next = new URLSearchParams(location.search).get("next");
    location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  } catch (error) { flash(error.message, "error"); }
}

const login = document.getElementById("login-form");
if (login) login.addEventListener("submit", (e) => { e.preventDefault(); submit(login, "/api/auth/login"); });
const signup = document.getElementById("signup-form");
if (signup) signup.addEventListener("submit", (e) => { e.preventDefault(); submit(signup, "/api/auth/signup"); });
