/* Officers and managers: the campaigns of their communities, each with its headline coverage. */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  if (!DS.requireLogin()) return;
  var root = document.getElementById("campaigns");

  function communities(user) {
    if (user.is_admin) {
      return DS.apiAll("/communities").then(function (items) {
        return items.map(function (c) {
          return { community_id: c.id, community_name: c.name, role: "admin" };
        });
      });
    }
    return Promise.resolve((user.memberships || []).filter(function (m) {
      return m.role === "manager" || m.role === "officer";
    }));
  }

  function headline(box, campaign) {
    DS.api("/campaigns/" + campaign.id + "/coverage")
      .then(function (cov) {
        DS.clear(box);
        box.appendChild(el("span", { class: "big", text: DS.fmtPercent(cov.coverage) }));
        box.appendChild(el("span", { class: "muted", text: " " + t("coverage_fraction", { reached: cov.reached, eligible: cov.eligible }) }));
      })
      .catch(function () {
        DS.clear(box);
      });
  }

  function card(c) {
    var box = el("p", { class: "headline" });
    var item = el("li", { class: "campaign-card" }, [
      el("a", { href: "/campaigns/" + c.id, class: "task-link" }, [
        el("span", { class: "task-title", text: c.name }),
        el("span", { class: "muted", text: t("date_range", { start: DS.fmtDate(c.starts_on), end: DS.fmtDate(c.ends_on) }) + " · " + t("target_x", { target: DS.fmtPercent(c.target_coverage) }) }),
        el("span", { class: "badge badge-" + c.status, text: t("campaign_status_" + c.status) }),
        box,
        el("span", { class: "task-go", "aria-hidden": "true", text: t("open_progress") + " ›" }),
      ]),
    ]);
    item.appendChild(el("a", { class: "button small plan-link", href: "/campaigns/" + c.id + "/plan", text: t("open_plan") + " ›" }));
    headline(box, c);
    return item;
  }

  DS.me(true)
    .then(function (user) {
      if (!DS.isPlanner(user)) {
        location.replace("/schedule");
        return null;
      }
      return communities(user);
    })
    .then(function (list) {
      if (!list) return;
      DS.clear(root);
      root.removeAttribute("aria-busy");
      return Promise.all(list.map(function (m) {
        return DS.apiAll("/communities/" + m.community_id + "/campaigns").then(function (items) {
          var section = el("section", { class: "community" }, [el("h2", { text: m.community_name })]);
          var ul = el("ul", { class: "tasks" });
          var order = { active: 0, draft: 1, closed: 2 };
          items.sort(function (a, b) {
            return (order[a.status] - order[b.status]) || (a.starts_on < b.starts_on ? 1 : -1);
          });
          if (!items.length) ul.appendChild(el("li", { class: "muted", text: t("campaigns_none") }));
          items.forEach(function (c) {
            ul.appendChild(card(c));
          });
          section.appendChild(ul);
          root.appendChild(section);
        });
      }));
    })
    .catch(function (err) {
      DS.clear(root);
      root.removeAttribute("aria-busy");
      root.appendChild(el("p", { class: "form-error", role: "alert", text: t("error_generic", { detail: err.detail }) }));
    });
})();
