/* Event attendance and service-centre walk-ins, recorded by household code.
 *
 * The code is looked up (GET households?code=) when online; typed without a connection it is
 * kept with the contact and looked up just before sending.
 */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  if (!DS.requireLogin()) return;

  var isEvent = DS.boot.page === "event";
  var eventId = isEvent ? DS.pathId(DS.boot.data.event_id) : null;
  var form = document.getElementById("code-form");
  var codeInput = document.getElementById("code");
  var error = document.getElementById("code-error");
  var select = document.getElementById("campaign");
  var ctx = { event: null, campaigns: [] };

  function codesKey(cid) {
    return "doorstep.codes." + cid;
  }

  function showError(msg) {
    error.textContent = msg;
    error.hidden = !msg;
  }

  /* ---------- context: the event, or the active campaigns for walk-ins ---------- */

  function loadEvent() {
    var key = "doorstep.event." + eventId;
    return DS.api("/events/" + eventId)
      .then(function (ev) {
        DS.save(key, { at: new Date().toISOString(), ev: ev });
        return ev;
      })
      .catch(function (err) {
        var cached = DS.load(key, null);
        if (cached && (err.status === 0 || err.status >= 500)) {
          showCached(cached.at);
          return cached.ev;
        }
        throw err;
      })
      .then(function (ev) {
        ctx.event = ev;
        document.getElementById("page-title").textContent = ev.title;
        var parts = [DS.fmtDateTime(ev.starts_at) + " – " + DS.fmtTime(ev.ends_at)];
        if (ev.location) parts.push(t("location") + t("colon") + ev.location);
        if (ev.services && ev.services.length) parts.push(t("services") + t("colon") + ev.services.join(t("list_sep")));
        document.getElementById("page-sub").textContent = parts.join(" · ");
      });
  }

  function today() {
    return DS.localDay(new Date());
  }

  function loadCampaigns() {
    var key = "doorstep.walkin.campaigns";
    return DS.me()
      .then(function (user) {
        return Promise.all((user.memberships || []).map(function (m) {
          return DS.api("/communities/" + m.community_id + "/campaigns?limit=500")
            .then(function (page) {
              return (page.items || []).map(function (c) {
                c.community_name = m.community_name;
                return c;
              });
            })
            .catch(function (err) {
              if (err.status === 0) throw err;
              return [];
            });
        }));
      })
      .then(function (lists) {
        var all = [].concat.apply([], lists).filter(function (c) {
          return c.status === "active" && c.starts_on <= today() && c.ends_on >= today();
        });
        DS.save(key, { at: new Date().toISOString(), campaigns: all });
        return all;
      })
      .catch(function (err) {
        var cached = DS.load(key, null);
        if (cached) {
          showCached(cached.at);
          return cached.campaigns;
        }
        throw err;
      })
      .then(function (campaigns) {
        ctx.campaigns = campaigns;
        DS.clear(select);
        campaigns.forEach(function (c) {
          select.appendChild(el("option", { value: c.id, text: c.community_name ? c.community_name + " · " + c.name : c.name }));
        });
        document.getElementById("campaign-field").hidden = campaigns.length < 2;
        if (campaigns.length === 1) {
          var c = campaigns[0];
          document.getElementById("page-sub").textContent =
            t("campaign") + t("colon") + (c.community_name ? c.community_name + " · " : "") + c.name;
        }
        if (!campaigns.length) {
          showError(t("no_active_campaign"));
          document.getElementById("code-submit").disabled = true;
        }
      });
  }

  function showCached(at) {
    var note = document.getElementById("cached-note");
    note.textContent = t("cached_copy", { time: DS.fmtDateTime(at) });
    note.hidden = false;
  }

  function chosenCampaign() {
    if (isEvent) return { id: ctx.event.campaign_id, community_id: ctx.event.community_id };
    var id = Number(select.value);
    return ctx.campaigns.filter(function (c) {
      return c.id === id;
    })[0];
  }

  /* ---------- recording ---------- */

  function lookup(communityId, code) {
    var known = DS.load(codesKey(communityId), {});
    if (known[code]) return Promise.resolve(known[code]);
    return DS.api("/communities/" + communityId + "/households?code=" + encodeURIComponent(code) + "&limit=1").then(function (page) {
      var hh = (page.items || [])[0];
      if (!hh || hh.code !== code) return null;
      var map = DS.load(codesKey(communityId), {});
      map[code] = hh.id;
      DS.save(codesKey(communityId), map);
      return hh.id;
    });
  }

  function readExtras() {
    var n = parseInt(document.getElementById("x-residents").value, 10);
    return {
      flyer_given: document.getElementById("x-flyer").checked,
      app_installed: document.getElementById("x-app").checked,
      pledge_signed: document.getElementById("x-pledge").checked,
      residents_reached: isNaN(n) || n < 0 ? 0 : Math.min(n, 50),
      notes: document.getElementById("x-notes").value.trim() || null,
    };
  }

  function save(campaign, code, householdId) {
    var x = readExtras();
    var body = {
      campaign_id: campaign.id,
      household_id: householdId,
      channel: isEvent ? "event" : "walk_in",
      outcome: "reached",
      occurred_at: DS.nowIso(),
      flyer_given: x.flyer_given,
      app_installed: x.app_installed,
      pledge_signed: x.pledge_signed,
      residents_reached: x.residents_reached,
      notes: x.notes,
    };
    if (isEvent) body.event_id = eventId;
    var label = code + " " + (isEvent ? t("record_attendance") : t("record_walkin"));
    var ids = recordWith(campaign, body, code, label);
    // Ready for the next resident: no tick carries over to someone else.
    codeInput.value = "";
    document.getElementById("x-flyer").checked = false;
    document.getElementById("x-app").checked = false;
    document.getElementById("x-pledge").checked = false;
    document.getElementById("x-residents").value = "1";
    document.getElementById("x-notes").value = "";
    codeInput.focus();
    return ids;
  }

  function recordWith(campaign, body, code, label) {
    // The community rides along so that a code typed offline can be looked up later.
    var ids = DS.record([{ body: body, code: code, label: label }]);
    if (!body.household_id) {
      var box = DS.outbox();
      box.forEach(function (it) {
        if (it.id === ids[0]) it.community_id = campaign.community_id;
      });
      DS.save(DS.KEYS.outbox, box);
    }
    return ids;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    showError("");
    var code = codeInput.value.trim();
    if (!code) {
      codeInput.focus();
      showError(t("household_code"));
      return;
    }
    var campaign = chosenCampaign();
    if (!campaign) {
      showError(t("no_active_campaign"));
      return;
    }
    lookup(campaign.community_id, code)
      .then(function (hid) {
        if (!hid) {
          showError(t("code_unknown", { code: code }));
          codeInput.select();
          return;
        }
        var ids = save(campaign, code, hid);
        DS.toast(t("recorded_x", { code: code, outcome: t("outcome_reached") }), t("undo"), function () {
          DS.voidContacts(ids);
          DS.toast(t("undone"));
        });
      })
      .catch(function (err) {
        if (err.status === 0) {
          save(campaign, code, null);
          DS.toast(t("code_queued", { code: code }));
        } else {
          showError(t("error_generic", { detail: err.detail }));
        }
      });
  });

  /* ---------- what this phone recorded here ---------- */

  function renderRecorded() {
    var ul = DS.clear(document.getElementById("recorded"));
    var day = today();
    var entries = DS.logAll().filter(function (e) {
      if (DS.localDay(new Date(e.at)) !== day) return false;
      return isEvent ? e.event_id === eventId : e.channel === "walk_in";
    });
    if (!entries.length) ul.appendChild(el("li", { class: "muted", text: t("recorded_none") }));
    entries.reverse().slice(0, 50).forEach(function (e) {
      var tag = e.voided ? t("voided_tag") : e.state === "sent" ? t("sent") : e.state === "refused" ? t("refused_title") : t("waiting");
      ul.appendChild(el("li", { class: e.voided ? "is-voided" : "" }, [
        el("strong", { text: e.code || "" }),
        el("span", { text: DS.fmtTime(new Date(e.at).toISOString()) }),
        el("span", { class: "tag", text: tag }),
        !e.voided && e.state !== "refused"
          ? el("button", {
            type: "button",
            class: "small",
            "aria-label": t("undo") + " " + (e.code || ""),
            onclick: function () {
              DS.voidContacts([e.id]);
            },
          }, [t("undo")])
          : null,
      ]));
    });
  }

  DS.stepper(form);
  DS.onChange(renderRecorded);
  renderRecorded();
  (isEvent ? loadEvent() : loadCampaigns()).catch(function (err) {
    var key = err.status === 404 ? "not_found" : err.status === 403 ? "no_access" : null;
    showError(key ? t(key) : t("error_generic", { detail: err.detail }));
    document.getElementById("code-submit").disabled = true;
  });
})();
