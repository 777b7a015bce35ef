// Lifestyle log: one day's sunscreen, sleep, water, calcium, vitamin D, smoking and moisturiser, as
// yes/no choices and number steppers with their units and targets (fields and targets from the server).
import { api, day, el, flash } from "./common.js";

const STEP = { sleep_h: 0.5, water_l: 0.25, calcium_mg: 50, vitamin_d_iu: 100 };
const QUESTION = { spf: "Sunscreen applied", smoking: "Smoked", moisturiser: "Moisturiser applied" };
const today = () => { const d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 10); };

function yesNo(field) {
  const name = field.name;
  const box = el("fieldset", { class: "choice", "data-field": name }, el("legend", { text: QUESTION[name] || field.label }));
  const row = el("div", { class: "segmented" });
  for (const [value, text] of [["yes", "Yes"], ["no", "No"]]) {
    const id = `${name}-${value}`;
    row.append(el("input", { type: "radio", id, name, value }), el("label", { for: id, text }));
  }
  const clear = el("button", { type: "button", class: "link", text: "not logged", "aria-label": `${QUESTION[name] || field.label}: not logged` });
  clear.addEventListener("click", () => { for (const input of box.querySelectorAll("input")) input.checked = false; });
  box.append(row, el("p", { class: "field-help" }, `Target: ${field.target}. `, clear));
  return box;
}

function stepper(field) {
  const id = `f-${field.name}`;
  const input = el("input", { type: "number", id, name: field.name, min: String(field.low), max: String(field.high), step: String(STEP[field.name] || 1), inputmode: "decimal", "aria-describedby": `${id}-help` });
  const nudge = (sign) => {
    const step = STEP[field.name] || 1;
    const value = Math.min(field.high, Math.max(field.low, (Number(input.value) || 0) + sign * step));
    input.value = String(Number(value.toFixed(2)));
  };
  const less = el("button", { type: "button", class: "quiet step", text: "−", "aria-label": `Less ${field.label}` });
  const more = el("button", { type: "button", class: "quiet step", text: "+", "aria-label": `More ${field.label}` });
  less.addEventListener("click", () => nudge(-1)); more.addEventListener("click", () => nudge(1));
  const label = field.label.charAt(0).toUpperCase() + field.label.slice(1);
  return el("div", { class: "number-field", "data-field": field.name },
    el("label", { for: id, text: `${label} (${field.unit})` }),
    el("div", { class: "stepper" }, less, input, el("span", { class: "unit", "aria-hidden": "true", text: field.unit }), more),
    el("p", { class: "field-help", id: `${id}-help`, text: `Target: ${field.target}. Leave empty if you did not note it.` }));
}

function fill(form, fields, values) {
  for (const f of fields) {
    const v = values ? values[f.name] : null;
    if (f.kind === "bool") for (const input of form.querySelectorAll(`input[name=${f.name}]`)) input.checked = v !== null && v !== undefined && input.value === (v ? "yes" : "no");
    else form.elements[f.name].value = v === null || v === undefined ? "" : String(v);
  }
}

function collect(form, fields) {
  const values = {};
  for (const f of fields) {
    if (f.kind === "bool") { const picked = form.querySelector(`input[name=${f.name}]:checked`); if (picked) values[f.name] = picked.value === "yes"; }
    else if (form.elements[f.name].value !== "") values[f.name] = Number(form.elements[f.name].value);
  }
  return values;
}

function recent(data) {
  const units = Object.fromEntries(data.fields.map((f) => [f.name, f]));
  const table = el("table", { class: "table stack" }, el("thead", {}, el("tr", {}, el("th", { text: "Day" }), el("th", { text: "Logged (✓ on target)" }))));
  const body = el("tbody");
  for (const d of data.days.slice(-14).reverse()) {
    const parts = [];
    for (const [k, v] of Object.entries(d)) {
      if (!(k in units) || v === null) continue;
      const f = units[k];
      const value = f.kind === "bool" ? `${QUESTION[k] || f.label}: ${v ? "yes" : "no"}` : `${f.label} ${v} ${f.unit}`;
      parts.push(`${value}${d.on_target[k] ? " ✓" : ""}`);
    }
    body.append(el("tr", {}, el("td", { "data-label": "Day", text: day(d.day) }), el("td", { "data-label": "Logged", text: parts.join(" · ") })));
  }
  if (!data.days.length) body.append(el("tr", {}, el("td", { colspan: "2", text: "Nothing logged yet." })));
  table.append(body);
  return table;
}

async function main() {
  const root = document.getElementById("lifestyle-app");
  const data = await api("/api/lifestyle");
  const byDay = Object.fromEntries(data.days.map((d) => [d.day, d]));
  root.textContent = "";
  const dayInput = el("input", { type: "date", id: "log-day", name: "day", value: today(), max: today() });
  const form = el("form", { id: "lifestyle-form", class: "card", novalidate: "" },  // the server names a bad value
    el("label", { for: "log-day", text: "Day" }), dayInput,
    el("div", { class: "lifestyle-grid" }, ...data.fields.map((f) => (f.kind === "bool" ? yesNo(f) : stepper(f)))),
    el("div", { class: "actions" }, el("button", { type: "submit", text: "Save this day" })));
  dayInput.addEventListener("change", () => fill(form, data.fields, byDay[dayInput.value]));
  fill(form, data.fields, byDay[dayInput.value]);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = collect(form, data.fields);
    if (!Object.keys(values).length) { flash("Nothing to save: answer at least one question.", "error"); return; }
    document.body.dataset.state = "saving";  // "loaded" again only once the list below shows this save
    try { await api("/api/lifestyle", { method: "POST", body: { day: dayInput.value, values } }); flash(`Saved ${day(dayInput.value)}.`); await main(); }
    catch (error) { flash(error.message, "error"); document.body.dataset.state = "loaded"; }
  });
  root.append(el("p", { class: "small", text: "Exercise is one part of skin health: sunscreen, sleep, water, calcium, vitamin D, not smoking and moisturiser matter too. Log what you noted; leave the rest empty." }),
    form, el("h2", { text: "Recent days" }), recent(data));
  document.body.dataset.state = "loaded";
}
main().catch((error) => flash(error.message, "error"));
