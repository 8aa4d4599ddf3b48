// Note editor: check each section's wording while the clinician writes (progressive enhancement).
// Without this script the "Check language" button does the same with a full page round trip.
// Findings are built with DOM nodes and textContent only: typed text is never parsed as HTML.
(() => {
  const form = document.querySelector("form[data-language-url]");
  if (!form || !window.fetch) return;
  const url = form.dataset.languageUrl;
  const words = form.dataset; // the page's own words, in the reader's language (data-text-*)
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const token = tokenMeta ? tokenMeta.content : "";
  const PAUSE_MS = 900;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(box, data) {
    box.replaceChildren();
    if (!data.findings.length) {
      box.append(el("p", "language-ok", words.textOk));
      return;
    }
    box.append(el("p", "language-head", data.head));
    const preview = el("p", "language-preview");
    for (const piece of data.segments) {
      preview.append(piece.finding === null ? document.createTextNode(piece.text) : el("mark", "", piece.text));
    }
    box.append(preview);
    const list = el("ul", "language-list");
    for (const finding of data.findings) {
      const lang = finding.lang === "zh" ? "zh-Hans" : "en"; // the suggestions follow the sentence
      const item = el("li");
      const why = el("span", "", finding.why); // the why is in the reader's language, the page's
      item.append(el("strong", "", `“${finding.phrase}”`), document.createTextNode(": "), why, document.createTextNode(" "));
      const tries = el("span", "language-try", words.textTry);
      finding.suggestions.forEach((s, i) => {
        const one = el("span", "", s);
        one.lang = lang;
        tries.append(document.createTextNode(i ? `${words.textOr}“` : "“"), one, document.createTextNode("”"));
      });
      item.append(tries);
      list.append(item);
    }
    box.append(list);
  }

  async function check(area, box) {
    const sent = area.value;
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ text: sent, section: area.name }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (area.value === sent) render(box, data); // a newer check is on its way otherwise
    } catch {
      box.replaceChildren(el("p", "help", words.textUnavailable));
    }
  }

  for (const area of form.querySelectorAll('textarea[data-language="check"]')) {
    const box = document.querySelector(`[data-findings-for="${area.id}"]`);
    if (!box) continue;
    let timer = null;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      if (!area.value.trim()) {
        box.replaceChildren();
        return;
      }
      timer = setTimeout(() => check(area, box), PAUSE_MS);
    });
  }
})();
