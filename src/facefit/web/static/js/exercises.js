// Exercise cards: a demonstration clip plays on request ("Show how"), or the same made from your own
// baseline photo ("See yourself do it"). A clip is made on the server the first time (a few seconds).
import { flash } from "./common.js";

async function play(button, own) {
  const box = button.closest(".demo");
  const video = box.querySelector("video");
  const status = box.querySelector(".demo-status");
  const src = own ? video.dataset.own : video.dataset.src;
  status.textContent = own ? "Making the clip from your baseline photo (a few seconds the first time)…" : "Loading the clip…";
  video.addEventListener("error", () => { status.textContent = own ? "No clip: you need a baseline photo (Photos page)." : "The clip could not be made."; }, { once: true });
  video.src = src;
  video.addEventListener("playing", () => { status.textContent = own ? "You, doing it: made from your baseline photo, shown only to you." : ""; box.querySelector(".placeholder").hidden = true; }, { once: true });
  try { await video.play(); } catch (error) { if (error.name !== "AbortError") flash(error.message, "error"); }
}

for (const button of document.querySelectorAll(".show-demo")) button.addEventListener("click", () => play(button, false));
for (const button of document.querySelectorAll(".show-me")) button.addEventListener("click", () => play(button, true));
document.body.dataset.state = "loaded";
