/* /incidents: log a resident's scam report from a form (fraud type from the catalogue,
 * channel, amounts lost and kept safe, escalation) and follow each one's status and history. */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;
  var ready = O.requirePlanner();
  if (!ready) return;

  var STATUSES = ["reported", "following_up", "escalated", "resolved"];
  var ESCALATIONS = ["", "grid_admin", "police", "anti_fraud_centre"];
  var CHANNELS = ["inc_ch_phone", "inc_ch_facetime", "inc_ch_wechat", "inc_ch_sms", "inc_ch_web", "inc_ch_person"];
  var S = { community: null, tz: "Asia/Shanghai", types: [], byCode: {} };
  var $ = function (id) {
    return document.getElementById(id);
  };

  function options(select, values, labelOf, selected) {
    DS.clear(select);
    values.forEach(function (v) {
      var o = el("option", { value: v, text: labelOf(v) });
      if (v === selected) o.selected = true;
      select.appendChild(o);
    });
  }

  function escalationLabel(v) {
    if (!v) return t("inc_esc_none");
    return ESCALATIONS.indexOf(v) >= 0 ? t("inc_esc_" + v) : v;
  }

  function money(v) {
    return v === null || v === undefined ? "0" : Number(v).toLocaleString(DS.boot.lang === "zh" ? "zh-CN" : "en-GB");
  }

  function typeName(code) {
    return S.byCode[code] ? O.fraudName(S.byCode[code]) : code;
  }

  function setupForm() {
    options($("inc-type"), S.types.map(function (x) {
      return x.code;
    }), typeName, S.types[0] && S.types[0].code);
    var summary = function () {
      var ft = S.byCode[$("inc-type").value];
      $("inc-type-summary").textContent = ft ? O.fraudSummary(ft) : "";
    };
    $("inc-type").addEventListener("change", summary);
    summary();
    options($("inc-status"), STATUSES, function (s) {
      return t("incident_status_" + s);
    }, "reported");
    options($("inc-escalated"), ESCALATIONS, escalationLabel, "");
    DS.clear($("inc-channels"));
    CHANNELS.forEach(function (k) {
      $("inc-channels").appendChild(el("option", { value: t(k) }));
    });
    resetWhen();
    $("incident-form").addEventListener("submit", submit);
  }

  function resetWhen() {
    var now = new Date().toISOString();
    $("inc-day").value = O.zonedDay(now, S.tz);
    $("inc-time").value = O.zonedTime(now, S.tz);
  }

  function householdId(code) {
    if (!code) return Promise.resolve(null);
    return DS.api("/communities/" + S.community.id + "/households?code=" + encodeURIComponent(code)).then(function (page) {
      if (!page.items.length) throw new DS.ApiError(422, t("inc_no_household", { code: code }), null);
      return page.items[0].id;
    });
  }

  function submit(ev) {
    ev.preventDefault();
    var error = $("inc-error");
    error.hidden = true;
    var summary = $("inc-summary").value.trim();
    var channel = $("inc-channel").value.trim();
    if (!$("inc-day").value || !$("inc-time").value || !summary || !channel) {
      O.showError(error, t("inc_incomplete"));
      return;
    }
    var body = {
      occurred_at: O.zonedIso($("inc-day").value, $("inc-time").value, S.tz),
      fraud_type: $("inc-type").value,
      channel: channel,
      summary: summary,
      status: $("inc-status").value,
      escalated_to: $("inc-escalated").value || null,
    };
    if ($("inc-lost").value !== "") body.amount_lost = $("inc-lost").value;
    if ($("inc-prevented").value !== "") body.amount_prevented = $("inc-prevented").value;
    var button = $("inc-submit");
    button.disabled = true;
    householdId($("inc-household").value.trim()).then(function (hid) {
      if (hid) body.household_id = hid;
      return DS.api("/communities/" + S.community.id + "/incidents", { json: body });
    }).then(function () {
      button.disabled = false;
      $("incident-form").reset();
      setupFormValues();
      DS.toast(t("inc_logged"));
      return drawList();
    }).catch(function (err) {
      button.disabled = false;
      O.showError(error, err);
    });
  }

  function setupFormValues() {
    resetWhen();
    $("inc-status").value = "reported";
    $("inc-escalated").value = "";
    $("inc-type").dispatchEvent(new Event("change"));
  }

  /* ---------- following up ---------- */

  function changeText(changes) {
    return Object.keys(changes).map(function (k) {
      var c = changes[k];
      var show = function (v) {
        if (k === "status" && v) return t("incident_status_" + v);
        if (k === "escalated_to") return escalationLabel(v);
        if (k === "fraud_type" && v) return typeName(v);
        return v === null || v === undefined || v === "" ? "—" : String(v);
      };
      if (Array.isArray(c)) return t("inc_field_" + k) + t("colon") + show(c[0]) + " → " + show(c[1]);
      return t("inc_field_" + k) + t("colon") + show(c);
    }).join(t("list_sep"));
  }

  function followUp(inc, box) {
    DS.clear(box).appendChild(el("p", { class: "muted", text: t("loading") }));
    DS.apiAll("/incidents/" + inc.id + "/history").then(function (rows) {
      DS.clear(box);
      var members = S.members || {};
      box.appendChild(el("h4", { text: t("inc_history") }));
      box.appendChild(el("ol", { class: "history-list" }, rows.map(function (h) {
        return el("li", {}, [
          el("span", { class: "muted", text: DS.fmtDateTime(h.changed_at) + " · " + (members[h.changed_by] || "") }),
          h.note === "reported"
            ? el("span", { text: " " + t("inc_created") })
            : el("span", { text: " " + changeText(h.changes || {}) }),
          h.note && h.note !== "reported" ? el("span", { class: "block", text: t("inc_note") + t("colon") + h.note }) : null,
        ]);
      })));
      var pre = "fu-" + inc.id;
      var status = el("select", { id: pre + "-status" });
      options(status, STATUSES, function (s) {
        return t("incident_status_" + s);
      }, inc.status);
      var esc = el("select", { id: pre + "-esc" });
      var escValues = ESCALATIONS.indexOf(inc.escalated_to || "") >= 0 ? ESCALATIONS : ESCALATIONS.concat([inc.escalated_to]);
      options(esc, escValues, escalationLabel, inc.escalated_to || "");
      var prevented = el("input", { type: "number", id: pre + "-prevented", min: "0", step: "0.01", value: inc.amount_prevented === null ? "" : String(inc.amount_prevented) });
      var note = el("textarea", { id: pre + "-note", rows: "2", maxlength: "2000" });
      var error = el("p", { class: "form-error", role: "alert", hidden: true });
      var save = el("button", { type: "submit", class: "primary", text: t("inc_update") });
      var form = el("form", { class: "follow-up", novalidate: true }, [
        el("div", { class: "row-fields" }, [
          O.field(pre + "-status", t("col_status"), status),
          O.field(pre + "-esc", t("inc_escalated"), esc),
          O.field(pre + "-prevented", t("inc_prevented"), prevented),
        ]),
        O.field(pre + "-note", t("inc_note"), note),
        error,
        save,
      ]);
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var body = {};
        if (status.value !== inc.status) body.status = status.value;
        if ((esc.value || null) !== (inc.escalated_to || null)) body.escalated_to = esc.value || null;
        var p = prevented.value === "" ? null : Number(prevented.value);
        if (p !== (inc.amount_prevented === null ? null : Number(inc.amount_prevented))) body.amount_prevented = prevented.value === "" ? null : prevented.value;
        if (note.value.trim()) body.note = note.value.trim();
        if (!Object.keys(body).length) {
          O.showError(error, t("inc_nothing_changed"));
          return;
        }
        save.disabled = true;
        DS.api("/incidents/" + inc.id, { method: "PATCH", json: body }).then(function () {
          DS.toast(t("inc_updated"));
          return drawList(inc.id);
        }).catch(function (err) {
          save.disabled = false;
          O.showError(error, err);
        });
      });
      box.appendChild(form);
    }).catch(function (err) {
      O.showError(box, err);
    });
  }

  function drawList(openId) {
    var list = $("incident-list");
    return DS.apiAll("/communities/" + S.community.id + "/incidents").then(function (items) {
      items.sort(function (a, b) {
        return a.occurred_at < b.occurred_at ? 1 : -1;
      });
      DS.clear(list);
      if (!items.length) list.appendChild(el("li", { class: "muted", text: t("inc_none") }));
      items.forEach(function (inc) {
        var box = el("div", { class: "follow-box" });
        var details = el("details", { class: "incident", "data-id": String(inc.id) }, [
          el("summary", {}, [
            el("strong", { text: typeName(inc.fraud_type) }),
            el("span", { text: " · " + DS.fmtDateTime(inc.occurred_at) + " · " + inc.channel + " " }),
            el("span", { class: "badge badge-" + inc.status, text: t("incident_status_" + inc.status) }),
          ]),
          el("p", { text: inc.summary }),
          el("p", { class: "muted", text: t("incident_amounts", { lost: money(inc.amount_lost), prevented: money(inc.amount_prevented) }) + " · " + t("inc_escalated") + t("colon") + escalationLabel(inc.escalated_to) }),
          box,
        ]);
        details.addEventListener("toggle", function () {
          if (details.open && !box.firstChild) followUp(inc, box);
        });
        list.appendChild(el("li", {}, [details]));
        if (openId === inc.id) details.open = true;
      });
    });
  }

  function start(community) {
    S.community = community;
    return Promise.all([
      DS.api("/communities/" + community.id),
      DS.apiAll("/communities/" + community.id + "/members").catch(function () {
        return [];
      }),
    ]).then(function (r) {
      S.tz = r[0].timezone || S.tz;
      S.members = {};
      r[1].forEach(function (m) {
        S.members[m.user_id] = m.display_name;
      });
      return drawList();
    });
  }

  ready.then(function (user) {
    return Promise.all([O.communities(user), O.fraudTypes()]);
  }).then(function (r) {
    S.types = r[1];
    S.types.forEach(function (x) {
      S.byCode[x.code] = x;
    });
    var community = O.pickCommunity($("community-holder"), r[0], function (c) {
      start(c);
    });
    if (!community) return null;
    setupForm();
    return start(community).then(function () {
      $("incidents-page").removeAttribute("aria-busy");
      $("incidents-loading").hidden = true;
      $("incidents-body").hidden = false;
    });
  }).catch(function (err) {
    if (err.status !== 403) O.fatal($("incidents-page"), err);
  });
})();
