// Coach view: members who invited this coach, read-only.
import { api, el, flash, when } from "./common.js";

async function main() {
  const list = document.getElementById("members");
  const members = await api("/api/coach/members");
  if (!members.length) list.append(el("li", { text: "Nobody has invited you yet." }));
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
main().catch((error) => flash(error.message, "error"));
