// Findings explorer: every finding of the audit, from the JSON data block, listed a page at a
// time as one-line rows that open to the full card; filter by severity and rule, search by
// tag, item or category, sort. Text goes in with textContent only, never as markup.
(function () {
  "use strict";
  var data = document.getElementById("finding-data");
  var list = document.getElementById("finding-list");
  if (!data || !list) { return; }
  document.documentElement.classList.add("js");
  var audit = JSON.parse(data.textContent);
  var PAGE = 100;
  var $ = function (id) { return document.getElementById(id); };
  var severity = $("filter-severity"), rule = $("filter-rule"), text = $("filter-text");
  var sortBy = $("sort-by"), shown = $("shown-count"), noneMatch = $("none-match");
  var pager = $("pager"), pageNumber = $("page-number");
  var strings = audit.strings, rules = audit.rules, severities = audit.severities;
  var findings = audit.findings.map(function (row, index) {
    var item = strings[row[3]], category = strings[row[4]], code = rules[row[1]][0];
    return {
      row: row, order: index, severity: severities[row[0]], rank: row[0], rule: code,
      tag: row[2], item: item, category: category,
      search: [row[2], item, category, code].join(" ").toLowerCase()
    };
  });
  var matches = findings, page = 0, open = {};

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function format(number) { return number.toLocaleString("en-US"); }

  function plural(count, noun) { return format(count) + " " + noun + (count === 1 ? "" : "s"); }

  function box(number, focus) {
    var details = audit.packages[number];
    var node = el("div", "box" + (focus ? " focus" : "") + (details.length > 1 ? "" : " unknown"));
    node.appendChild(el("code", "", details[0]));
    if (details.length < 2) { node.appendChild(el("span", "", "not in the exports")); return node; }
    var about = el("span");
    about.appendChild(document.createTextNode(strings[details[1]] + " \u00b7 "));
    if (details[2] === 1) { about.appendChild(el("strong", "pb", "production batch")); } else { about.appendChild(document.createTextNode(details[2] === 0 ? "not a production batch" : "production batch unknown (not in its export)")); }
    about.appendChild(document.createTextNode(" \u00b7 " + (strings[details[3]] || "no testing state")));
    node.appendChild(about);
    return node;
  }

  function trail(finding) {
    var columns = finding.row[12];
    var figure = el("figure", "trail");
    figure.appendChild(el("figcaption", "", rules[finding.row[1]][2]));
    var path = el("div", "path");
    columns.forEach(function (column, number) {
      var boxes = el("div", "column");
      column[0].forEach(function (number) { boxes.appendChild(box(number, audit.packages[number][0] === finding.tag)); });
      if (column[1]) { boxes.appendChild(el("p", "muted", "and " + format(column[1]) + " more, listed in the evidence")); }
      path.appendChild(boxes);
      if (number < columns.length - 1) { path.appendChild(el("span", "arrow", "\u2192")); }
    });
    figure.appendChild(path);
    return figure;
  }

  function tested(finding) {
    var wrap = el("div", "scroll");
    var table = el("table", "evidence");
    table.appendChild(el("caption", "", "Tested packages in the Lab Results tab"));
    var head = el("tr");
    ["Tested package", "Category", "Tests"].forEach(function (title) { head.appendChild(el("th", "", title)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    finding.row[10].forEach(function (item) {
      var tr = body.appendChild(el("tr"));
      tr.appendChild(el("td")).appendChild(el("code", "tag", audit.packages[item[0]][0]));
      tr.appendChild(el("td", "", strings[item[1]]));
      var tests = tr.appendChild(el("td"));
      item[2].forEach(function (event) {
        var lab = strings[event[3]] ? ", " + strings[event[3]] : "";
        tests.appendChild(el("div", "", (event[0] || "undated") + ": " + strings[event[1]] + " (" + plural(event[2], "row") + lab + ")"));
      });
    });
    wrap.appendChild(table);
    var hidden = finding.row[11];
    if (hidden) { wrap.appendChild(el("p", "muted", "and " + plural(hidden, "more tested package") + ", listed in the JSON report.")); }
    return wrap;
  }

  function card(finding) {
    var row = finding.row, node = el("div", "card");
    node.appendChild(el("p", "message", row[5]));
    if (row[6]) {
      var remedy = el("p", "remedy");
      remedy.appendChild(el("strong", "", "What to do: "));
      remedy.appendChild(document.createTextNode(row[6]));
      node.appendChild(remedy);
    }
    if (row[9].length) {
      var facts = el("dl", "facts");
      row[9].forEach(function (fact) {
        var pair = el("div");
        pair.appendChild(el("dt", "", strings[fact[0]]));
        pair.appendChild(el("dd", "", fact[1]));
        facts.appendChild(pair);
      });
      node.appendChild(facts);
    }
    if (row[12].length) { node.appendChild(trail(finding)); }
    if (row[10].length) { node.appendChild(tested(finding)); }
    var why = el("p", "why");
    var link = el("a", "", "Why " + finding.rule + " matters");
    link.href = "#rule-" + finding.rule;
    why.appendChild(link);
    if (row[7] >= 0) { why.appendChild(document.createTextNode(" \u00b7 " + rules[row[1]][1] + " \u00b7 from " + strings[row[7]] + (row[8] ? ", " + row[8] : ""))); }
    node.appendChild(why);
    return node;
  }

  function toggle(article, finding, button) {
    var opened = article.querySelector(".card");
    if (opened) {
      article.removeChild(opened);
      delete open[finding.order];
    } else {
      article.appendChild(card(finding));
      open[finding.order] = true;
    }
    button.setAttribute("aria-expanded", opened ? "false" : "true");
  }

  function line(finding) {
    var article = el("article", "finding " + finding.severity);
    article.dataset.severity = finding.severity;
    article.dataset.rule = finding.rule;
    article.dataset.tag = finding.tag;
    article.dataset.category = finding.category;
    var button = el("button", "row");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.appendChild(el("span", "badge " + finding.severity, finding.severity));
    button.appendChild(el("span", "code", finding.rule));
    if (finding.row[15]) { button.appendChild(el("span", "badge new", "new")); }
    if (finding.tag) { button.appendChild(el("code", "tag", finding.tag)); }
    var what = [finding.item, finding.category].filter(Boolean).join(" \u00b7 ");
    var gist = button.appendChild(el("span", "gist", what || finding.row[5]));
    var cost = finding.row[13] ? "lost " + plural(finding.row[13], "row") :
      finding.row[14] > 1 ? "results tab: " + plural(finding.row[14], "tested package") : "";
    if (cost) {
      gist.appendChild(document.createTextNode(" \u00b7 "));
      gist.appendChild(el("strong", "cost", cost));
    }
    button.addEventListener("click", function () { toggle(article, finding, button); });
    article.appendChild(button);
    if (open[finding.order]) { toggle(article, finding, button); }
    return article;
  }

  function draw() {
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    page = Math.min(page, pages - 1);
    var first = page * PAGE, slice = matches.slice(first, first + PAGE);
    var fragment = document.createDocumentFragment();
    slice.forEach(function (finding) { fragment.appendChild(line(finding)); });
    list.textContent = "";
    list.appendChild(fragment);
    var total = findings.length, filtered = matches.length !== total;
    if (matches.length <= PAGE) {
      shown.textContent = "Showing " + format(matches.length) + " of " + format(total) + " findings";
    } else {
      shown.textContent = "Showing " + format(first + 1) + "\u2013" + format(first + slice.length) + " of " +
        format(matches.length) + (filtered ? " matching findings (" + format(total) + " in all)" : " findings");
    }
    noneMatch.hidden = matches.length !== 0;
    pager.hidden = pages < 2;
    pageNumber.textContent = "Page " + format(page + 1) + " of " + format(pages);
    $("page-previous").disabled = page === 0;
    $("page-next").disabled = page >= pages - 1;
  }

  function key(finding) {
    switch (sortBy.value) {
      case "severity": return [finding.rank, finding.order];
      case "rule": return [finding.rule, finding.tag];
      case "tag": return [finding.tag, finding.rule];
      case "category": return [finding.category.toLowerCase(), finding.tag];
      default: return [finding.order, 0];
    }
  }

  function compare(a, b) {
    for (var i = 0; i < 2; i += 1) {
      if (a.key[i] < b.key[i]) { return -1; }
      if (a.key[i] > b.key[i]) { return 1; }
    }
    return a.finding.order - b.finding.order;
  }

  function apply() {
    var wantSeverity = severity.value, wantRule = rule.value;
    var words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    matches = findings.filter(function (finding) {
      return (!wantSeverity || finding.severity === wantSeverity) &&
        (!wantRule || finding.rule === wantRule) &&
        words.every(function (word) { return finding.search.indexOf(word) !== -1; });
    }).map(function (finding) { return { key: key(finding), finding: finding }; })
      .sort(compare).map(function (pair) { return pair.finding; });
    page = 0;
    draw();
  }

  [severity, rule, sortBy].forEach(function (control) { control.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  $("page-previous").addEventListener("click", function () { page -= 1; draw(); });
  $("page-next").addEventListener("click", function () { page += 1; draw(); });
  $("explorer").addEventListener("submit", function (event) { event.preventDefault(); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-rule]"), function (link) {
    link.addEventListener("click", function () {
      rule.value = link.dataset.filterRule;
      severity.value = "";
      apply();
    });
  });
  apply();
}());
