// Coordinator: pick a study, assess and enrol people, randomise, record withdrawals, follow raters, analyse.
import { api, confirmAction, el, flash } from "./common.js";

const pick = document.getElementById("study-pick");
const slug = () => pick.value;
// The API's visit states are identifiers (a contract); the page says them in words.
const VISIT = { complete: "complete", missed: "missed", open: "open", due: "due now", upcoming: "not open yet",
  overdue: "overdue", "not-yet-randomised": "not yet randomised" };

function action(text, handler, kind = "quiet") {
  const button = el("button", { type: "button", class: kind, text });
  button.addEventListener("click", async () => { try { await handler(); await load(); } catch (error) { flash(error.message, "error"); } });
  return button;
}

// The study is read again after every action (a cancelled one too); only the newest answer is shown, so a
// slow earlier read cannot put "enrolled" back after "randomised".
let asked = 0;
async function load() {
  if (!slug()) return;
  const mine = ++asked;
  const study = await api(`/api/study/studies/${slug()}`);
  if (mine !== asked) return;
  const counts = Object.entries(study.by_status).map(([k, v]) => `${v} ${k}`).join(", ");
  document.getElementById("study-summary").textContent = `${study.title}. ${study.assessed} assessed: ${counts || "nobody yet"}.`;
  document.getElementById("report-link").href = `/api/study/studies/${slug()}/report`;
  document.getElementById("export-link").href = `/api/study/studies/${slug()}/export.csv`;
  const rows = document.getElementById("people"); rows.textContent = "";
  for (const p of study.participants) {
    const ineligible = p.status === "ineligible";  // not in the study: no visit follows
    const visits = ineligible ? el("p", { text: "No visits: not eligible for the study." })
      : el("ul", { class: "plain-list" }, ...p.visits.map((v) => el("li", { text: `${v.label}: ${VISIT[v.status] || v.status}, ${v.photos} of ${v.needed} photos` })));
    const acts = el("td", { class: "actions" });
    const baseline = p.visits[0];  // the protocol's first visit; randomisation waits for it
    const waiting = p.status === "enrolled" && baseline && baseline.status !== "complete";
    if (waiting) acts.append(el("p", { class: "small", text: `Randomise after the baseline visit (${baseline.photos} of ${baseline.needed} photos).` }));
    if (p.status === "enrolled" && !waiting) acts.append(action(`Randomise ${p.code}`, async () => {
      if (!await confirmAction(`Randomise ${p.code} now?`, { confirm: `Randomise ${p.code}`,
        detail: "This assigns them to one of the study's groups. It cannot be undone." })) return;
      const r = await api(`/api/study/studies/${slug()}/participants/${p.code}/randomise`, { method: "POST" });
      flash(`${r.code}: ${r.arm_label}`);
    }, ""));
    if (p.status === "enrolled" || p.status === "randomised") acts.append(action(`Withdraw ${p.code}`, async () => {
      const reason = window.prompt(`Why is ${p.code} leaving the study?`);
      if (!reason) return;
      await api(`/api/study/studies/${slug()}/participants/${p.code}/withdraw`, { method: "POST", body: { reason } });
    }, "danger"));
    const adherence = p.adherence.percent === null ? "–" : `${Math.round(p.adherence.percent)}%`;
    acts.dataset.label = "Actions";
    rows.append(el("tr", {}, el("td", { class: "nowrap", "data-label": "Code", text: p.code }),
      el("td", { "data-label": "Status", text: p.status + (p.not_eligible_because.length ? `: ${p.not_eligible_because.join("; ")}` : "") }),
      el("td", { class: "nowrap", "data-label": "Arm", text: p.arm || (ineligible ? "–" : "sealed") }), el("td", { "data-label": "Visits" }, visits),
      el("td", { class: "nowrap", "data-label": "Adherence", text: adherence }), acts));
  }
  if (!study.participants.length) rows.append(el("tr", {}, el("td", { colspan: "6", text: "Nobody assessed yet." })));
  const raters = document.getElementById("raters"); raters.textContent = "";
  for (const r of study.raters) raters.append(el("li", {}, el("span", { text: `${r.name}: ${r.rated} of ${r.queued} rated ` }),
    action(`Queue photos for ${r.name}`, async () => flash((await api(`/api/study/studies/${slug()}/raters/${encodeURIComponent(r.name)}/queue`, { method: "POST" })).detail))));
  if (!study.raters.length) raters.append(document.getElementById("study-summary").dataset.role === "admin"
    ? el("li", {}, "No raters yet: link rater accounts on the ", el("a", { href: "/study/staff", text: "Study staff page" }), ".")
    : el("li", { text: "No raters yet: an admin links rater accounts to the study." }));
}

function ci(e) { return `${e.effect.toFixed(4)} [${e.ci_low.toFixed(4)}, ${e.ci_high.toFixed(4)}]`; }

async function results() {
  const box = document.getElementById("results"); box.textContent = "Analysing…";
  const r = await api(`/api/study/studies/${slug()}/results`);
  box.textContent = "";
  const table = el("table", { class: "table stack" });
  table.append(el("thead", {}, el("tr", {}, ...["Endpoint", "Analysis", "n", "Difference [95% CI]"].map((t) => el("th", { text: t })))));
  const body = el("tbody");
  for (const [name, result] of Object.entries(r.endpoints)) {
    for (const e of [...result.itt, ...result.pp, ...result.mixed]) body.append(el("tr", {}, el("td", { "data-label": "Endpoint", text: name }),
      el("td", { "data-label": "Analysis", text: `${e.population}: ${e.arm} vs ${e.control}` }),
      el("td", { "data-label": "n", text: `${e.n_arm} + ${e.n_control}` }), el("td", { "data-label": "Difference", text: ci(e) })));
  }
  table.append(body);
  box.append(el("p", { text: r.consort_adds_up ? "The CONSORT counts add up." : "The CONSORT counts do NOT add up." }), table,
    el("p", { class: "small", text: r.missing_data }));
}

document.getElementById("enrol-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const r = await api(`/api/study/studies/${slug()}/participants`, { method: "POST",
      body: { email: form.get("email"), age: Number(form.get("age")), sex: form.get("sex") } });
    flash(r.eligible ? `${r.code} enrolled: next, their baseline visit photos.`
      : `${r.code} is not eligible: ${r.reasons.join("; ")}. If a detail was mistyped, correct it and assess again.`, r.eligible ? "info" : "error");
    if (r.eligible) event.target.reset();  // kept when not eligible: a typo is corrected and sent again
    await load();
  } catch (error) { flash(error.message, "error"); }
});
document.getElementById("show-results").addEventListener("click", () => results().catch((error) => flash(error.message, "error")));
pick.addEventListener("change", () => load().catch((error) => flash(error.message, "error")));

async function main() {
  const studies = await api("/api/study/studies");
  for (const s of studies) pick.append(el("option", { value: s.study, text: s.title }));
  if (!studies.length) {  // nothing to pick, assess or analyse: say what is missing, and only that
    const summary = document.getElementById("study-summary");
    if (summary.dataset.role === "admin") {  // an admin coordinates every study: there is none on this server yet
      summary.replaceChildren("There is no study on this server yet. Create one in a terminal on the server: ",
        el("code", { text: "facefit study example > study.toml" }), " writes a protocol to edit, then ",
        el("code", { text: "facefit study create study.toml --seed-out seed.txt" }),
        " creates it (the statistician keeps the seed). It then shows here, as every study does for an admin.");
    } else {
      summary.textContent = "You coordinate no study yet. An admin links you to a study as its coordinator, once the study is set up on the server; this page then shows it.";
    }
    pick.closest("label").hidden = true; document.getElementById("study-work").hidden = true;
    return;
  }
  await load();
}
main().catch((error) => flash(error.message, "error"));
