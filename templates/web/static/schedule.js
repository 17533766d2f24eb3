/* Staff: today's and upcoming rounds and events (GET /api/v1/members/me/schedule). */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  if (!DS.requireLogin()) return;
  var CACHE = "doorstep.schedule";

  /* The schedule answers rounds and events, as two lists or one list with a kind. */
  function normalise(res) {
    var rounds = res.rounds || [];
    var events = res.events || [];
    (res.items || []).forEach(function (it) {
      if (it.kind === "event") events.push(it);
      else rounds.push(it);
    });
    var tasks = rounds.map(function (r) {
      return { kind: "round", item: r, starts: r.starts_at, ends: r.ends_at };
    }).concat(events.map(function (e) {
      return { kind: "event", item: e, starts: e.starts_at, ends: e.ends_at };
    }));
    tasks.sort(function (a, b) {
      return a.starts < b.starts ? -1 : a.starts > b.starts ? 1 : 0;
    });
    return tasks;
  }

  var BUILDINGS = "doorstep.buildings";

  function buildingCodes(item) {
    var known = DS.load(BUILDINGS, {});
    var codes = (item.building_ids || []).map(function (id) {
      return known[id];
    });
    return codes.every(Boolean) ? codes.join(t("list_sep")) : "";
  }

  /* Building codes for the cards, each looked up once and remembered for offline use. */
  function learnBuildings(res) {
    var known = DS.load(BUILDINGS, {});
    var missing = {};
    (res.items || []).concat(res.rounds || []).forEach(function (it) {
      (it.building_ids || []).forEach(function (id) {
        if (!known[id]) missing[id] = true;
      });
    });
    return Promise.all(Object.keys(missing).map(function (id) {
      return DS.api("/buildings/" + id).then(function (b) {
        known[b.id] = b.code;
      }, function () {
        /* no code: the card simply shows none */
      });
    })).then(function () {
      DS.save(BUILDINGS, known);
    });
  }

  function card(task) {
    var it = task.item;
    var isRound = task.kind === "round";
    var href = isRound ? "/rounds/" + it.id : "/events/" + it.id;
    var codes = buildingCodes(it);
    var status = it.status ? t("round_status_" + it.status) : "";
    var title = isRound ? (codes ? t("buildings_list", { codes: codes }) : t("kind_round")) : it.title;
    return el("li", { class: "task task-" + task.kind + (it.status === "cancelled" ? " is-cancelled" : "") }, [
      el("a", { href: href, class: "task-link" }, [
        el("span", { class: "task-kind", text: isRound ? t("kind_round") : t("kind_event") }),
        el("span", { class: "task-title", text: title }),
        el("span", { class: "task-when", text: DS.fmtDateTime(task.starts) + " – " + DS.fmtTime(task.ends) }),
        it.location ? el("span", { class: "task-where", text: it.location }) : null,
        it.campaign_name ? el("span", { class: "task-campaign muted", text: (it.community_name ? it.community_name + " · " : "") + it.campaign_name }) : null,
        status ? el("span", { class: "badge badge-" + it.status, text: status }) : null,
        el("span", { class: "task-go", "aria-hidden": "true", text: isRound ? t("open_round") + " ›" : t("open_event") + " ›" }),
      ]),
    ]);
  }

  function fill(listId, tasks, emptyKey) {
    var ul = DS.clear(document.getElementById(listId));
    ul.removeAttribute("aria-busy");
    if (!tasks.length && emptyKey) ul.appendChild(el("li", { class: "empty muted", text: t(emptyKey) }));
    tasks.forEach(function (task) {
      ul.appendChild(card(task));
    });
  }

  function render(res) {
    var tasks = normalise(res);
    var now = new Date();
    var today = DS.localDay(now);
    var todays = [];
    var upcoming = [];
    var recent = [];
    tasks.forEach(function (task) {
      var start = new Date(task.starts);
      var end = new Date(task.ends);
      if (DS.localDay(start) === today || (start <= now && end >= now)) todays.push(task);
      else if (start > now) upcoming.push(task);
      else recent.push(task);
    });
    fill("today-list", todays, "nothing_today");
    fill("upcoming-list", upcoming, "nothing_upcoming");
    recent.reverse();
    fill("recent-list", recent.slice(0, 10), null);
    document.getElementById("recent-section").hidden = recent.length === 0;
  }

  function showCachedNote(at) {
    var note = document.getElementById("cached-note");
    note.textContent = t("cached_copy", { time: DS.fmtDateTime(at) });
    note.hidden = false;
  }

  DS.api("/members/me/schedule")
    .then(function (res) {
      DS.save(CACHE, { at: new Date().toISOString(), res: res });
      return learnBuildings(res).then(function () {
        render(res);
      });
    })
    .catch(function (err) {
      var cached = DS.load(CACHE, null);
      if (cached && (err.status === 0 || err.status >= 500)) {
        render(cached.res);
        showCachedNote(cached.at);
        return;
      }
      var ul = DS.clear(document.getElementById("today-list"));
      ul.appendChild(el("li", { class: "form-error", text: t("error_generic", { detail: err.detail }) }));
    });
})();
