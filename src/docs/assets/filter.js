// Filtering on the index: the only script of the site. Without it every entry shows.
// Terms are words of text, or tags written with @ (exact, e.g. @UPD-08); all must match.
// The filter reads ?q=… (or #q=…) so a filtered view can be linked to.
(function () {
  "use strict";
  var box = document.getElementById("filter-box");
  var input = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  if (!box || !input) {
    return;
  }
  box.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-filter-group]"));

  function matches(el, terms) {
    var tags = (el.getAttribute("data-tags") || "").split(" ");
    var text = el.getAttribute("data-filter") || "";
    return terms.every(function (term) {
      return term.charAt(0) === "@" ? tags.indexOf(term) >= 0 : text.indexOf(term) >= 0;
    });
  }

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (el) {
      var ok = matches(el, terms);
      el.hidden = !ok;
      if (ok) {
        shown += 1;
      }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-filter]:not([hidden])");
    });
    status.textContent = terms.length ? shown + " of " + items.length + " entries match" : "";
    document.body.setAttribute("data-filter-shown", String(shown));
  }

  var query = new URLSearchParams(window.location.search).get("q");
  if (!query && window.location.hash.indexOf("#q=") === 0) {
    query = decodeURIComponent(window.location.hash.slice(3));
  }
  if (query) {
    input.value = query;
  }
  input.addEventListener("input", apply);
  apply();
})();
