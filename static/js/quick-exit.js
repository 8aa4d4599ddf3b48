// The portal's quick exit. The button, or Escape pressed twice within a second: blank the page,
// tell the server to end the portal session, and replace the page in the tab's history with the
// neutral one, so Back does not return to it. Without script the button is an ordinary form that
// does the same on the server and redirects.
(() => {
  const form = document.getElementById("quick-exit");
  if (!form) return;
  let leaving = false;

  function leave(event) {
    if (event) event.preventDefault();
    if (leaving) return;
    leaving = true;
    const data = new FormData(form);
    data.set("beacon", "1");
    document.title = "";
    document.body.replaceChildren();
    // Wait for the server (briefly): its answer carries the signed-out cookie, which must land
    // before the neutral page loads, or the old cookie would be written back.
    const ended = fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", keepalive: true,
    }).catch(() => {});
    const patience = new Promise((resolve) => { setTimeout(resolve, 1500); });
    Promise.race([ended, patience]).then(() => window.location.replace(form.dataset.away));
  }

  form.addEventListener("submit", leave);
  let lastEscape = 0;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 1000) leave(event);
    else lastEscape = now;
  });
  // A page brought back from the back-forward cache asks the server again (which, after a
  // quick exit, sends the neutral page).
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
})();
