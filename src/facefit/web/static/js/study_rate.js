// Blinded rating: one face at a time, identified only by an opaque token; nothing else is ever shown.
import { api, el, flash } from "./common.js";

const pick = document.getElementById("queue-pick");
const form = document.getElementById("rate-form");
const photo = document.getElementById("item-photo");
let current = null;

function choices(id, name, low, high) {
  const box = document.getElementById(id); box.textContent = "";
  for (let v = low; v <= high; v += 1) {
    const input = el("input", { type: "radio", name, value: String(v), id: `${name}-${v}`, required: "" });
    box.append(el("label", { for: `${name}-${v}` }, input, el("span", { text: String(v) })));
  }
}

function show(next) {
  const status = document.getElementById("rate-status");
  const option = pick.selectedOptions[0];
  if (option) option.textContent = `${pick.value} (${next.rated} of ${next.total} rated)`;
  current = next.item;
  if (!current) {
    form.hidden = true; photo.hidden = true; photo.removeAttribute("src");
    document.getElementById("item-number").textContent = "";
    status.textContent = next.total ? `All photos rated (${next.total}). Thank you.` : "Nothing to rate yet.";
    return;
  }
  const age = document.getElementById("apparent-age");
  age.min = String(next.age_range[0]); age.max = String(next.age_range[1]);
  choices("upper-choices", "upper_cheek", next.cheek_range[0], next.cheek_range[1]);
  choices("lower-choices", "lower_cheek", next.cheek_range[0], next.cheek_range[1]);
  form.reset(); form.hidden = false;
  photo.src = current.image; photo.hidden = false;
  document.getElementById("item-number").textContent = `${current.number} of ${current.total}`;
  status.textContent = `${next.rated} rated so far.`;
}

async function load() { if (pick.value) show(await api(`/api/rate/${pick.value}/next`)); }

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  try {
    show(await api(`/api/rate/${pick.value}/items/${current.token}`, { method: "POST", body: {
      apparent_age: Number(data.get("apparent_age")), upper_cheek: Number(data.get("upper_cheek")), lower_cheek: Number(data.get("lower_cheek")) } }));
    flash("Saved.");
  } catch (error) { flash(error.message, "error"); }
});
pick.addEventListener("change", () => load().catch((error) => flash(error.message, "error")));

async function main() {
  const queues = await api("/api/rate/queues");
  for (const q of queues) pick.append(el("option", { value: q.study, text: `${q.study} (${q.rated} of ${q.total} rated)` }));
  if (!queues.length) { document.getElementById("rate-status").textContent = "You are not a rater of any study yet."; return; }
  await load();
}
main().catch((error) => flash(error.message, "error"));
