// Warns two minutes before the session ends (30 minutes idle, or 10 hours after signing in) and offers to
// stay signed in; at the end it goes to the sign-in page, so a screen left open shows no one's record.
const body = document.body;
const warningMs = Number(body.dataset.sessionWarningSeconds) * 1000;
const panel = document.getElementById("session-warning");
const endsAt = panel.querySelector("[data-session-ends-at]");
const stay = panel.querySelector("[data-session-stay]");
const finalNotice = panel.querySelector("[data-session-final]");
let absoluteEnd = Date.now() + Number(body.dataset.sessionAbsoluteSecondsLeft) * 1000;
// The server renews the session at most once a minute, so it says how much of the idle limit is left.
let idleEnd = Date.now() + Number(body.dataset.sessionIdleSecondsLeft) * 1000;
let timers = [];

function signInAgain() {
  const next = encodeURIComponent(window.location.pathname + window.location.search);
  window.location.assign(`${body.dataset.sessionSignInUrl}?next=${next}`);
}

function schedule() {
  timers.forEach(clearTimeout);
  panel.hidden = true;
  const end = Math.min(idleEnd, absoluteEnd);
  const final = absoluteEnd <= idleEnd;
  timers = [
    setTimeout(() => {
      endsAt.textContent = new Date(end).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      stay.hidden = final;
      finalNotice.hidden = !final;
      panel.hidden = false;
      panel.querySelector("h2").focus();
    }, Math.max(end - Date.now() - warningMs, 0)),
    setTimeout(signInAgain, Math.max(end - Date.now(), 0)),
  ];
}

stay.addEventListener("click", async () => {
  const headers = JSON.parse(body.getAttribute("hx-headers"));
  const response = await fetch(body.dataset.sessionKeepAliveUrl, { method: "POST", headers, credentials: "same-origin" });
  if (!response.ok) {
    signInAgain();
    return;
  }
  const limits = await response.json();
  absoluteEnd = Date.now() + limits.absolute_seconds_left * 1000;
  idleEnd = Date.now() + limits.idle_seconds * 1000;
  schedule();
});

// A request that htmx makes may renew the session on the server just as a page load does.
body.addEventListener("htmx:afterRequest", (event) => {
  const left = event.detail.xhr.getResponseHeader("X-Session-Idle-Seconds-Left");
  if (left !== null) {
    idleEnd = Date.now() + Number(left) * 1000;
  }
  schedule();
});
schedule();
