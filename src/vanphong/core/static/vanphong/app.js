// Small behaviours that need no framework. Kept out of the pages so the CSP can forbid inline script.
document.addEventListener("DOMContentLoaded", () => {
  // Elements with data-confirm ask before submitting.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Copy buttons next to secrets shown once.
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copy);
      if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim());
    });
  });
  // PDF previews: the page images are lazy, so they load only once their box is shown.
  document.querySelectorAll("a.preview-link").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const box = document.getElementById(link.dataset.target);
      if (!box) return;
      box.hidden = !box.hidden;
      link.setAttribute("aria-expanded", String(!box.hidden));
    });
  });
  // On a phone the menu starts closed.
  const nav = document.querySelector(".nav-toggle");
  if (nav && window.matchMedia("(max-width: 720px)").matches) nav.removeAttribute("open");
});
