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

  // Reader: previous/next match buttons (and the keys k / j) walk the matching paragraphs.
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector("[data-match-nav]");
    if (!nav) return;
    var numbers = (nav.getAttribute("data-matches") || "").split(",").filter(Boolean).map(Number);
    if (!numbers.length) return;
    var pos = nav.querySelector("[data-match-pos]");
    var current = -1;
    var fromHash = function () {
      var m = /^#p(\d+)$/.exec(window.location.hash);
      if (!m) return -1;
      var n = Number(m[1]);
      for (var i = 0; i < numbers.length; i++) { if (numbers[i] >= n) return numbers[i] === n ? i : i - 0.5; }
      return numbers.length - 0.5;
    };
    var show = function () {
      pos.textContent = current >= 0 && current === Math.floor(current)
        ? "第 " + (current + 1) + " / " + numbers.length + " 处"
        : "共 " + numbers.length + " 处";
    };
    var go = function (step) {
      var here = fromHash();
      if (here < 0 && current >= 0) here = current;
      var next;
      if (here < 0) next = step > 0 ? 0 : numbers.length - 1;
      else if (here !== Math.floor(here)) next = step > 0 ? Math.ceil(here) : Math.floor(here);
      else next = here + step;
      next = Math.max(0, Math.min(numbers.length - 1, next));
      current = next;
      var id = "p" + numbers[next];
      if (window.location.hash === "#" + id) {
        var el = document.getElementById(id);
        if (el) el.scrollIntoView({ block: "center" });
      } else {
        window.location.hash = id;
      }
      show();
    };
    nav.hidden = false;
    current = fromHash();
    if (current < 0 && !window.location.hash) current = 0;
    show();
    nav.addEventListener("click", function (event) {
      var button = event.target.closest("[data-match-step]");
      if (button) go(Number(button.getAttribute("data-match-step")));
    });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var tag = event.target && event.target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (event.key === "j") go(1);
      else if (event.key === "k") go(-1);
    });
  });
})();
