// Findings explorer: filter by severity and rule, search by tag, item or category, sort.
// Without this script the report still shows every finding; it only adds the controls.
(function () {
  "use strict";
  var list = document.getElementById("finding-list");
  if (!list) { return; }
  document.documentElement.classList.add("js");
  var items = Array.prototype.slice.call(list.querySelectorAll("article.finding"));
  var severity = document.getElementById("filter-severity");
  var rule = document.getElementById("filter-rule");
  var text = document.getElementById("filter-text");
  var sortBy = document.getElementById("sort-by");
  var shown = document.getElementById("shown-count");
  var noneMatch = document.getElementById("none-match");
  var rank = { error: 0, warning: 1, note: 2 };
  items.forEach(function (item, index) { item.dataset.order = String(index); });

  function apply() {
    var wantSeverity = severity.value, wantRule = rule.value;
    var words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    items.forEach(function (item) {
      var match = (!wantSeverity || item.dataset.severity === wantSeverity) &&
        (!wantRule || item.dataset.rule === wantRule) &&
        words.every(function (word) { return item.dataset.search.indexOf(word) !== -1; });
      item.hidden = !match;
      if (match) { count += 1; }
    });
    shown.textContent = "Showing " + count + " of " + items.length + " findings";
    noneMatch.hidden = count !== 0;
  }

  function key(item) {
    switch (sortBy.value) {
      case "rule": return item.dataset.rule + "\u0000" + item.dataset.tag;
      case "tag": return item.dataset.tag + "\u0000" + item.dataset.rule;
      case "category": return item.dataset.category.toLowerCase() + "\u0000" + item.dataset.tag;
      default: return String(rank[item.dataset.severity]) + "\u0000" + item.dataset.order.padStart(8, "0");
    }
  }

  function sort() {
    var keyed = items.map(function (item) { return [key(item), item]; });
    keyed.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (pair) { fragment.appendChild(pair[1]); });
    list.appendChild(fragment);
  }

  [severity, rule].forEach(function (control) { control.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  sortBy.addEventListener("change", sort);
  document.getElementById("explorer").addEventListener("submit", function (event) { event.preventDefault(); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-rule]"), function (link) {
    link.addEventListener("click", function () {
      rule.value = link.dataset.filterRule;
      severity.value = "";
      apply();
    });
  });
  apply();
}());
