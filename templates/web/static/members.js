/* /members: a manager's people. Accounts are made here (an existing colleague is added by
 * username, never made twice), roles granted and removed, accounts locked. */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;
  if (!DS.requireLogin()) return;
  var ROLES = ["staff", "officer", "manager"];
  var S = { community: null, me: null };
  var $ = function (id) {
    return document.getElementById(id);
  };

  function roleSelect(id, value, label) {
    var s = el("select", { id: id, "aria-label": label });
    ROLES.forEach(function (r) {
      var o = el("option", { value: r, text: t("role_" + r) });
      if (r === value) o.selected = true;
      s.appendChild(o);
    });
    return s;
  }

  function patch(m, body, done) {
    return DS.api("/communities/" + S.community.id + "/members/" + m.user_id, { method: "PATCH", json: body })
      .then(function () {
        DS.toast(done);
        return drawList();
      })
      .catch(function (err) {
        DS.toast(O.problem(err));
        return drawList();
      });
  }

  function row(m) {
    var self = m.user_id === S.me.id;
    var role = roleSelect("role-" + m.user_id, m.role, t("mem_role_of", { name: m.display_name }));
    role.disabled = self;
    role.addEventListener("change", function () {
      patch(m, { role: role.value }, t("mem_role_changed", { name: m.display_name, role: t("role_" + role.value) }));
    });
    var lock = el("button", {
      type: "button",
      class: "small",
      text: m.is_active ? t("mem_deactivate") : t("mem_reactivate"),
      "aria-label": (m.is_active ? t("mem_deactivate") : t("mem_reactivate")) + " " + m.display_name,
    });
    lock.disabled = self;
    lock.addEventListener("click", function () {
      patch(m, { is_active: !m.is_active }, m.is_active ? t("mem_deactivated", { name: m.display_name }) : t("mem_reactivated", { name: m.display_name }));
    });
    var remove = el("button", { type: "button", class: "small danger", text: t("mem_remove"), "aria-label": t("mem_remove") + " " + m.display_name });
    remove.disabled = self;
    remove.addEventListener("click", function () {
      if (remove.getAttribute("data-armed") !== "1") {
        remove.setAttribute("data-armed", "1");
        remove.textContent = t("mem_remove_confirm");
        return;
      }
      DS.api("/communities/" + S.community.id + "/members/" + m.user_id, { method: "DELETE" }).then(function () {
        DS.toast(t("mem_removed", { name: m.display_name }));
        return drawList();
      }).catch(function (err) {
        DS.toast(O.problem(err));
      });
    });
    return el("tr", { "data-user": String(m.user_id), class: m.is_active ? "" : "is-inactive" }, [
      el("th", { scope: "row", text: m.display_name }),
      el("td", { text: m.username }),
      el("td", {}, [role]),
      el("td", { text: m.is_active ? t("mem_active") : t("mem_inactive") }),
      el("td", {}, [el("span", { class: "actions tight" }, [lock, remove])]),
    ]);
  }

  function drawList() {
    return DS.apiAll("/communities/" + S.community.id + "/members").then(function (items) {
      var tbody = DS.clear($("member-rows"));
      items.forEach(function (m) {
        tbody.appendChild(row(m));
      });
    });
  }

  function submit(ev) {
    ev.preventDefault();
    var error = $("mem-error");
    error.hidden = true;
    var body = { username: $("mem-username").value.trim(), role: $("mem-role").value };
    if (!body.username) {
      O.showError(error, t("mem_need_username"));
      return;
    }
    if ($("mem-name").value.trim()) body.display_name = $("mem-name").value.trim();
    if ($("mem-password").value) body.password = $("mem-password").value;
    var button = $("mem-submit");
    button.disabled = true;
    DS.api("/communities/" + S.community.id + "/members", { json: body }).then(function (m) {
      button.disabled = false;
      $("member-form").reset();
      $("mem-role").value = "staff";
      DS.toast(t("mem_added", { name: m.display_name, role: t("role_" + m.role) }));
      return drawList();
    }).catch(function (err) {
      button.disabled = false;
      O.showError(error, err);
    });
  }

  function start(c) {
    S.community = c;
    return drawList();
  }

  DS.me(true).then(function (user) {
    S.me = user;
    if (!DS.isManager(user)) {
      location.replace(DS.isPlanner(user) ? "/office" : "/schedule");
      throw new DS.ApiError(403, t("no_access"), null);
    }
    return O.communities(user, ["manager"]);
  }).then(function (list) {
    var c = O.pickCommunity($("community-holder"), list, start);
    if (!c) return null;
    var roleBox = $("mem-role");
    ROLES.forEach(function (r) {
      roleBox.appendChild(el("option", { value: r, text: t("role_" + r) }));
    });
    $("member-form").addEventListener("submit", submit);
    return start(c).then(function () {
      $("members-page").removeAttribute("aria-busy");
      $("members-loading").hidden = true;
      $("members-body").hidden = false;
    });
  }).catch(function (err) {
    if (err.status !== 403) O.fatal($("members-page"), err);
  });
})();
