// Lifestyle log: one day's sleep, water, sun protection... validated by the habits stage.
import { api, el, flash } from "./common.js";

async function main() {
  const root = document.getElementById("lifestyle-app");
  const data = await api("/api/lifestyle");
  root.textContent = "";
  const form = el("form", { id: "lifestyle-form" },
    el("label", {}, "Day ", el("input", { type: "date", name: "day", value: new Date().toISOString().slice(0, 10) })),
    el("label", {}, "Values (field=value, one per line, e.g. sleep=7.5h)", el("textarea", { name: "values", rows: "4", cols: "40" })),
    el("button", { type: "submit", text: "Save" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const raw = new FormData(form);
    const values = {};
    for (const line of String(raw.get("values")).split("\n")) { const [k, ...v] = line.split("="); if (k.trim()) values[k.trim()] = v.join("=").trim(); }
    try { await api("/api/lifestyle", { method: "POST", body: { day: raw.get("day"), values } }); flash("Saved."); main(); }
    catch (error) { flash(error.message, "error"); }
  });
  const table = el("table", { class: "table" });
  for (const day of data.days.slice(-14).reverse()) table.append(el("tr", {}, el("td", { text: day.day }), el("td", { text: Object.entries(day).filter(([k, v]) => k !== "day" && v !== null).map(([k, v]) => `${k}: ${v}`).join(", ") })));
  root.append(form, el("h2", { text: "Recent days" }), table);
  document.body.dataset.state = "loaded";
}
main().catch((error) => flash(error.message, "error"));
