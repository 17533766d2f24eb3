/* A campaign's form: name, dates, target, topics picked from the catalogue with their
 * descriptions. /campaigns/new creates one and goes on to its plan; the plan page edits one. */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;

  function todayLocal() {
    return DS.localDay(new Date());
  }

  /* Draws the form in holder; onSaved(campaign) after a successful POST or PATCH. */
  function campaignForm(holder, opts) {
    var c = opts.campaign || {
      name: "",
      starts_on: todayLocal(),
      ends_on: O.addDays(todayLocal(), 13),
      target_coverage: 0.95,
      topics: [],
      status: "active",
    };
    var name = el("input", { type: "text", id: "cf-name", required: true, maxlength: "200", autocomplete: "off", value: c.name });
    var starts = el("input", { type: "date", id: "cf-starts", required: true, value: c.starts_on });
    var ends = el("input", { type: "date", id: "cf-ends", required: true, value: c.ends_on });
    var target = el("input", { type: "number", id: "cf-target", required: true, min: "1", max: "100", step: "1", value: String(Math.round(c.target_coverage * 100)), inputmode: "numeric" });
    var status = el("select", { id: "cf-status" }, ["draft", "active", "closed"].map(function (s) {
      var o = el("option", { value: s, text: t("campaign_status_" + s) });
      if (s === c.status) o.selected = true;
      return o;
    }));
    var error = el("p", { class: "form-error", role: "alert", hidden: true });
    var topicsBox = el("div", { class: "topics" }, [el("p", { class: "muted", text: t("loading") })]);
    var topics = null;
    var submit = el("button", { type: "submit", class: "primary", text: opts.campaign ? t("cf_save") : t("cf_create") });
    var form = el("form", { class: "card campaign-form", novalidate: true }, [
      O.field("cf-name", t("cf_name"), name),
      el("div", { class: "row-fields" }, [
        O.field("cf-starts", t("cf_starts"), starts),
        O.field("cf-ends", t("cf_ends"), ends),
        O.field("cf-target", t("cf_target"), target, t("cf_target_hint")),
        opts.campaign ? O.field("cf-status", t("col_status"), status) : null,
      ]),
      topicsBox,
      error,
      submit,
    ]);
    O.fraudTypes().then(function (types) {
      topics = O.checkboxes("topic", t("cf_topics"), types.map(function (ft) {
        return { value: ft.code, label: O.fraudName(ft), hint: O.fraudSummary(ft) };
      }), c.topics);
      DS.clear(topicsBox).appendChild(topics.node);
    }).catch(function (err) {
      O.showError(error, err);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      error.hidden = true;
      var pct = Number(target.value);
      if (!name.value.trim() || !starts.value || !ends.value || !(pct > 0 && pct <= 100)) {
        O.showError(error, t("cf_incomplete"));
        return;
      }
      var body = {
        name: name.value.trim(),
        starts_on: starts.value,
        ends_on: ends.value,
        target_coverage: pct / 100,
        topics: topics ? topics.values() : c.topics,
      };
      if (opts.campaign) body.status = status.value;
      submit.disabled = true;
      var req = opts.campaign
        ? DS.api("/campaigns/" + opts.campaign.id, { method: "PATCH", json: body })
        : DS.api("/communities/" + opts.communityId() + "/campaigns", { json: body });
      req.then(function (saved) {
        submit.disabled = false;
        opts.onSaved(saved);
      }).catch(function (err) {
        submit.disabled = false;
        O.showError(error, err);
      });
    });
    DS.clear(holder).appendChild(form);
    return form;
  }

  O.campaignForm = campaignForm;

  /* /campaigns/new */
  var root = document.getElementById("new-campaign");
  if (!root) return;
  var picker = document.getElementById("community-holder");
  var ready = O.requirePlanner();
  if (!ready) return;
  var community = null;
  ready.then(function (user) {
    return O.communities(user);
  }).then(function (list) {
    community = O.pickCommunity(picker, list, function (c) {
      community = c;
    });
    root.removeAttribute("aria-busy");
    if (!community) return DS.clear(root);
    campaignForm(root, {
      communityId: function () {
        return community.id;
      },
      onSaved: function (saved) {
        location.href = "/campaigns/" + saved.id + "/plan";
      },
    });
    document.getElementById("cf-name").focus();
  }).catch(function (err) {
    if (err.status !== 403) O.fatal(root, err);
  });
})();
