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
