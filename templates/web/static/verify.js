/* Staff: the call-backs given to them (GET /api/v1/members/me/verifications), answered with one
 * tap. Each answer is written to this phone's storage with a UUID made here BEFORE it is sent,
 * and leaves that queue only when the server acknowledges it; the server treats the same UUID
 * as the same answer, so a retry never records a second one. (A queue of its own, beside the
 * contacts' outbox in app.js, so that neither waits for the other.)
 */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  if (!DS.token()) return;
  var LIST = "doorstep.verify.list.v1";
  var QUEUE = "doorstep.verify.outbox.v1";
  var RETRY_MS = 15000;
  var section = document.getElementById("callbacks-section");
  var ul = document.getElementById("callbacks-list");
  if (!section || !ul) return;

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

  function me() {
    var user = DS.load(DS.KEYS.me, null);
    return user ? user.id : null;
  }

  function queue() {
    return DS.load(QUEUE, []);
  }

  function queued(verificationId) {
    return queue().filter(function (q) {
      return q.verification_id === verificationId;
    });
  }

  /* What the phone knows of a call-back: the server's answer, then anything still queued. */
  function standing(v) {
    var status = v.status;
    var tries = v.attempts;
    queued(v.id).forEach(function (q) {
      tries += 1;
      if (status !== "confirmed" && status !== "denied") status = q.body.outcome;
    });
    return { status: status, tries: tries, waiting: queued(v.id).length > 0 };
  }

  function answer(v, outcome, method) {
    var body = { id: uuid(), outcome: outcome, method: method, occurred_at: DS.nowIso() };
    var list = queue();
    list.push({ verification_id: v.id, user_id: me(), body: body, label: v.household_code });
    DS.save(QUEUE, list);
    render(DS.load(LIST, { items: [] }).items);
    flush();
  }

  function card(v) {
    var s = standing(v);
    var settled = s.status === "confirmed" || s.status === "denied";
    var name = "method-" + v.id;
    var phone = el("input", { type: "radio", name: name, value: "phone", checked: v.contact_phone ? true : null });
    var door = el("input", { type: "radio", name: name, value: "door", checked: v.contact_phone ? null : true });
    function method() {
      return phone.checked ? "phone" : "door";
    }
    function button(outcome, key) {
      return el("button", {
        type: "button",
        class: "small",
        "data-outcome": outcome,
        onclick: function () {
          answer(v, outcome, method());
        },
      }, [t(key)]);
    }
    return el("li", { class: "callback" + (settled ? " is-done" : ""), "data-verification": String(v.id) }, [
      el("p", { class: "code", text: v.household_code }),
      el("p", { class: "muted", text: t("building_n", { code: v.building_code }) + " · " + t("unit_n", { unit: v.unit }) + " · " + v.room + (v.contact_phone ? " · ☎ " + v.contact_phone : "") }),
      el("p", {}, [
        el("span", { class: "badge", text: t("verify_status_" + s.status) }),
        s.tries ? el("span", { class: "muted", text: " " + t("verify_tries", { n: s.tries }) }) : null,
        s.waiting ? el("span", { class: "muted", text: " · " + t("verify_queued") }) : null,
      ]),
      settled ? null : el("p", { class: "muted", text: t("verify_ask") }),
      settled ? null : el("div", { class: "callback-method" }, [
        el("label", {}, [phone, " " + t("verify_by_phone")]),
        el("label", {}, [door, " " + t("verify_by_door")]),
      ]),
      settled ? null : el("div", { class: "callback-actions" }, [
        button("confirmed", "verify_confirmed"),
        button("denied", "verify_denied"),
        button("unreachable", "verify_unreachable"),
      ]),
    ]);
  }

  function render(items) {
    DS.clear(ul);
    var shown = items.filter(function (v) {
      var s = standing(v);
      return s.waiting || (s.status !== "confirmed" && s.status !== "denied");
    });
    shown.forEach(function (v) {
      ul.appendChild(card(v));
    });
    section.hidden = shown.length === 0;
  }

  var flushing = false;
  var timer = null;

  function flush() {
    clearTimeout(timer);
    if (flushing) return;
    var mine = queue().filter(function (q) {
      return q.user_id === null || q.user_id === me();
    });
    if (!mine.length) return;
    flushing = true;
    var retry = false;
    mine.reduce(function (chain, q) {
      return chain.then(function () {
        return DS.api("/verifications/" + q.verification_id + "/result", { json: q.body })
          .then(function () {
            return true;
          }, function (err) {
            if (err.status === 0 || err.status >= 500 || err.status === 401 || err.status === 408 || err.status === 429) {
              retry = true;
              return false;
            }
            DS.toast(q.label + ": " + err.detail);
            return true;
          })
          .then(function (done) {
            if (!done) return;
            DS.save(QUEUE, queue().filter(function (x) {
              return x.body.id !== q.body.id;
            }));
          });
      });
    }, Promise.resolve()).then(function () {
      flushing = false;
      if (retry) timer = setTimeout(flush, RETRY_MS);
      load();
    });
  }

  function load() {
    DS.api("/members/me/verifications?limit=200")
      .then(function (page) {
        DS.save(LIST, { at: new Date().toISOString(), items: page.items });
        render(page.items);
      })
      .catch(function () {
        render(DS.load(LIST, { items: [] }).items);
      });
  }

  window.addEventListener("online", flush);
  render(DS.load(LIST, { items: [] }).items);
  load();
  flush();
})();
