// Getting started: the programme step enrols here; the other steps are links to their pages.
import { api, flash } from "./common.js";

const form = document.getElementById("programme");
if (form) form.addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await api("/api/habits/enrol", { method: "POST", body: { programme_id: new FormData(form).get("programme_id") } }); location.reload(); }
  catch (error) { flash(error.message, "error"); }
});
document.body.dataset.state = "loaded";
