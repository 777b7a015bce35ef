// Coach view: members whose invitation this coach accepted (read-only), and invitations to accept.
import { api, el, flash, when } from "./common.js";

// One client's figures and sessions. Only the last client clicked is shown, all at once: two clicks in
// quick succession used to put both clients' sessions under one name.
let opened = 0;
async function showMember(m) {
  const mine = ++opened;
  const box = document.getElementById("member-sessions"); box.hidden = false; box.textContent = "";
  const [progress, sessions] = await Promise.all([api(`/api/coach/members/${m.id}/progress`), api(`/api/coach/members/${m.id}/sessions`)]);
  if (mine !== opened) return;  // another client was clicked meanwhile
  box.replaceChildren(el("h2", { text: m.display_name || m.email }),
    el("p", { text: `adherence ${progress.adherence ?? "—"}% · streak ${progress.streak.current} days · ${progress.sessions.length} sessions · ${progress.safety.length} safety events` }),
    ...sessions.map((s) => el("p", { text: `${when(s.started_at)} · ${s.exercise_id || s.routine_id} · ${s.status}` })));
}

async function main() {
  const list = document.getElementById("members");
  const members = await api("/api/coach/members");
  if (!members.length) list.append(el("li", { text: "No clients yet: a member invites you, then you accept." }));
  for (const m of members) {
    const open = el("button", { class: "link", text: `${m.display_name || m.email}` });
    open.addEventListener("click", () => showMember(m).catch((error) => flash(error.message, "error")));
    list.append(el("li", {}, open));
  }
}
// The invitations waiting; asked again after a decline, and only the newest answer is shown, in one step.
let asked = 0;
async function invitations() {
  const list = document.getElementById("invitations");
  const mine = ++asked;
  const waiting = await api("/api/coach/invitations");
  if (mine !== asked) return;
  list.textContent = "";
  if (!waiting.length) list.append(el("li", { text: "No invitation is waiting." }));
  for (const m of waiting) {
    const name = m.display_name || m.email;
    const accept = el("button", { type: "button", text: "Accept", "aria-label": `Accept ${name}'s invitation` });
    const decline = el("button", { type: "button", class: "link", text: "Decline", "aria-label": `Decline ${name}'s invitation` });
    accept.addEventListener("click", async () => { await api(`/api/coach/invitations/${m.id}`, { method: "POST" }); location.reload(); });
    decline.addEventListener("click", async () => { await api(`/api/coach/invitations/${m.id}`, { method: "DELETE" }); invitations(); });
    list.append(el("li", {}, `${name} `, accept, " ", decline));
  }
}
main().then(invitations).catch((error) => flash(error.message, "error"));
