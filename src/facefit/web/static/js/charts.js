// Small SVG charts (no library) on a time axis of whole days. The y-range comes from the server when it
// matters (photo metrics: never narrower than the measurement-error band), so noise never looks like a trend.
import { day } from "./common.js";

const NS = "http://www.w3.org/2000/svg";
const DAY_MS = 86400000;
const W = 360, H = 190, LEFT = 46, RIGHT = 10, TOP = 18, BOTTOM = 30;

function svgEl(tag, attrs = {}, text = null) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function dayNumber(iso) {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

// Whole days from the first to the last date, with a day of margin (one day of data is not hours).
function timeAxis(dates) {
  const days = dates.map(dayNumber);
  const lo = Math.min(...days) - 1, hi = Math.max(...days) + 1;
  const x = (iso) => LEFT + ((dayNumber(iso) - lo) * (W - LEFT - RIGHT)) / (hi - lo);
  return { x, days, lo, hi };
}

function niceTicks(lo, hi, count = 4) {
  const raw = (hi - lo) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * step).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-9; v += nice) ticks.push(Number(v.toFixed(6)));
  return { ticks, digits: Math.max(0, -Math.floor(Math.log10(nice))) };
}

function frame(svg, axis, dates, [lo, hi], unit) {
  const y = (v) => H - BOTTOM - ((v - lo) * (H - TOP - BOTTOM)) / (hi - lo);
  const { ticks, digits } = niceTicks(lo, hi);
  for (const t of ticks) {
    svg.append(svgEl("line", { x1: LEFT, x2: W - RIGHT, y1: y(t), y2: y(t), stroke: "#e5e7eb" }));
    svg.append(svgEl("text", { x: LEFT - 6, y: y(t) + 4, "font-size": 12, "text-anchor": "end", fill: "#374151" }, `${t.toFixed(digits)}`));
  }
  if (unit) svg.append(svgEl("text", { x: 4, y: TOP - 6, "font-size": 12, fill: "#374151" }, unit));
  svg.append(svgEl("line", { x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM, stroke: "#9ca3af" }));
  const unique = [...new Set(dates.map((d) => d.slice(0, 10)))];
  const shown = unique.length <= 3 ? unique : [unique[0], unique[Math.floor(unique.length / 2)], unique[unique.length - 1]];
  for (const d of shown) svg.append(svgEl("text", { x: axis.x(d), y: H - 10, "font-size": 12, "text-anchor": "middle", fill: "#374151" }, day(d)));
  return y;
}

function canvas(label) {
  return svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": label });
}

// Values over dates, with an optional band {low, high} (first photo +/- MDC95) and a fixed y-range.
export function lineChart({ label, dates, values, band = null, yRange = null, unit = "" }) {
  const svg = canvas(label);
  const points = dates.map((d, i) => [d, values[i]]).filter(([, v]) => v !== null && Number.isFinite(v));
  if (!points.length) return svg;
  const axis = timeAxis(dates);
  let range = yRange;
  if (!range) {
    const vs = points.map(([, v]) => v);
    const lo = Math.min(...vs), hi = Math.max(...vs), pad = Math.max((hi - lo) * 0.15, Math.abs(hi) * 0.05, 1);
    range = [lo - pad, hi + pad];
  }
  const y = frame(svg, axis, dates, range, unit);
  if (band) {
    svg.append(svgEl("rect", { class: "band", x: LEFT, width: W - LEFT - RIGHT, y: y(band.high), height: Math.max(1, y(band.low) - y(band.high)), fill: "#bfdbfe" }));
  }
  svg.append(svgEl("polyline", { points: points.map(([d, v]) => `${axis.x(d)},${y(v)}`).join(" "), fill: "none", stroke: "#1d4ed8", "stroke-width": 2 }));
  for (const [d, v] of points) svg.append(svgEl("circle", { cx: axis.x(d), cy: y(v), r: 4, fill: "#1d4ed8" }));
  return svg;
}

// One bar per day (values summed by the caller), y from zero.
export function barChart({ label, dates, values, unit = "", max = null }) {
  const svg = canvas(label);
  if (!dates.length) return svg;
  const axis = timeAxis(dates);
  const top = max ?? Math.max(1, ...values) * 1.15;
  const y = frame(svg, axis, dates, [0, top], unit);
  const width = Math.max(4, Math.min(36, ((W - LEFT - RIGHT) / (axis.hi - axis.lo)) * 0.7));
  dates.forEach((d, i) => {
    svg.append(svgEl("rect", { x: axis.x(d) - width / 2, y: y(values[i]), width, height: Math.max(0, y(0) - y(values[i])), fill: "#1d4ed8", rx: 2 }));
  });
  return svg;
}
