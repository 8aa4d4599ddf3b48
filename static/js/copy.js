// "Copy link" buttons: copy the target input's value; the input stays selectable without JS.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  if (status) status.textContent = button.dataset.copied || "Copied."; // the page's own word for it
});
