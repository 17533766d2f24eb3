/* /office: where an officer or manager lands; every part of their work one tap away, and
 * the plan of each current campaign too. */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;
  var ready = O.requirePlanner();
  if (!ready) return;
  var plans = document.getElementById("hub-plans");
  ready.then(function (user) {
    return O.communities(user);
  }).then(function (list) {
    return Promise.all(list.map(function (c) {
      return DS.apiAll("/communities/" + c.id + "/campaigns").then(function (items) {
        return items.filter(function (x) {
          return x.status !== "closed";
        }).map(function (x) {
          return { campaign: x, community: c };
        });
      });
    }));
  }).then(function (groups) {
    var all = [].concat.apply([], groups);
    DS.clear(plans);
    plans.removeAttribute("aria-busy");
    if (!all.length) plans.appendChild(el("li", { class: "muted", text: t("campaigns_none") }));
    all.forEach(function (x) {
      var c = x.campaign;
      plans.appendChild(el("li", {}, [el("a", { class: "hub-link", href: "/campaigns/" + c.id + "/plan" }, [
        el("span", { class: "task-title", text: t("office_plan_x", { name: c.name }) }),
        el("span", { class: "muted", text: x.community.name + " · " + t("date_range", { start: DS.fmtDate(c.starts_on), end: DS.fmtDate(c.ends_on) }) }),
      ])]));
    });
  }).catch(function (err) {
    if (err.status !== 403) O.fatal(plans, err);
  });
})();
