// Account: password, coach invitations, export and deletion (asked twice), and API tokens for developers.
import { api, confirmAction, day, el, flash } from "./common.js";

const $ = (id) => document.getElementById(id);

// Each list is read again after every change; an answer that comes back after a newer one is not shown
// (opening the developer section and making a token at once could end with "No tokens." on screen).
const asked = { coaches: 0, tokens: 0 };

async function refreshCoaches() {
  if (!$("coaches")) return;
  const mine = ++asked.coaches;
  const coaches = await api("/api/account/coaches");
  if (mine !== asked.coaches) return;
  $("coaches").textContent = "";
  if (!coaches.length) $("coaches").append(el("li", { text: "No coach can see your data." }));
  for (const c of coaches) {
    const remove = el("button", { type: "button", class: "link", text: "Withdraw access", "aria-label": `Withdraw ${c.email}'s access` });
    remove.addEventListener("click", async () => {
      if (!await confirmAction(`Withdraw ${c.email}'s access?`, { confirm: "Withdraw", detail: "They will no longer see your sessions and reports." })) return;
      await api(`/api/account/coaches/${c.id}`, { method: "DELETE" }); refreshCoaches();
    });
    $("coaches").append(el("li", {}, `${c.email} `, remove));
  }
}

async function refreshTokens() {
  const mine = ++asked.tokens;
  const tokens = await api("/api/account/tokens");
  if (mine !== asked.tokens) return;
  $("tokens").textContent = "";
  if (!tokens.length) $("tokens").append(el("li", { text: "No tokens." }));
  for (const t of tokens) {
    const item = el("li", {}, `${t.name} (${t.scope}, ${t.prefix}…, made ${day(t.created_at)}) `);
    if (t.revoked) item.append(el("span", { class: "pill", text: "revoked" }));
    else {
      const revoke = el("button", { type: "button", class: "link", text: "Revoke", "aria-label": `Revoke token ${t.name}` });
      revoke.addEventListener("click", async () => {
        if (!await confirmAction(`Revoke the token "${t.name}"?`, { confirm: "Revoke", detail: "Scripts using it stop working at once." })) return;
        await api(`/api/account/tokens/${t.id}`, { method: "DELETE" }); refreshTokens();
      });
      item.append(revoke);
    }
    $("tokens").append(item);
  }
}

$("password-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  if (form.get("new_password") !== form.get("repeat")) { flash("The two new passwords differ.", "error"); return; }
  try {
    await api("/api/account/password", { method: "POST", body: { current_password: form.get("current_password"), new_password: form.get("new_password") } });
    e.target.reset(); flash("Password changed. Other browsers were signed out.");
  } catch (error) { flash(error.message, "error"); }
});
if ($("invite")) $("invite").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const answer = await api("/api/account/coaches", { method: "POST", body: Object.fromEntries(new FormData(e.target)) });
    e.target.reset(); flash(answer.detail); refreshCoaches();
  }
  catch (error) { flash(error.message, "error"); }
});
$("new-token").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const made = await api("/api/account/tokens", { method: "POST", body: Object.fromEntries(new FormData(e.target)) });
    $("token-once").textContent = `Copy it now, it is shown only once: ${made.token}`; e.target.reset(); refreshTokens();
  } catch (error) { flash(error.message, "error"); }
});
$("delete").addEventListener("submit", async (e) => {
  e.preventDefault();
  const sure = await confirmAction("Delete your account and all your data?", {
    confirm: "Delete everything", detail: "Every session, photo and log is removed from this server for good. This cannot be undone." });
  if (!sure) return;
  try {
    await api("/api/account", { method: "DELETE", body: { password: new FormData(e.target).get("password"), confirm: "delete my account" } });
    location.href = "/signup";
  } catch (error) { flash(error.message, "error"); }
});
$("developer").addEventListener("toggle", () => { if ($("developer").open) refreshTokens().catch((error) => flash(error.message, "error")); });
refreshCoaches().then(() => { document.body.dataset.state = "loaded"; }).catch((error) => flash(error.message, "error"));
