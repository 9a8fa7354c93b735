// Knowledge panel at intake (R-HM-1): "answer now" copies the entry's answer into the
// ticket form, chooses the outcome and remembers the entry version for the ticket.
(function () {
  if (window.hotlineKnowledge) return;
  window.hotlineKnowledge = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-use]");
    if (!button) return;
    var form = document.getElementById("intake-form");
    if (!form) return;
    var handling = button.getAttribute("data-kb-handling") || "answer_now";
    var radio = form.querySelector('input[name="handling"][value="' + handling + '"]');
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var answer = form.querySelector("#id_answer");
    if (answer) {
      answer.value = button.getAttribute("data-kb-answer") || "";
      answer.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var version = document.getElementById("id_knowledge_version");
    if (version) version.value = button.getAttribute("data-kb-use");
    document.querySelectorAll(".kb-chosen").forEach(function (el) { el.classList.remove("kb-chosen"); });
    var item = button.closest(".kb-result, .kb-notice");
    if (item) item.classList.add("kb-chosen");
    if (answer) answer.focus();
  });
})();
