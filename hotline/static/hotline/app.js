// Keyboard help for people who work all day on these pages.
//  "/"        focuses the page's search box (unless typing in a field)
//  Alt+0..9   opens a workbench; browsers differ on accesskey modifiers, so handle it here
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  if (event.altKey && !event.ctrlKey && !event.metaKey && /^[0-9]$/.test(event.key)) {
    var link = document.querySelector('nav.sections a[accesskey="' + event.key + '"]');
    if (link) { event.preventDefault(); link.click(); }
    return;
  }
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    var box = document.querySelector("[data-search-focus]");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  }
});

// --- Workbench helpers (hotline/workbench) -----------------------------------------------
//  Alt+letter  [data-alt="x"]: a button is pressed, a field (or its radio group) focused
//  data-fill   a button that fills form fields: {"css selector": value | true}
//  data-show-when="field=value1,value2"  shows a block only for those values
//  data-draft  a form kept in localStorage until it is saved (data-draft-clear after a save)
(function () {
  function fieldValue(form, name) {
    var field = form.elements[name];
    if (!field) return "";
    if (field.length !== undefined && field.tagName !== "SELECT") {
      for (var i = 0; i < field.length; i++) { if (field[i].checked) return field[i].value; }
      return "";
    }
    return field.value;
  }
  function applyShowWhen(root) {
    (root || document).querySelectorAll("[data-show-when]").forEach(function (block) {
      var form = block.closest("form");
      if (!form) return;
      var parts = block.getAttribute("data-show-when").split("=");
      var values = parts[1].split(",");
      block.hidden = values.indexOf(fieldValue(form, parts[0])) === -1;
    });
  }
  document.addEventListener("change", function (event) { if (event.target.form) applyShowWhen(event.target.form); });
  document.addEventListener("DOMContentLoaded", function () { applyShowWhen(document); });
  document.addEventListener("htmx:afterSwap", function (event) { applyShowWhen(event.target); });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code || "")) return;
    var target = document.querySelector('[data-alt="' + event.code.slice(3).toLowerCase() + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "BUTTON" || target.tagName === "A") { target.click(); return; }
    if (target.type === "radio") {
      target = document.querySelector('input[name="' + target.name + '"]:checked') || target;
    }
    if (target) target.focus();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (!button) return;
    var fills = JSON.parse(button.getAttribute("data-fill"));
    var last = null;
    Object.keys(fills).forEach(function (selector) {
      var field = document.querySelector(selector);
      if (!field) return;
      if (field.type === "radio" || field.type === "checkbox") field.checked = fills[selector] === true;
      else field.value = fills[selector];
      field.dispatchEvent(new Event("change", { bubbles: true }));
      field.dispatchEvent(new Event("input", { bubbles: true }));
      last = field;
    });
    if (last) last.focus();
  });

  function draftKey(form) { return "hotline-draft:" + form.getAttribute("data-draft"); }
  function saveDraft(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.type === "submit") return;
      if (field.type === "radio") { if (field.checked) data[field.name] = field.value; }
      else if (field.type === "checkbox") data[field.name] = field.checked;
      else data[field.name] = field.value;
    });
    try { localStorage.setItem(draftKey(form), JSON.stringify(data)); } catch (e) { /* private mode */ }
  }
  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw) return;
    var data = JSON.parse(raw);
    Object.keys(data).forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      if (field.length !== undefined && field.tagName !== "SELECT") {
        Array.prototype.forEach.call(field, function (r) { r.checked = r.value === data[name]; });
      } else if (field.type === "checkbox") field.checked = !!data[name];
      else field.value = data[name];
    });
    ["phone", "summary"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
  // Drafts belong to one person: logging out (form[data-clear-drafts]) or reaching the
  // login page removes every draft kept in this browser, so the next operator at the
  // same PC never finds the previous caller's details.
  function clearDrafts() {
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("hotline-draft:") === 0) localStorage.removeItem(key);
      });
    } catch (e) { /* private mode */ }
  }
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-clear-drafts")) clearDrafts();
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-login-page]")) clearDrafts();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      if (form.hasAttribute("data-draft-clear")) {
        try { localStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ }
      } else if (!form.hasAttribute("data-draft-keep")) {
        restoreDraft(form);
      }
      applyShowWhen(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      form.addEventListener("reset", function () {
        try { localStorage.removeItem(draftKey(form)); } catch (e) { /* ignore */ }
        setTimeout(function () { applyShowWhen(form); }, 0);
      });
    });
  });
})();
