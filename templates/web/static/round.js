/* A round: households laid out like the building (per unit, floors top-down, rooms across).
 *
 * One tap on a household opens its outcomes; one tap on an outcome records it. The checklist is
 * cached in localStorage so that a reload without a connection still shows the round; taps made
 * on this phone and not yet acknowledged by the server are drawn as pending on top of it.
 */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  if (!DS.requireLogin()) return;

  var roundId = DS.pathId(DS.boot.data.round_id);
  var CACHE = "doorstep.round." + roundId;
  var OUTCOMES = ["reached", "not_home", "refused", "materials_left", "vacant"];
  var STATUSES = ["unvisited", "reached", "refused", "materials_left", "not_home", "vacant"];
  var RANK = { reached: 4, refused: 3, materials_left: 2, not_home: 1 };
  var ICONS = {
    reached: ["path", { d: "M4 10.5l4 4 8-9", fill: "none", "stroke-width": "2.6" }],
    refused: ["path", { d: "M5 5l10 10M15 5L5 15", fill: "none", "stroke-width": "2.6" }],
    materials_left: ["path", { d: "M5 2.5h7l3 3v12H5zM7.5 9h5M7.5 12h5M7.5 15h3", fill: "none", "stroke-width": "1.8" }],
    not_home: ["path", { d: "M3 10L10 3.5 17 10M5 8.5V17h10V8.5M8.5 17v-4.5h3V17", fill: "none", "stroke-width": "1.8" }],
    vacant: ["path", { d: "M10 3.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13zM4.5 15.5l11-11", fill: "none", "stroke-width": "2" }],
    unvisited: ["path", { d: "M10 7a3 3 0 1 0 0 6a3 3 0 1 0 0-6z", fill: "none", "stroke-width": "1.8" }],
    pending: ["path", { d: "M5 3h10M5 17h10M6.5 3c0 5 7 5 7 7s-7 2-7 7M13.5 3c0 5-7 5-7 7s7 2 7 7", fill: "none", "stroke-width": "1.6" }],
  };

  var state = { round: null, households: [], buildings: {}, fetchedAt: 0, cachedAt: null };
  var current = null; // the household whose sheet is open

  function icon(name) {
    var spec = ICONS[name];
    return DS.svg("svg", { viewBox: "0 0 20 20", class: "icon", "aria-hidden": "true", focusable: "false" }, [
      DS.svg(spec[0], Object.assign({ stroke: "currentColor", "stroke-linecap": "round", "stroke-linejoin": "round" }, spec[1])),
    ]);
  }

  /* ---------- data ---------- */

  function normaliseHousehold(item) {
    var h = item.household || item;
    var st = item.state || {};
    return {
      id: h.id || item.household_id,
      code: h.code,
      building_id: h.building_id,
      building_code: h.building_code || item.building_code || null,
      unit: String(h.unit),
      floor: Number(h.floor),
      room: String(h.room),
      occupancy: h.occupancy,
      flags: h.flags || [],
      status: item.status || st.status || "unvisited",
      excluded: !!item.excluded,
    };
  }

  function fetchRound() {
    var started = Date.now();
    return Promise.all([
      DS.api("/rounds/" + roundId),
      DS.api("/rounds/" + roundId + "/households?limit=500").then(function (res) {
        if (Array.isArray(res)) return res;
        var items = res.items || res.households || [];
        if (res.total !== undefined && items.length < res.total) {
          return DS.apiAll("/rounds/" + roundId + "/households");
        }
        return items;
      }),
    ]).then(function (parts) {
      var round = parts[0];
      var households = parts[1].map(normaliseHousehold);
      return fetchBuildings(round, households).then(function (buildings) {
        state = { round: round, households: households, buildings: buildings, fetchedAt: started, cachedAt: null };
        try {
          DS.save(CACHE, { round: round, households: households, buildings: buildings, fetchedAt: started, at: new Date().toISOString() });
        } catch (e) {
          /* storage full: the page still works while it stays open */
        }
      });
    });
  }

  /* Building codes for the headings: from the round if it names them, else one GET each. */
  function fetchBuildings(round, households) {
    var map = {};
    (round.buildings || []).forEach(function (b) {
      map[b.id] = b;
    });
    households.forEach(function (h) {
      if (h.building_code && !map[h.building_id]) map[h.building_id] = { id: h.building_id, code: h.building_code };
    });
    var missing = {};
    households.forEach(function (h) {
      if (!map[h.building_id]) missing[h.building_id] = true;
    });
    (round.building_ids || []).forEach(function (id) {
      if (!map[id]) missing[id] = true;
    });
    return Promise.all(Object.keys(missing).map(function (id) {
      return DS.api("/buildings/" + id).then(function (b) {
        map[b.id] = b;
      }, function () {
        map[id] = { id: Number(id), code: String(id) };
      });
    })).then(function () {
      return map;
    });
  }

  function loadCache() {
    var cached = DS.load(CACHE, null);
    if (!cached) return false;
    state = {
      round: cached.round,
      households: cached.households,
      buildings: cached.buildings || {},
      fetchedAt: cached.fetchedAt || 0,
      cachedAt: cached.at,
    };
    return true;
  }

  /* ---------- status: the server's, plus this phone's taps it has not counted yet ---------- */

  function localTaps() {
    var byHousehold = {};
    DS.logAll().forEach(function (e) {
      if (e.voided || e.state === "refused" || !e.household_id) return;
      if (e.state === "sent" && e.acked_at && e.acked_at < state.fetchedAt) return;
      (byHousehold[e.household_id] = byHousehold[e.household_id] || []).push(e);
    });
    return byHousehold;
  }

  function pendingHouseholds() {
    var logById = {};
    DS.logAll().forEach(function (e) {
      logById[e.id] = e;
    });
    var set = {};
    DS.outbox().forEach(function (it) {
      var hid = it.kind === "contact" ? it.body.household_id : logById[it.id] && logById[it.id].household_id;
      if (hid) set[hid] = true;
    });
    return set;
  }

  function combine(server, taps) {
    if (!taps || !taps.length) return server;
    if (server === "reached") return "reached";
    var best = RANK[server] ? server : null;
    var anyReached = false;
    taps.forEach(function (e) {
      if (e.outcome === "reached") anyReached = true;
      if (RANK[e.outcome] && (!best || RANK[e.outcome] > RANK[best])) best = e.outcome;
    });
    if (anyReached) return "reached";
    if (taps[taps.length - 1].outcome === "vacant") return "vacant";
    return best || server;
  }

  function displayed() {
    var taps = localTaps();
    var pending = pendingHouseholds();
    return state.households.map(function (h) {
      var status = combine(h.status, taps[h.id]);
      // As the coverage rules count: vacant in the registry, or found vacant and never reached.
      var excluded = status !== "reached" && (h.occupancy === "vacant" || status === "vacant");
      return { h: h, status: status, pending: !!pending[h.id], excluded: excluded };
    });
  }

  /* ---------- layout ---------- */

  function natural(a, b) {
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  /* The room's position on its floor: "502" on floor 5 is column "02". */
  function column(h) {
    var f = String(h.floor);
    if (h.room.length > f.length && h.room.indexOf(f) === 0) return h.room.slice(f.length);
    return h.room;
  }

  function groupBy(list, key) {
    var out = {};
    list.forEach(function (x) {
      var k = key(x);
      (out[k] = out[k] || []).push(x);
    });
    return out;
  }

  function statusLabel(d) {
    return t("status_" + d.status) + (d.pending ? t("pending_suffix") : "");
  }

  function cell(d) {
    var h = d.h;
    var cls = "hh st-" + d.status + (d.pending ? " is-pending" : "") + (h.flags.length ? " is-flagged" : "");
    var btn = el("button", {
      type: "button",
      class: cls,
      "data-household": h.id,
      "data-code": h.code,
      "data-status": d.status,
      "data-pending": d.pending ? "true" : "false",
      "aria-label": t("household_label", { code: h.code, status: statusLabel(d) }) +
        (h.flags.length ? t("comma") + h.flags.map(function (f) { return t("flag_" + f); }).join(t("list_sep")) : ""),
      onclick: function () {
        openSheet(h.id);
      },
    }, [
      el("span", { class: "hh-room", text: h.room }),
      el("span", { class: "hh-status" }, [icon(d.status), el("span", { text: t("status_" + d.status) })]),
      d.pending ? el("span", { class: "hh-pending" }, [icon("pending"), el("span", { text: t("status_pending") })]) : null,
      h.flags.length ? el("span", { class: "hh-flag", "aria-hidden": "true", text: "★" }) : null,
    ]);
    return btn;
  }

  /* Redrawing replaces the buttons: put keyboard focus back where it was. */
  function focusKey() {
    var a = document.activeElement;
    if (!a || !document.getElementById("grid").contains(a)) return null;
    if (a.hasAttribute("data-household")) return '[data-household="' + a.getAttribute("data-household") + '"]';
    if (a.getAttribute("aria-label")) return '[aria-label="' + a.getAttribute("aria-label").replace(/"/g, '\\"') + '"]';
    return null;
  }

  function render() {
    var refocus = focusKey();
    renderGrid();
    if (refocus) {
      var again = document.getElementById("grid").querySelector(refocus);
      if (again) again.focus();
    }
  }

  function renderGrid() {
    var grid = DS.clear(document.getElementById("grid"));
    grid.removeAttribute("aria-busy");
    var rows = displayed();
    var counted = rows.filter(function (d) {
      return !d.excluded;
    });
    var reached = counted.filter(function (d) {
      return d.status === "reached";
    }).length;
    var vacant = rows.length - counted.length;
    document.getElementById("round-progress").textContent = t("round_progress", { reached: reached, total: counted.length }) +
      (vacant ? t("round_vacant_note", { n: vacant }) : "");
    if (!rows.length) {
      grid.appendChild(el("p", { class: "muted", text: t("round_empty") }));
      return;
    }
    var byBuilding = groupBy(rows, function (d) {
      return d.h.building_id;
    });
    Object.keys(byBuilding).sort(function (a, b) {
      return natural(buildingCode(a), buildingCode(b));
    }).forEach(function (bid) {
      var section = el("section", { class: "building", "aria-label": t("building_n", { code: buildingCode(bid) }) }, [
        el("h2", { text: t("building_n", { code: buildingCode(bid) }) }),
      ]);
      var byUnit = groupBy(byBuilding[bid], function (d) {
        return d.h.unit;
      });
      var unitsEl = el("div", { class: "units" });
      Object.keys(byUnit).sort(natural).forEach(function (unit) {
        unitsEl.appendChild(renderUnit(bid, unit, byUnit[unit]));
      });
      section.appendChild(unitsEl);
      grid.appendChild(section);
    });
    if (current !== null) refreshSheet();
  }

  function renderUnit(bid, unit, rows) {
    var cols = Object.keys(groupBy(rows, function (d) {
      return column(d.h);
    })).sort(natural);
    var byFloor = groupBy(rows, function (d) {
      return d.h.floor;
    });
    var floors = Object.keys(byFloor).map(Number).sort(function (a, b) {
      return b - a;
    });
    var unitLabel = t("unit_n", { unit: unit });
    var table = el("div", {
      class: "floors",
      role: "group",
      "aria-label": buildingLabel(bid) + " " + unitLabel,
      style: "grid-template-columns: minmax(4.5rem, auto) repeat(" + cols.length + ", minmax(4.25rem, 1fr));",
    });
    floors.forEach(function (floor) {
      var floorRows = byFloor[floor];
      table.appendChild(el("div", { class: "floor-head" }, [
        el("span", { class: "floor-label", text: t("floor_n", { floor: floor }) }),
        el("button", {
          type: "button",
          class: "floor-nothome",
          "data-floor": floor,
          "aria-label": unitLabel + " " + t("floor_not_home_label", { floor: floor }),
          onclick: function () {
            markNotHome(floorRows);
          },
        }, [icon("not_home"), el("span", { text: t("status_not_home") })]),
      ]));
      var byCol = {};
      floorRows.forEach(function (d) {
        byCol[column(d.h)] = d;
      });
      cols.forEach(function (c) {
        table.appendChild(byCol[c] ? cell(byCol[c]) : el("span", { class: "hh-none", "aria-hidden": "true" }));
      });
    });
    return el("section", { class: "unit", "data-unit": unit }, [
      el("div", { class: "unit-head" }, [
        el("h3", { text: unitLabel }),
        el("button", {
          type: "button",
          class: "unit-nothome",
          "aria-label": t("unit_not_home_label", { unit: unit }),
          onclick: function () {
            markNotHome(rows);
          },
        }, [icon("not_home"), el("span", { text: t("unit_not_home") })]),
      ]),
      el("div", { class: "floors-scroll" }, [table]),
    ]);
  }

  function buildingCode(bid) {
    var b = state.buildings[bid];
    return b ? b.code : String(bid);
  }

  function buildingLabel(bid) {
    return t("building_n", { code: buildingCode(bid) });
  }

  function renderHeader() {
    var r = state.round;
    DS.useZone(DS.zoneFor(r.community_id));
    var codes = Object.keys(state.buildings).map(buildingCode).sort(natural);
    document.getElementById("round-title").textContent =
      t("round_title") + (codes.length ? " · " + codes.map(function (c) { return t("building_n", { code: c }); }).join(t("list_sep")) : "");
    document.getElementById("round-when").textContent =
      DS.fmtDateTime(r.starts_at) + " – " + DS.fmtTime(r.ends_at) + (r.status ? " · " + t("round_status_" + r.status) : "");
    var note = document.getElementById("cached-note");
    note.hidden = !state.cachedAt;
    if (state.cachedAt) note.textContent = t("cached_copy", { time: DS.fmtDateTime(state.cachedAt) });
    var sheetBtn = document.getElementById("walk-sheet");
    sheetBtn.hidden = false;
    document.getElementById("round-done").hidden = r.status === "done" || r.status === "cancelled";
  }

  /* Staff say the round is done (doors left unanswered stay as they are). */
  function markDone(e) {
    var button = e.currentTarget;
    if (!window.confirm(t("round_done_confirm"))) return;
    button.disabled = true;
    DS.api("/rounds/" + roundId, { method: "PATCH", json: { status: "done" } })
      .then(function (round) {
        state.round = round;
        try {
          var cached = DS.load(CACHE, null);
          if (cached) {
            cached.round = round;
            DS.save(CACHE, cached);
          }
        } catch (err) {
          /* the page still shows it */
        }
        renderHeader();
        DS.toast(t("round_marked_done"));
      }, function (err) {
        DS.toast(err.status === 0 ? t("round_done_offline") : t("error_generic", { detail: err.detail }));
      })
      .then(function () {
        button.disabled = false;
      });
  }

  /* A tap long before or after the round's slot may be a tap on the wrong round: ask once. */
  var SLOT_SLACK_MS = 60 * 60 * 1000;
  var SLOT_OK = "doorstep.round-outside-ok." + roundId;

  function slotConfirmed() {
    var r = state.round;
    if (!r || !r.starts_at || !r.ends_at) return true;
    var now = Date.now();
    var inside = now >= new Date(r.starts_at).getTime() - SLOT_SLACK_MS && now <= new Date(r.ends_at).getTime() + SLOT_SLACK_MS;
    var signature = r.starts_at + "/" + r.ends_at;
    if (inside || DS.load(SLOT_OK, null) === signature) return true;
    var ok = window.confirm(t("outside_slot_confirm", { when: DS.fmtDateTime(r.starts_at) + " – " + DS.fmtTime(r.ends_at) }));
    if (ok) DS.save(SLOT_OK, signature);
    return ok;
  }

  function renderLegend() {
    var ul = DS.clear(document.getElementById("legend"));
    STATUSES.concat(["pending"]).forEach(function (s) {
      ul.appendChild(el("li", {}, [
        el("span", { class: "swatch st-" + (s === "pending" ? "unvisited is-pending" : s), "aria-hidden": "true" }, [icon(s)]),
        el("span", { text: t("status_" + s) }),
      ]));
    });
  }

  /* ---------- recording ---------- */

  function body(h, outcome, extras) {
    return {
      campaign_id: state.round.campaign_id,
      household_id: h.id,
      channel: "door",
      outcome: outcome,
      occurred_at: DS.nowIso(),
      round_id: state.round.id,
      flyer_given: extras.flyer_given,
      app_installed: extras.app_installed,
      pledge_signed: extras.pledge_signed,
      residents_reached: outcome === "reached" || outcome === "refused" ? extras.residents_reached : 0,
      notes: extras.notes || null,
    };
  }

  var NO_EXTRAS = { flyer_given: false, app_installed: false, pledge_signed: false, residents_reached: 0, notes: null };

  function markNotHome(rows) {
    var recentTap = {};
    var today = DS.localDay(new Date());
    DS.logAll().forEach(function (e) {
      if (!e.voided && e.state !== "refused" && DS.localDay(new Date(e.at)) === today) recentTap[e.household_id] = true;
    });
    // Only doors nobody has answered yet: a reached or refused household keeps its outcome.
    var targets = rows.filter(function (d) {
      return (d.status === "unvisited" || d.status === "not_home") && !d.pending && !recentTap[d.h.id];
    });
    if (!targets.length) {
      DS.toast(t("none_to_mark"));
      return;
    }
    if (!slotConfirmed()) return;
    var ids = DS.record(targets.map(function (d) {
      return { body: body(d.h, "not_home", NO_EXTRAS), code: d.h.code, label: d.h.code + " " + t("outcome_not_home") };
    }));
    DS.toast(t("marked_n_not_home", { n: ids.length }), t("undo"), function () {
      DS.voidContacts(ids);
      DS.toast(t("undone"));
    });
  }

  function readExtras() {
    var n = parseInt(document.getElementById("x-residents").value, 10);
    return {
      flyer_given: document.getElementById("x-flyer").checked,
      app_installed: document.getElementById("x-app").checked,
      pledge_signed: document.getElementById("x-pledge").checked,
      residents_reached: isNaN(n) || n < 0 ? 0 : Math.min(n, 50),
      notes: document.getElementById("x-notes").value.trim(),
    };
  }

  function resetExtras() {
    document.getElementById("x-flyer").checked = false;
    document.getElementById("x-app").checked = false;
    document.getElementById("x-pledge").checked = false;
    document.getElementById("x-residents").value = "1";
    document.getElementById("x-notes").value = "";
    document.getElementById("extras").open = false;
  }

  function recordOutcome(outcome) {
    var h = findHousehold(current);
    if (!h) return;
    if (!slotConfirmed()) return;
    var ids = DS.record([{ body: body(h, outcome, readExtras()), code: h.code, label: h.code + " " + t("outcome_" + outcome) }]);
    document.getElementById("sheet").close();
    DS.toast(t("recorded_x", { code: h.code, outcome: t("outcome_" + outcome) }), t("undo"), function () {
      DS.voidContacts(ids);
      DS.toast(t("undone"));
    });
  }

  function findHousehold(id) {
    for (var i = 0; i < state.households.length; i++) {
      if (state.households[i].id === id) return state.households[i];
    }
    return null;
  }

  /* ---------- the household sheet ---------- */

  function openSheet(id) {
    current = id;
    resetExtras();
    refreshSheet();
    var dialog = document.getElementById("sheet");
    if (!dialog.open) dialog.showModal();
    var first = dialog.querySelector(".outcome");
    if (first) first.focus();
  }

  function refreshSheet() {
    var h = findHousehold(current);
    if (!h) return;
    var d = displayed().filter(function (x) {
      return x.h.id === h.id;
    })[0];
    document.getElementById("sheet-title").textContent = h.code + " · " + t("floor_n", { floor: h.floor });
    document.getElementById("sheet-status").textContent = t("current_status", { status: statusLabel(d) });
    document.getElementById("sheet-status").className = "sheet-status st-text-" + d.status;
    var flags = document.getElementById("sheet-flags");
    flags.textContent = h.flags.length ? "★ " + h.flags.map(function (f) { return t("flag_" + f); }).join(t("list_sep")) : "";
    flags.hidden = !h.flags.length;
    var hist = DS.clear(document.getElementById("sheet-history"));
    var entries = DS.logAll().filter(function (e) {
      return e.household_id === h.id;
    }).reverse();
    if (!entries.length) hist.appendChild(el("li", { class: "muted", text: t("history_none") }));
    entries.slice(0, 10).forEach(function (e) {
      var tag = e.voided ? t("voided_tag") : e.state === "sent" ? t("sent") : e.state === "refused" ? t("refused_title") : t("waiting");
      hist.appendChild(el("li", { class: e.voided ? "is-voided" : "" }, [
        el("span", { text: DS.fmtTime(new Date(e.at).toISOString()) + " " + t("outcome_" + e.outcome) }),
        el("span", { class: "tag", text: tag }),
        !e.voided && e.state !== "refused"
          ? el("button", {
            type: "button",
            class: "small",
            "aria-label": t("undo") + " " + DS.fmtTime(new Date(e.at).toISOString()) + " " + t("outcome_" + e.outcome),
            onclick: function () {
              DS.voidContacts([e.id]);
              DS.toast(t("undone"));
            },
          }, [t("undo")])
          : null,
      ]));
    });
  }

  function setupSheet() {
    var box = document.getElementById("outcome-buttons");
    OUTCOMES.forEach(function (o) {
      box.appendChild(el("button", {
        type: "button",
        class: "outcome st-" + o,
        "data-outcome": o,
        onclick: function () {
          recordOutcome(o);
        },
      }, [icon(o), el("span", { text: t("outcome_" + o) })]));
    });
    DS.stepper(document.getElementById("sheet"));
    document.getElementById("sheet").addEventListener("close", function (e) {
      // "close" arrives as a task of its own: the sheet may already be open again for another door.
      if (!e.target.open) current = null;
    });
    document.getElementById("round-done").addEventListener("click", markDone);
    document.getElementById("walk-sheet").addEventListener("click", function (e) {
      DS.download("/rounds/" + roundId + "/walk-sheet.pdf", "walk-sheet-" + roundId + ".pdf", e.currentTarget);
    });
  }

  /* ---------- start ---------- */

  var refetchTimer = null;
  function refetchSoon() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(function () {
      if (navigator.onLine === false) return;
      fetchRound().then(function () {
        renderHeader();
        render();
      }, function () {
        /* keep showing what we have */
      });
    }, 800);
  }

  function showError(err) {
    var grid = DS.clear(document.getElementById("grid"));
    grid.removeAttribute("aria-busy");
    var key = err.status === 404 ? "not_found" : err.status === 403 ? "no_access" : null;
    grid.appendChild(el("p", { class: "form-error", role: "alert", text: key ? t(key) : t("error_generic", { detail: err.detail }) }));
  }

  setupSheet();
  renderLegend();
  DS.onChange(function (detail) {
    if (!state.round) return;
    render();
    if ((detail.acked && detail.acked.length) || (detail.voidAcked && detail.voidAcked.length)) refetchSoon();
  });

  // Colleagues may be working the same round: refresh now and then while the page is in view.
  setInterval(function () {
    if (document.visibilityState === "visible") refetchSoon();
  }, 60000);

  var hadCache = loadCache();
  if (hadCache) {
    renderHeader();
    render();
  }
  fetchRound()
    .then(function () {
      renderHeader();
      render();
    })
    .catch(function (err) {
      if (hadCache && (err.status === 0 || err.status >= 500 || err.status === 401)) {
        state.cachedAt = state.cachedAt || new Date().toISOString();
        renderHeader();
        return;
      }
      if (!hadCache) showError(err);
    });
})();
