// Tiny SVG line chart (no library): values over time, with an optional +/- band (MDC95) around the first.
const NS = "http://www.w3.org/2000/svg";

export function lineChart(title, labels, values, { band = null, unit = "" } = {}) {
  const w = 520, h = 180, pad = 36;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`); svg.setAttribute("class", "chart"); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  if (!finite.length) return svg;
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (band !== null) { lo = Math.min(lo, finite[0] - band); hi = Math.max(hi, finite[0] + band); }
  if (hi === lo) { hi += 1; lo -= 1; }
  const x = (i) => pad + (values.length === 1 ? 0 : (i * (w - 2 * pad)) / (values.length - 1));
  const y = (v) => h - pad + ((lo - v) * (h - 2 * pad)) / (hi - lo);
  const add = (tag, attrs) => { const n = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); svg.append(n); return n; };
  if (band !== null) add("rect", { x: pad, y: y(finite[0] + band), width: w - 2 * pad, height: Math.max(1, y(finite[0] - band) - y(finite[0] + band)), fill: "#dbeafe" });
  add("line", { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: "#999" });
  add("polyline", { points: values.map((v, i) => (v === null ? "" : `${x(i)},${y(v)}`)).join(" "), fill: "none", stroke: "#2563eb", "stroke-width": 2 });
  values.forEach((v, i) => { if (v !== null) add("circle", { cx: x(i), cy: y(v), r: 3, fill: "#2563eb" }); });
  add("text", { x: pad, y: 14, "font-size": 12 }).textContent = `${title}${unit ? " (" + unit + ")" : ""}`;
  add("text", { x: 2, y: y(hi) + 4, "font-size": 10 }).textContent = hi.toFixed(2);
  add("text", { x: 2, y: y(lo) + 4, "font-size": 10 }).textContent = lo.toFixed(2);
  if (labels.length) {
    add("text", { x: pad, y: h - 8, "font-size": 10 }).textContent = labels[0];
    add("text", { x: w - pad - 60, y: h - 8, "font-size": 10 }).textContent = labels[labels.length - 1];
  }
  return svg;
}
