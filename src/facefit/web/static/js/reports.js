// Reports: the self-contained HTML report shown in a frame, and the same page as a PDF (printed by
// Chromium on the server) to download.
import { el } from "./common.js";

const root = document.getElementById("reports-app");
root.textContent = "";
const pick = el("select", { id: "span" },
  el("option", { value: "week", text: "The last 7 days" }), el("option", { value: "month", text: "The last 30 days" }), el("option", { value: "all", text: "Everything" }));
pick.value = "month";
const frame = el("iframe", { class: "report", title: "Your report", src: "/api/reports?span=month" });
const open = el("a", { class: "button secondary", href: "/api/reports?span=month", target: "_blank", rel: "noopener", text: "Open in a new tab" });
const pdf = el("a", { class: "button", href: "/api/reports/pdf?span=month", download: "", text: "Download PDF" });
// The frame takes the report's own height, so a phone scrolls one page rather than a page inside a page
// (the report is served from this origin; if it cannot be read, the stylesheet's height stays).
function fitFrame() {
  try {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement) frame.style.height = `${Math.ceil(doc.documentElement.getBoundingClientRect().height) + 2}px`;
  } catch { /* keep the stylesheet's height */ }
}
frame.addEventListener("load", fitFrame);
window.addEventListener("resize", fitFrame);
pick.addEventListener("change", () => {
  frame.src = `/api/reports?span=${pick.value}`; open.href = frame.src; pdf.href = `/api/reports/pdf?span=${pick.value}`;
});
root.append(el("label", { for: "span", text: "Period" }), pick, el("div", { class: "actions" }, pdf, open),
  el("p", { class: "small", text: "The PDF is this same page printed on A4. It is made on your FaceFit server; nothing is sent elsewhere." }), frame);
document.body.dataset.state = "loaded";
