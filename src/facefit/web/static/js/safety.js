// The safety pages' forms (clinician clearance, acknowledging a stop): post, then say what happens next.
import { api, el, flash } from "./common.js";

for (const form of document.querySelectorAll("form[data-endpoint]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { [form.dataset.confirm]: form.elements[form.dataset.confirm].checked };
    const note = form.elements.note.value.trim();
    if (note) body.note = note;
    try {
      const result = await api(form.dataset.endpoint, { method: "POST", body });
      const done = document.getElementById("safety-result");
      done.textContent = "";
      done.append(el("span", { text: `${result.message} ` }), el("a", { href: "/screening", text: "Answer the screening" }),
        document.createTextNode(" · "), el("a", { href: "/practice", text: "Go to practice" }));
      form.remove();
      document.body.dataset.state = "saved";
    } catch (error) { flash(error.message, "error"); }
  });
}
document.body.dataset.state = "loaded";
