/* Staff: their open warnings above everything else, with the time left, one tap per attempt.
 *
 * An attempt is written to this phone's storage BEFORE it is sent, with a UUID made here, and
 * leaves that queue only when the server answers for it (201 stored, 200 already stored, or a
 * refusal it shows). Sending is POST /warnings/attempts/batch, retried when the connection
 * returns, so a tap in a stairwell without signal is never lost and never counted twice.
 */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  var BOX = "doorstep.warning-attempts.v1";
  var CACHE = "doorstep.my-warnings.v1";
  var section = document.getElementById("my-warnings");
  if (!section || !DS.token()) return;
  var list = document.getElementById("my-warnings-list");
  var warnings = [];
  var flushing = false;

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function queued() {
    var box = DS.load(BOX, []);
    return Array.isArray(box) ? box : [];
  }

  function cached() {
    var items = DS.load(CACHE, []);
    return Array.isArray(items) ? items : [];
  }

  function span(ms) {
    var minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
    if (minutes < 60) return t("warning_minutes", { n: minutes });
    return t("warning_hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
  }

  function clock(w) {
    var left = new Date(w.due_at) - new Date();
    return left >= 0 ? t("warning_left", { time: span(left) }) : t("warning_overdue", { time: span(left) });
  }

  /* A queued attempt that reaches the warning shows it reached here at once. */
  function reachedLocally(w) {
    return queued().some(function (a) {
      return a.warning_id === w.id && a.outcome === "reached" && (a.method === "door" || w.risk_level !== "high");
    });
  }

  function record(w, method, outcome) {
    var box = queued();
    box.push({ id: uuid(), warning_id: w.id, method: method, outcome: outcome, occurred_at: DS.nowIso() });
    DS.save(BOX, box);
    DS.toast(t("warning_queued"));
    render();
    flush();
  }

  function card(w) {
    var pending = queued().filter(function (a) {
      return a.warning_id === w.id;
    }).length;
    var reached = reachedLocally(w);
    var overdue = new Date(w.due_at) < new Date();
    var where = w.household_code || w.address || t("warning_address_unknown");
    var buttons = [
      el("button", { type: "button", class: "primary warning-met", "data-warning": String(w.id), text: t("warning_met") }),
      el("button", { type: "button", class: "warning-not-home", text: t("warning_not_home") }),
    ];
    if (w.risk_level !== "high") buttons.push(el("button", { type: "button", class: "warning-phone", text: t("warning_phone_reached") }));
    buttons[0].addEventListener("click", function () { record(w, "door", "reached"); });
    buttons[1].addEventListener("click", function () { record(w, "door", "not_home"); });
    if (buttons[2]) buttons[2].addEventListener("click", function () { record(w, "phone", "reached"); });
    return el("li", {
      class: "warning-card risk-" + w.risk_level + (overdue ? " is-overdue" : "") + (reached ? " is-reached" : ""),
      "data-warning": String(w.id),
    }, [
      el("div", { class: "warning-head" }, [
        el("span", { class: "badge risk-badge risk-" + w.risk_level, text: t("warning_risk_" + w.risk_level) }),
        el("strong", { class: "warning-where", text: where }),
      ]),
      w.person_name || w.phone ? el("p", { class: "warning-person", text: [w.person_name, w.phone].filter(Boolean).join(" · ") }) : null,
      el("p", { class: "warning-clock" + (overdue ? " overdue" : ""), text: reached ? t("warning_status_reached") : clock(w) }),
      w.risk_level === "high" ? el("p", { class: "hint", text: t("warning_phone_note") }) : null,
      pending ? el("p", { class: "muted warning-pending", text: t("warning_queued") }) : null,
      reached ? null : el("div", { class: "warning-actions" }, buttons),
    ]);
  }

  function render() {
    DS.clear(list);
    var open = warnings.filter(function (w) {
      return w.status === "open" || w.status === "unreachable";
    });
    section.hidden = open.length === 0;
    open.forEach(function (w) {
      list.appendChild(card(w));
    });
  }

  function load() {
    return DS.api("/members/me/warnings").then(function (items) {
      warnings = Array.isArray(items) ? items : cached();
      DS.save(CACHE, warnings);
      render();
    }, function () {
      warnings = cached();
      render();
    });
  }

  function flush() {
    var box = queued();
    if (flushing || !box.length || navigator.onLine === false) return;
    flushing = true;
    DS.api("/warnings/attempts/batch", { method: "POST", json: { attempts: box } })
      .then(function (res) {
        var answered = {};
        res.results.forEach(function (r, i) {
          if (r.status === 200 || r.status === 201) answered[box[i].id] = true;
          else if (r.status >= 400 && r.status < 500 && r.status !== 429) {
            answered[box[i].id] = true;
            DS.toast(t("warning_refused", { detail: (r.error && r.error.detail) || r.status }));
          }
        });
        DS.save(BOX, queued().filter(function (a) {
          return !answered[a.id];
        }));
        flushing = false;
        return load();
      }, function () {
        flushing = false;  // offline or the server is down: keep everything, try again later
      });
  }

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  setInterval(function () {
    flush();
    render();  // the clocks move
  }, 30000);
  warnings = cached();
  render();
  load().then(flush);
})();
