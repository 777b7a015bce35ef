// Reports: the reports stage's self-contained HTML report, shown in a frame and downloadable.
import { el } from "./common.js";

const root = document.getElementById("reports-app");
root.textContent = "";
const pick = el("select", { "aria-label": "Period" }, el("option", { value: "week", text: "last week" }), el("option", { value: "month", text: "last month" }), el("option", { value: "all", text: "everything" }));
pick.value = "month";
const frame = el("iframe", { class: "report", title: "report", src: "/api/reports?span=month" });
const open = el("a", { class: "button", href: "/api/reports?span=month", target: "_blank", text: "Open / print" });
pick.addEventListener("change", () => { frame.src = `/api/reports?span=${pick.value}`; open.href = frame.src; });
root.append(el("p", {}, pick, " ", open), frame);
document.body.dataset.state = "loaded";
