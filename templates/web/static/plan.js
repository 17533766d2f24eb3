/* /campaigns/{id}/plan: the week board (days × people) of a campaign's rounds and events,
 * availability as weekly patterns, and the planner's proposal drawn on the board.
 *
 * Everything is drawn in the community's time zone. Rounds and events are created, moved,
 * reassigned and cancelled through the v1 API; a clash (409) is shown on the slot it was
 * aimed at, with the server's own message.
 */
(function () {
  "use strict";
  var DS = window.DS;
  var O = window.Office;
  var t = DS.t;
  var el = DS.el;

  var root = document.getElementById("plan");
  var campaignId = Number(DS.boot.data.campaign_id);
  var ready = O.requirePlanner();
  if (!ready) return;

  var S = {
    campaign: null,
    tz: "Asia/Shanghai",
    members: [],
    buildings: [],
    rounds: [],
    events: [],
    availability: null,
    proposal: null,
    weekStart: null,
    clash: null, // {day, user, message}
  };

  var board = document.getElementById("board");
  var weekLabel = document.getElementById("week-label");
  var dialog = document.getElementById("slot-dialog");

  /* ---------- loading ---------- */

  function load() {
    return DS.api("/campaigns/" + campaignId).then(function (c) {
      S.campaign = c;
      var cid = c.community_id;
      return Promise.all([
        DS.apiAll("/communities/" + cid + "/members"),
        DS.apiAll("/communities/" + cid + "/buildings"),
        DS.apiAll("/campaigns/" + campaignId + "/rounds"),
        DS.apiAll("/campaigns/" + campaignId + "/events"),
        DS.api("/campaigns/" + campaignId + "/availability"),
      ]);
    }).then(function (r) {
      var order = { staff: 0, officer: 1, manager: 2 };
      S.members = r[0].slice().sort(function (a, b) {
        return (order[a.role] - order[b.role]) || a.display_name.localeCompare(b.display_name, "zh-CN");
      });
      S.buildings = r[1].slice().sort(function (a, b) {
        return a.code.localeCompare(b.code, "zh-CN", { numeric: true });
      });
      S.rounds = r[2];
      S.events = r[3];
      S.availability = r[4];
      S.tz = r[4].timezone || S.tz;
      if (!S.weekStart) S.weekStart = mondayOf(firstUsefulDay());
    });
  }

  function firstUsefulDay() {
    var today = O.zonedDay(new Date().toISOString(), S.tz);
    var c = S.campaign;
    if (today >= c.starts_on && today <= c.ends_on) return today;
    return c.starts_on;
  }

  function mondayOf(day) {
    return O.addDays(day, 1 - O.isoWeekday(day));
  }

  function memberName(id) {
    var m = S.members.filter(function (x) {
      return x.user_id === id;
    })[0];
    return m ? m.display_name : "#" + id;
  }

  function buildingCodes(ids) {
    return ids.map(function (id) {
      var b = S.buildings.filter(function (x) {
        return x.id === id;
      })[0];
      return b ? b.code : "#" + id;
    });
  }

  function inCampaign(day) {
    return day >= S.campaign.starts_on && day <= S.campaign.ends_on;
  }

  /* ---------- the board ---------- */

  function items() {
    var out = [];
    S.rounds.forEach(function (r) {
      out.push({ kind: "round", obj: r });
    });
    S.events.forEach(function (e) {
      out.push({ kind: "event", obj: e });
    });
    if (S.proposal) {
      S.proposal.rounds.forEach(function (p, i) {
        if (p.round_id) return;
        out.push({ kind: "proposed", obj: p, index: i });
      });
    }
    return out;
  }

  function chipText(it) {
    var o = it.obj;
    var when = O.zonedTime(o.starts_at, S.tz) + "–" + O.zonedTime(o.ends_at, S.tz);
    if (it.kind === "event") return when + " · " + o.title;
    return when + " · " + t("buildings_x", { codes: buildingCodes(o.building_ids).join(t("list_sep")) });
  }

  function chip(it, userId) {
    var o = it.obj;
    var cls = "slot-item slot-" + it.kind + " is-" + (o.status || "proposed");
    var label = chipText(it);
    if (it.kind === "proposed") {
      return el("span", { class: cls, title: DS.boot.lang === "zh" ? o.notes_zh : o.notes_en }, [
        el("span", { class: "slot-tag", text: t("plan_proposed") }),
        label,
      ]);
    }
    var status = it.kind === "event" ? t("event_kind") : t("round_kind");
    return el("button", {
      type: "button",
      class: cls,
      "data-kind": it.kind,
      "data-id": String(o.id),
      "aria-label": status + " " + label + " · " + t("round_status_" + o.status) + " · " + memberName(userId),
      onclick: function () {
        openEditor({ kind: it.kind, obj: o });
      },
    }, [
      el("span", { class: "slot-tag", text: status }),
      label,
      o.status !== "planned" ? el("span", { class: "slot-status", text: t("round_status_" + o.status) }) : null,
    ]);
  }

  /* A phone shows one day of the week at a time, picked from a strip of the seven. */
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 47.99rem)") : { matches: false };
  if (narrow.addEventListener) {
    narrow.addEventListener("change", function () {
      if (S.campaign) drawBoard();
    });
  }

  function dayStrip(week) {
    return el("div", { class: "day-strip", role: "group", "aria-label": t("board_pick_day") }, week.map(function (d) {
      var b = el("button", {
        type: "button",
        class: "small",
        "aria-pressed": d === S.focusDay ? "true" : "false",
        "data-day": d,
        text: O.dayLabel(d),
        onclick: function () {
          S.focusDay = d;
          drawBoard();
          var again = board.querySelector('.day-strip [data-day="' + d + '"]');
          if (again) again.focus();
        },
      });
      b.disabled = !inCampaign(d);
      return b;
    }));
  }

  function drawBoard() {
    var week = [];
    for (var i = 0; i < 7; i++) week.push(O.addDays(S.weekStart, i));
    weekLabel.textContent = t("week_of", { start: O.dayLabel(week[0]), end: O.dayLabel(week[6]) });
    document.getElementById("week-prev").disabled = week[0] <= S.campaign.starts_on;
    document.getElementById("week-next").disabled = week[6] >= S.campaign.ends_on;
    if (!S.focusDay || week.indexOf(S.focusDay) < 0) {
      var today = O.zonedDay(new Date().toISOString(), S.tz);
      S.focusDay = week.indexOf(today) >= 0 && inCampaign(today) ? today : (week.filter(inCampaign)[0] || week[0]);
    }
    var days = narrow.matches ? [S.focusDay] : week;

    var rows = [{ user_id: null, display_name: t("unassigned"), role: "" }].concat(S.members);
    var byCell = {};
    items().forEach(function (it) {
      var day = O.zonedDay(it.obj.starts_at, S.tz);
      var people = it.obj.assignee_ids && it.obj.assignee_ids.length ? it.obj.assignee_ids : [null];
      people.forEach(function (u) {
        var key = day + "|" + u;
        (byCell[key] = byCell[key] || []).push(it);
      });
    });
    var head = el("tr", {}, [el("th", { scope: "col", class: "who", text: t("board_people") })].concat(days.map(function (d) {
      return el("th", { scope: "col", class: inCampaign(d) ? "" : "outside", text: O.dayLabel(d) });
    })));
    var body = rows.map(function (m) {
      return el("tr", { "data-user": String(m.user_id) }, [
        el("th", { scope: "row", class: "who" }, [
          m.display_name,
          m.role ? el("span", { class: "hint block", text: t("role_" + m.role) }) : null,
        ]),
      ].concat(days.map(function (d) {
        var cellItems = (byCell[d + "|" + m.user_id] || []).sort(function (a, b) {
          return a.obj.starts_at < b.obj.starts_at ? -1 : 1;
        });
        var cell = el("td", { class: "slot" + (inCampaign(d) ? "" : " outside"), "data-day": d, "data-user": String(m.user_id) },
          cellItems.map(function (it) {
            return chip(it, m.user_id);
          }));
        if (S.clash && S.clash.day === d && String(S.clash.user) === String(m.user_id)) {
          cell.classList.add("has-clash");
          cell.appendChild(el("div", { class: "clash", role: "alert" }, [
            el("strong", { class: "block", text: S.clash.words }),
            el("span", { class: "clash-detail", text: S.clash.message }),
          ]));
        }
        if (inCampaign(d)) {
          cell.appendChild(el("button", {
            type: "button",
            class: "add-slot",
            "aria-label": t("add_on", { day: O.dayLabel(d), name: m.display_name }),
            text: "+",
            onclick: function () {
              openEditor({ kind: "round", obj: null, day: d, user: m.user_id });
            },
          }));
        }
        return cell;
      })));
    });
    DS.clear(board);
    if (narrow.matches) board.appendChild(dayStrip(week));
    board.appendChild(el("table", { class: "board-table" + (narrow.matches ? " one-day" : "") }, [
      el("caption", { class: "sr-only", text: weekLabel.textContent }),
      el("thead", {}, [head]),
      el("tbody", {}, body),
    ]));
  }

  function showWeekOf(day) {
    S.weekStart = mondayOf(day);
    S.focusDay = day;
    drawBoard();
  }

  document.getElementById("week-prev").addEventListener("click", function () {
    S.weekStart = O.addDays(S.weekStart, -7);
    S.focusDay = S.focusDay ? O.addDays(S.focusDay, -7) : null;
    drawBoard();
  });
  document.getElementById("week-next").addEventListener("click", function () {
    S.weekStart = O.addDays(S.weekStart, 7);
    S.focusDay = S.focusDay ? O.addDays(S.focusDay, 7) : null;
    drawBoard();
  });

  /* ---------- the slot editor ---------- */

  var ed = {};

  function openEditor(target) {
    var o = target.obj;
    var isNew = !o;
    var kind = target.kind;
    ed = { target: target };
    var f = document.getElementById("slot-form");
    DS.clear(f);
    var title = document.getElementById("slot-title");
    title.textContent = isNew ? t("slot_new") : (kind === "event" ? t("slot_edit_event") : t("slot_edit_round"));

    var kindSelect = el("select", { id: "slot-kind" }, ["round", "event"].map(function (k) {
      var opt = el("option", { value: k, text: t(k + "_kind") });
      if (k === kind) opt.selected = true;
      return opt;
    }));
    var campaignDays = O.daysBetween(S.campaign.starts_on, S.campaign.ends_on);
    var day = o ? O.zonedDay(o.starts_at, S.tz) : target.day;
    var daySelect = el("select", { id: "slot-day" }, campaignDays.map(function (d) {
      var opt = el("option", { value: d, text: O.dayLabel(d) });
      if (d === day) opt.selected = true;
      return opt;
    }));
    var starts = el("input", { type: "time", id: "slot-starts", required: true, value: o ? O.zonedTime(o.starts_at, S.tz) : "09:00" });
    var ends = el("input", { type: "time", id: "slot-ends", required: true, value: o ? O.zonedTime(o.ends_at, S.tz) : "11:00" });
    ed.buildings = O.checkboxes("slot-building", t("slot_buildings"), S.buildings.map(function (b) {
      return { value: b.id, label: t("building_x", { code: b.code }) };
    }), o ? o.building_ids : []);
    ed.people = O.checkboxes("slot-person", t("slot_people"), S.members.map(function (m) {
      return { value: m.user_id, label: m.display_name };
    }), o ? o.assignee_ids : (target.user ? [target.user] : []));
    var eventFields = el("div", { id: "event-fields" }, [
      O.field("slot-event-title", t("slot_event_title"), el("input", { type: "text", id: "slot-event-title", maxlength: "200", value: o && o.title ? o.title : "" })),
      O.field("slot-location", t("event_location"), el("input", { type: "text", id: "slot-location", maxlength: "200", value: o && o.location ? o.location : "" })),
      O.field("slot-services", t("event_services"), el("input", { type: "text", id: "slot-services", maxlength: "600", value: o && o.services ? o.services.join("、") : "" }), t("event_services_hint")),
    ]);
    function syncKind() {
      eventFields.hidden = kindSelect.value !== "event";
    }
    kindSelect.addEventListener("change", syncKind);
    ed.error = el("p", { class: "form-error", role: "alert", id: "slot-error", hidden: true });
    var save = el("button", { type: "submit", class: "primary", text: t("slot_save") });
    var actions = [save];
    if (!isNew && o.status !== "cancelled" && o.status !== "done") {
      var cancel = el("button", { type: "button", class: "danger", id: "slot-cancel", text: kind === "event" ? t("slot_cancel_event") : t("slot_cancel_round") });
      cancel.addEventListener("click", function () {
        if (cancel.getAttribute("data-armed") !== "1") {
          cancel.setAttribute("data-armed", "1");
          cancel.textContent = t("slot_cancel_confirm");
          return;
        }
        sendPatch({ status: "cancelled" }, day);
      });
      actions.push(cancel);
    }
    actions.push(el("button", { type: "button", text: t("close"), onclick: closeEditor }));
    [
      isNew ? O.field("slot-kind", t("slot_kind"), kindSelect) : null,
      el("div", { class: "row-fields" }, [
        O.field("slot-day", t("slot_day"), daySelect),
        O.field("slot-starts", t("slot_starts"), starts),
        O.field("slot-ends", t("slot_ends"), ends),
      ]),
      eventFields,
      ed.buildings.node,
      ed.people.node,
      ed.error,
      el("div", { class: "actions" }, actions),
    ].forEach(function (n) {
      if (n) f.appendChild(n);
    });
    syncKind();
    f.onsubmit = function (ev) {
      ev.preventDefault();
      var k = isNew ? kindSelect.value : kind;
      var d = daySelect.value;
      if (!starts.value || !ends.value || ends.value <= starts.value) {
        O.showError(ed.error, t("slot_bad_times"));
        return;
      }
      var body = {
        starts_at: O.zonedIso(d, starts.value, S.tz),
        ends_at: O.zonedIso(d, ends.value, S.tz),
        building_ids: ed.buildings.values().map(Number),
        assignee_ids: ed.people.values().map(Number),
      };
      if (k === "round" && !body.building_ids.length) {
        O.showError(ed.error, t("slot_need_building"));
        return;
      }
      if (k === "event") {
        body.title = document.getElementById("slot-event-title").value.trim();
        body.location = document.getElementById("slot-location").value.trim() || null;
        body.services = document.getElementById("slot-services").value.split(/[、,，;；]/).map(function (s) {
          return s.trim();
        }).filter(Boolean);
        if (!body.title) {
          O.showError(ed.error, t("slot_need_title"));
          return;
        }
      }
      ed.kind = k;
      if (isNew) sendCreate(k, body, d);
      else sendPatch(body, d);
    };
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    (isNew ? kindSelect : daySelect).focus();
  }

  function closeEditor() {
    if (dialog.open) dialog.close();
  }

  /* The 409's message, led by a sentence in the page's language built from its clash list. */
  function clashAt(err, day, body) {
    var people = body.assignee_ids && body.assignee_ids.length ? body.assignee_ids : [null];
    if (err.status !== 409) {
      O.showError(ed.error, err);
      return;
    }
    var first = err.body && err.body.errors && err.body.errors.filter(function (e) {
      return e.user_id;
    })[0];
    var words = first
      ? t("clash_with", {
        name: memberName(first.user_id),
        kind: t((first.kind === "event" ? "event" : "round") + "_kind"),
        day: O.dayLabel(O.zonedDay(first.starts_at, S.tz)),
        start: O.zonedTime(first.starts_at, S.tz),
        end: O.zonedTime(first.ends_at, S.tz),
      })
      : t("clash_generic");
    S.clash = { day: day, user: first ? first.user_id : people[0], words: words, message: err.detail };
    // The board shows the refusal where the round was aimed; the dialog closes onto it.
    closeEditor();
    showWeekOf(day);
    var spot = board.querySelector("td.has-clash");
    if (spot) spot.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function sendCreate(kind, body, day) {
    var path = "/campaigns/" + campaignId + (kind === "event" ? "/events" : "/rounds");
    DS.api(path, { json: body }).then(function () {
      S.clash = null;
      closeEditor();
      DS.toast(t(kind === "event" ? "event_created" : "round_created"));
      refresh(day);
    }).catch(function (err) {
      clashAt(err, day, body);
    });
  }

  function sendPatch(body, day) {
    var target = ed.target;
    var path = (target.kind === "event" ? "/events/" : "/rounds/") + target.obj.id;
    var ids = body.assignee_ids || target.obj.assignee_ids;
    DS.api(path, { method: "PATCH", json: body }).then(function () {
      S.clash = null;
      closeEditor();
      DS.toast(body.status === "cancelled" ? t("slot_cancelled") : t("slot_saved"));
      refresh(day);
    }).catch(function (err) {
      clashAt(err, day, { assignee_ids: ids });
    });
  }

  function refresh(day) {
    return load().then(function () {
      if (day) {
        S.weekStart = mondayOf(day);
        S.focusDay = day;
      }
      drawBoard();
      drawAvailability();
    });
  }

  /* ---------- availability as weekly patterns ---------- */

  var avail = document.getElementById("availability");
  var patternRows = [];

  function patternRow(p) {
    var idx = patternRows.length;
    var name = "pat-" + idx;
    var row = { user_id: p.user_id };
    var days = O.WEEKDAYS.map(function (n) {
      var id = name + "-d" + n;
      var box = el("input", { type: "checkbox", id: id, value: String(n) });
      box.checked = p.weekdays.indexOf(n) >= 0;
      return { box: box, label: el("label", { class: "day-check", for: id }, [box, el("span", { text: O.weekdayName(n) })]) };
    });
    row.days = days;
    row.starts = el("input", { type: "time", id: name + "-s", value: p.starts, "aria-label": t("pattern_starts_for", { name: memberName(p.user_id) }) });
    row.ends = el("input", { type: "time", id: name + "-e", value: p.ends, "aria-label": t("pattern_ends_for", { name: memberName(p.user_id) }) });
    row.node = el("div", { class: "pattern", "data-user": String(p.user_id) }, [
      el("fieldset", { class: "days" }, [el("legend", { class: "sr-only", text: t("pattern_days_for", { name: memberName(p.user_id) }) })].concat(days.map(function (d) {
        return d.label;
      }))),
      el("span", { class: "times" }, [row.starts, el("span", { "aria-hidden": "true", text: "–" }), row.ends]),
      el("button", {
        type: "button",
        class: "small",
        "aria-label": t("pattern_remove_for", { name: memberName(p.user_id) }),
        text: t("remove"),
        onclick: function () {
          row.removed = true;
          row.node.remove();
        },
      }),
    ]);
    patternRows.push(row);
    return row.node;
  }

  function drawAvailability() {
    var a = S.availability;
    patternRows = [];
    var list = el("div", { class: "people-patterns" }, S.members.map(function (m) {
      var mine = (a.patterns || []).filter(function (p) {
        return p.user_id === m.user_id;
      });
      var box = el("div", { class: "patterns-of" }, mine.map(patternRow));
      return el("section", { class: "person", "aria-label": m.display_name }, [
        el("h3", { text: m.display_name }),
        box,
        el("button", {
          type: "button",
          class: "small",
          "data-add-pattern": String(m.user_id),
          text: t("pattern_add_for", { name: m.display_name }),
          onclick: function () {
            var node = patternRow({ user_id: m.user_id, weekdays: [1, 2, 3, 4, 5], starts: "09:00", ends: "12:00" });
            box.appendChild(node);
            node.querySelector("input").focus();
          },
        }),
      ]);
    }));
    var error = el("p", { class: "form-error", role: "alert", id: "availability-error", hidden: true });
    var status = el("p", { class: "muted", id: "availability-status", role: "status" }, [
      a.configured ? t("availability_saved_at", { time: a.updated_at ? DS.fmtDateTime(a.updated_at) : "" }) : t("availability_none"),
    ]);
    var save = el("button", { type: "button", class: "primary", id: "availability-save", text: t("availability_save") });
    save.addEventListener("click", function () {
      var patterns = [];
      var bad = false;
      patternRows.forEach(function (r) {
        if (r.removed) return;
        var wd = r.days.filter(function (d) {
          return d.box.checked;
        }).map(function (d) {
          return Number(d.box.value);
        });
        if (!wd.length || !r.starts.value || !r.ends.value || r.ends.value <= r.starts.value) bad = true;
        patterns.push({ user_id: r.user_id, weekdays: wd, starts: r.starts.value, ends: r.ends.value });
      });
      if (bad) {
        O.showError(error, t("pattern_incomplete"));
        return;
      }
      error.hidden = true;
      save.disabled = true;
      DS.api("/campaigns/" + campaignId + "/availability", {
        method: "PUT",
        json: {
          windows: a.windows.map(function (w) {
            return { user_id: w.user_id, starts_at: w.starts_at, ends_at: w.ends_at };
          }),
          patterns: patterns,
          minutes_per_door: a.minutes_per_door,
          minutes_per_floor: a.minutes_per_floor,
          visiting_hours: a.visiting_hours,
        },
      }).then(function (saved) {
        save.disabled = false;
        S.availability = saved;
        drawAvailability();
        DS.toast(t("availability_saved"));
      }).catch(function (err) {
        save.disabled = false;
        O.showError(error, err);
      });
    });
    DS.clear(avail).appendChild(el("div", {}, [
      el("p", { class: "hint", text: t("availability_hint", { tz: S.tz }) }),
      list,
      error,
      el("div", { class: "actions" }, [save, status]),
    ]));
  }

  /* ---------- the planner ---------- */

  var planBox = document.getElementById("proposal");
  var planButton = document.getElementById("plan-run");

  function drawProposal() {
    var p = S.proposal;
    DS.clear(planBox);
    if (!p) return;
    var target = p.target_coverage;
    var rows = p.expected_by_day.map(function (d) {
      var met = d.expected_coverage !== null && d.expected_coverage >= target;
      return el("tr", { class: met ? "is-met" : "" }, [
        el("th", { scope: "row", text: O.dayLabel(d.date) }),
        el("td", { class: "num", text: DS.fmtPercent(d.expected_coverage) }),
        el("td", { class: "num", text: DS.fmtPercent(target) }),
        el("td", { text: met ? t("plan_met") : t("plan_below") }),
      ]);
    });
    var short = p.shortfall_staff_hours;
    var words = short && short > 0
      ? t("plan_shortfall", { hours: (Math.round(short * 10) / 10).toString() })
      : t("plan_enough");
    var newRounds = p.rounds.filter(function (r) {
      return p.committed ? r.round_id : !r.round_id;
    }).length;
    planBox.appendChild(el("div", { class: "card", id: "proposal-card" }, [
      el("h3", { text: p.committed ? t("plan_committed_title") : t("plan_proposal_title") }),
      el("p", { class: "progress-line", id: "plan-expected" }, [
        t(p.committed ? "plan_expected_committed" : "plan_expected", {
          coverage: DS.fmtPercent(p.expected_coverage),
          target: DS.fmtPercent(target),
          rounds: newRounds,
        }),
      ]),
      el("p", { id: "plan-shortfall", class: short && short > 0 ? "form-error" : "note", text: words }),
      el("p", { class: "muted", text: DS.boot.lang === "zh" ? p.explanation.zh : p.explanation.en }),
      el("details", { class: "legend" }, [
        el("summary", { text: t("plan_by_day") }),
        el("div", { class: "table-scroll" }, [el("table", { id: "plan-days" }, [
          el("thead", {}, [el("tr", {}, [
            el("th", { scope: "col", text: t("col_date") }),
            el("th", { scope: "col", class: "num", text: t("plan_expected_col") }),
            el("th", { scope: "col", class: "num", text: t("chart_target") }),
            el("th", { scope: "col", text: "" }),
          ])]),
          el("tbody", {}, rows),
        ])]),
      ]),
      !p.committed && newRounds
        ? el("button", { type: "button", class: "primary", id: "plan-commit", text: t("plan_commit", { n: newRounds }), onclick: commitPlan })
        : null,
    ]));
  }

  function runPlan() {
    planButton.disabled = true;
    planButton.setAttribute("aria-busy", "true");
    DS.clear(planBox).appendChild(el("p", { class: "muted", role: "status", text: t("plan_running") }));
    DS.api("/campaigns/" + campaignId + "/plan", { json: { commit: false } }).then(function (p) {
      S.proposal = p;
      var first = p.rounds.filter(function (r) {
        return !r.round_id;
      })[0];
      if (first) {
        S.focusDay = O.zonedDay(first.starts_at, S.tz);
        S.weekStart = mondayOf(S.focusDay);
      }
      drawBoard();
      drawProposal();
    }).catch(function (err) {
      O.showError(planBox, err);
    }).then(function () {
      planButton.disabled = false;
      planButton.removeAttribute("aria-busy");
    });
  }

  function commitPlan() {
    var btn = document.getElementById("plan-commit");
    btn.disabled = true;
    // The rounds the officer is looking at are the ones created, not a plan made anew.
    var shown = (S.proposal ? S.proposal.rounds : []).filter(function (r) {
      return !r.round_id;
    }).map(function (r) {
      return { starts_at: r.starts_at, ends_at: r.ends_at, assignee_ids: r.assignee_ids, household_ids: r.household_ids };
    });
    DS.api("/campaigns/" + campaignId + "/plan", { json: { commit: true, rounds: shown } }).then(function (p) {
      var made = p.rounds.filter(function (r) {
        return r.round_id;
      }).length;
      S.proposal = null;
      DS.toast(t("plan_committed", { n: made }));
      return refresh().then(function () {
        S.proposal = p;
        drawProposal();
        S.proposal = null;
      });
    }).catch(function (err) {
      btn.disabled = false;
      O.showError(planBox, err);
    });
  }

  planButton.addEventListener("click", runPlan);

  /* ---------- the campaign itself ---------- */

  function drawHead() {
    var c = S.campaign;
    document.getElementById("plan-title").textContent = c.name;
    document.getElementById("plan-dates").textContent =
      t("date_range", { start: DS.fmtDate(c.starts_on), end: DS.fmtDate(c.ends_on) }) + " · " +
      t("target_x", { target: DS.fmtPercent(c.target_coverage) }) + " · " + t("campaign_status_" + c.status);
    document.getElementById("progress-link").href = "/campaigns/" + c.id;
    var holder = document.getElementById("campaign-edit");
    O.campaignForm(holder, {
      campaign: c,
      onSaved: function () {
        DS.toast(t("cf_saved"));
        refresh().then(drawHead);
      },
    });
  }

  ready.then(load).then(function () {
    root.removeAttribute("aria-busy");
    document.getElementById("plan-loading").hidden = true;
    document.getElementById("plan-body").hidden = false;
    drawHead();
    drawBoard();
    drawAvailability();
  }).catch(function (err) {
    if (err.status !== 403) O.fatal(document.getElementById("plan-loading"), err);
  });
})();
