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

// Certificate forms (pki): show the fields of the chosen profile and key source; after a POST that
// answers with the .p12 file the page stays, so its passphrases are cleared and a notice shown.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-key-form]").forEach((form) => {
    const profile = form.querySelector("select[name=profile]");
    const source = () => (form.querySelector("input[name=key_source]:checked") || {}).value;
    const sync = () => {
      form.querySelectorAll("[data-profile]").forEach((box) => {
        box.hidden = profile ? !box.dataset.profile.split(" ").includes(profile.value) : false;
      });
      form.querySelectorAll("[data-key-source]").forEach((box) => { box.hidden = box.dataset.keySource !== source(); });
    };
    form.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", () => {
      if (source() !== "generate") return;
      // The entry list is built when the submit event ends: clearing later does not touch what is sent.
      window.setTimeout(() => {
        form.querySelectorAll("input[type=password]").forEach((input) => { input.value = ""; });
        const notice = form.querySelector("[data-download-notice]");
        if (notice) notice.hidden = false;
      }, 200);
    });
  });
});

// Issuing many certificates (pki): the naming rule of the chosen profile; too many files refused before
// they are sent. The answer is the .zip file, so the page stays: the files are cleared and the button
// disabled until others are chosen (the same batch sent twice would be certified twice), and a notice shown.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-batch-form]").forEach((form) => {
    const profile = form.querySelector("select[name=profile]");
    const files = form.querySelector("input[type=file]");
    const button = form.querySelector("button[type=submit]");
    const tooMany = form.querySelector("[data-too-many]");
    const notice = form.querySelector("[data-download-notice]");
    const limit = Number(form.dataset.maxFiles);
    const sync = () => {
      form.querySelectorAll("[data-profile]").forEach((box) => {
        box.hidden = !box.dataset.profile.split(" ").includes(profile.value);
      });
    };
    profile.addEventListener("change", sync);
    sync();
    files.addEventListener("change", () => {
      tooMany.hidden = files.files.length <= limit;
      files.closest(".field").classList.toggle("has-error", !tooMany.hidden);
      button.disabled = false;
      notice.hidden = true;
    });
    form.addEventListener("submit", (event) => {
      if (files.files.length > limit) {
        event.preventDefault();
        tooMany.hidden = false;
        files.focus();
        return;
      }
      if (!files.files.length) return;  // the server says what is missing
      // The entry list is built when the submit event ends: clearing later does not touch what is sent.
      window.setTimeout(() => {
        files.value = "";
        button.disabled = true;
        form.querySelectorAll(".errorbox, .field .error").forEach((error) => { error.hidden = true; });  // of the last batch
        notice.hidden = false;
      }, 200);
    });
  });
});
