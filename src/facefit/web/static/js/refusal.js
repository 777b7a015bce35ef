// The practice layer's verdict in the browser: a refusal says why and links to the page that resolves it.
import { cookie, el } from "./common.js";

// Show a refusal (the server's refusal_body) in the page's alert area, with its link.
export function showRefusal(refusal, where = document.getElementById("safety")) {
  where.hidden = false;
  where.textContent = "";
  where.dataset.action = refusal.action;
  where.append(el("span", { text: `${refusal.sentence} ${refusal.advice} ` }),
    el("a", { href: refusal.href, "data-testid": "resolve", text: refusal.link_text }));
  document.body.dataset.state = "refused";
}

// The plan of a routine or exercise for the signed-in person: { plan } or { refusal }.
export async function practicePlan(target) {
  const response = await fetch(`/api/practice/plan?target=${encodeURIComponent(target)}`,
    { headers: { "X-CSRF-Token": cookie("facefit_csrf") || "" }, credentials: "same-origin" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body.allowed ? { plan: body } : { refusal: body };
}

// Skipped steps and warnings of an allowed plan, as lines for the page's log.
export function planNotes(plan) {
  return [...plan.skipped, ...plan.warnings.map((w) => w.message)];
}
