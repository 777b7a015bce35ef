// Account: coach invitations, API tokens, export and deletion.
import { api, el, flash } from "./common.js";

const $ = (id) => document.getElementById(id);

async function refresh() {
  const coaches = await api("/api/account/coaches");
  $("coaches").textContent = "";
  for (const c of coaches) {
    const remove = el("button", { class: "link", text: "remove" });
    remove.addEventListener("click", async () => { await api(`/api/account/coaches/${c.id}`, { method: "DELETE" }); refresh(); });
    $("coaches").append(el("li", { text: `${c.email} ` }, remove));
  }
  const tokens = await api("/api/account/tokens");
  $("tokens").textContent = "";
  for (const t of tokens) {
    const revoke = el("button", { class: "link", text: t.revoked ? "revoked" : "revoke" });
    if (!t.revoked) revoke.addEventListener("click", async () => { await api(`/api/account/tokens/${t.id}`, { method: "DELETE" }); refresh(); });
    $("tokens").append(el("li", { text: `${t.name} (${t.prefix}…) ` }, revoke));
  }
}

$("invite").addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await api("/api/account/coaches", { method: "POST", body: Object.fromEntries(new FormData(e.target)) }); refresh(); }
  catch (error) { flash(error.message, "error"); }
});
$("new-token").addEventListener("submit", async (e) => {
  e.preventDefault();
  const made = await api("/api/account/tokens", { method: "POST", body: Object.fromEntries(new FormData(e.target)) });
  $("token-once").textContent = `Copy it now, it is shown once: ${made.token}`; refresh();
});
$("delete").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await api("/api/account", { method: "DELETE", body: { password: new FormData(e.target).get("password"), confirm: "delete my account" } });
    location.href = "/signup";
  } catch (error) { flash(error.message, "error"); }
});
refresh().catch((error) => flash(error.message, "error"));
