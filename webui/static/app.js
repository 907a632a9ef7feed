/* fazhi-search: small progressive enhancements. Every page works without this file:
   all state lives in plain links and a GET form, so back/forward and permalinks need no script. */
(function () {
  "use strict";

  var searchBox = function () { return document.getElementById("q"); };

  // "/" focuses the search box (unless the user is already typing somewhere).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = searchBox();
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // Changing a toggle (精确/模糊, 同段/同篇, 排序, 显示) re-runs the search at once.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.form || !el.form.classList.contains("search-form")) return;
    if (el.name === "q") return;
    if (!searchBox() || !searchBox().value.trim()) {
      var hasFilter = el.form.querySelector("input[type=hidden]");
      if (!hasFilter) return;
    }
    el.form.submit();
  });

  // Reader: with ?q= and no #p<n> in the address, bring the first match into view.
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.body.getAttribute("data-first-match");
    var target = null;
    if (window.location.hash.length > 1) {
      target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    } else if (first) {
      target = document.getElementById(first);
    }
    if (!target) return;
    target.classList.add("is-target");
    if (!window.location.hash) {
      target.scrollIntoView({ block: "center" });
    }
  });

  // Reader: mark the paragraph the address points at, also after clicking outline links.
  window.addEventListener("hashchange", function () {
    var old = document.querySelector(".is-target");
    if (old) old.classList.remove("is-target");
    var el = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (el) el.classList.add("is-target");
  });
})();
