/* Officers: every open warning of the community with its clock, the figures, the sheet. */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var ready = O.requirePlanner();
  if (!ready) return;
  var S = { community: null, members: {}, items: [] };

  function span(ms) {
    var minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
    if (minutes < 60) return t("warning_minutes", { n: minutes });
    return t("warning_hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
  }

  function clock(w) {
    if (w.status === "reached") return t("warning_status_reached") + " " + DS.fmtDateTime(w.reached_at);
    if (w.status === "closed") return t("warning_status_closed");
    var left = new Date(w.due_at) - new Date();
    return left >= 0 ? t("warning_left", { time: span(left) }) : t("warning_overdue", { time: span(left) });
  }

  function figure(label, ratio) {
    var text = typeof ratio === "number" ? String(ratio) : t("warning_of", { n: ratio.numerator, d: ratio.denominator });
    return el("div", {}, [el("strong", { text: text }), el("span", { class: "muted", text: label })]);
  }

  function drawFigures(s) {
    var box = DS.clear($("warning-figures"));
    box.appendChild(figure(t("warning_received"), s.received));
    box.appendChild(figure(t("warning_reached_n"), s.reached));
    box.appendChild(figure(t("warning_reached_in_time"), s.reached_in_time));
    box.appendChild(figure(t("warning_open_n"), s.open));
    box.appendChild(figure(t("warning_overdue_n"), s.overdue));
    var median = s.median_minutes_to_reach;
    box.appendChild(el("div", {}, [
      el("strong", { text: median === null ? "–" : t("warning_minutes", { n: Math.round(median) }) }),
      el("span", { class: "muted", text: t("warning_median") }),
    ]));
  }

  function drawRows() {
    var body = DS.clear($("warning-rows"));
    var filter = $("warning-filter").value;
    var now = new Date();
    var shown = S.items.filter(function (w) {
      var open = w.status === "open" || w.status === "unreachable";
      if (filter === "open") return open;
      if (filter === "overdue") return open && new Date(w.due_at) < now;
      return true;
    });
    if (!shown.length) body.appendChild(el("tr", {}, [el("td", { colspan: "4", class: "muted", text: t("warning_none_open") })]));
    shown.forEach(function (w) {
      var overdue = (w.status === "open" || w.status === "unreachable") && new Date(w.due_at) < now;
      var names = w.assignee_ids.map(function (id) {
        return S.members[id] || "#" + id;
      }).join(t("list_sep"));
      body.appendChild(el("tr", { class: overdue ? "is-overdue" : "", "data-warning": String(w.id) }, [
        el("td", {}, [
          el("span", { class: "badge risk-badge risk-" + w.risk_level, text: t("warning_risk_" + w.risk_level) }),
          w.escalation_level ? el("div", { class: "muted small-text", text: t("warning_level", { n: w.escalation_level }) }) : null,
        ]),
        el("td", {}, [
          el("strong", { text: w.household_code || w.address || t("warning_address_unknown") }),
          w.person_name ? el("div", { text: [w.person_name, w.phone].filter(Boolean).join(" · ") }) : null,
          w.source === "report" ? el("div", { class: "muted small-text", text: t("warning_source_report") }) : null,
        ]),
        el("td", { class: "clock" }, [
          el("div", { text: clock(w) }),
          el("div", { class: "muted small-text", text: t("warning_due", { time: DS.fmtDateTime(w.due_at) }) + " · " + t("warning_attempts_n", { n: w.attempts }) }),
        ]),
        el("td", { text: names }),
      ]));
    });
  }

  function start(community) {
    S.community = community;
    var id = community.id;
    return Promise.all([
      DS.apiAll("/communities/" + id + "/warnings"),
      DS.api("/communities/" + id + "/warnings/summary"),
      DS.apiAll("/communities/" + id + "/members").catch(function () {
        return [];
      }),
    ]).then(function (r) {
      S.items = r[0];
      S.members = {};
      r[2].forEach(function (m) {
        S.members[m.user_id] = m.display_name;
      });
      drawFigures(r[1]);
      drawRows();
    });
  }

  $("warning-filter").addEventListener("change", drawRows);
  $("warning-sheet").addEventListener("click", function () {
    DS.download("/communities/" + S.community.id + "/warnings.xlsx", "warnings.xlsx", $("warning-sheet"));
  });
  setInterval(function () {
    if (S.community) drawRows();
  }, 30000);

  ready.then(function (user) {
    return O.communities(user);
  }).then(function (list) {
    var community = O.pickCommunity($("community-holder"), list, start);
    if (!community) return null;
    return start(community).then(function () {
      $("warnings-page").removeAttribute("aria-busy");
      $("warnings-loading").hidden = true;
      $("warnings-body").hidden = false;
    });
  }).catch(function (err) {
    if (err.status !== 403) O.fatal($("warnings-page"), err);
  });
})();
