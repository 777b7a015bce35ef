// Coach view: members whose invitation this coach accepted (read-only), and invitations to accept.
import { api, el, flash, when } from "./common.js";

async function main() {
  const list = document.getElementById("members");
  const members = await api("/api/coach/members");
  if (!members.length) list.append(el("li", { text: "No clients yet: a member invites you, then you accept." }));
  for (const m of members) {
    const open = el("button", { class: "link", text: `${m.display_name || m.email}` });
    open.addEventListener("click", async () => {
      const box = document.getElementById("member-sessions"); box.hidden = false; box.textContent = "";
      const progress = await api(`/api/coach/members/${m.id}/progress`);
      box.append(el("h2", { text: m.display_name || m.email }),
        el("p", { text: `adherence ${progress.adherence ?? "—"}% · streak ${progress.streak.current} days · ${progress.sessions.length} sessions · ${progress.safety.length} safety events` }));
      for (const s of await api(`/api/coach/members/${m.id}/sessions`)) box.append(el("p", { text: `${when(s.started_at)} · ${s.exercise_id || s.routine_id} · ${s.status}` }));
    });
    list.append(el("li", {}, open));
  }
}
async function invitations() {
  const list = document.getElementById("invitations");
  list.textContent = "";
  const waiting = await api("/api/coach/invitations");
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
