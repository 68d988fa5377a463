// Loaded as a module, so it only runs in browsers the NHS.UK frontend supports; the classes it adds
// switch on the styles for enhanced components (NHS.UK's template does this with an inline script,
// which a strict Content-Security-Policy would block).
import { initAll } from "../vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Content that htmx swaps in needs its components started too; the page itself was started above.
document.body.addEventListener("htmx:load", (event) => {
  if (event.detail.elt !== document.body) {
    initAll(event.detail.elt);
  }
});
