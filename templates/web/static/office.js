/* The officer's workspace: what its pages share.
 *
 * - communities(): the communities the user plans in (or manages), as {id, name, role}.
 * - pickCommunity(): a <select> when there are several, remembered across pages.
 * - Times: a campaign's board is drawn in its community's time zone, whatever the browser's;
 *   zonedIso() turns a local date and "HH:MM" there into an ISO time with the right offset.
 * - problem(): a problem+json error in words, with the fields it names.
 */
(function () {
  "use strict";
  var DS = window.DS;
  var t = DS.t;
  var el = DS.el;
  var COMMUNITY_KEY = "doorstep.office.community";
  var WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

  function communities(user, roles) {
    roles = roles || ["manager", "officer"];
    if (user.is_admin) {
      return DS.apiAll("/communities").then(function (items) {
        return items.map(function (c) {
          return { id: c.id, name: c.name, role: "admin", timezone: c.timezone };
        });
      });
    }
    return Promise.resolve(
      (user.memberships || [])
        .filter(function (m) {
          return roles.indexOf(m.role) >= 0;
        })
        .map(function (m) {
          return { id: m.community_id, name: m.community_name, role: m.role };
        })
    );
  }

  /* Resolves to the chosen community; calls onChange(community) when the user picks another. */
  function pickCommunity(holder, list, onChange) {
    DS.clear(holder);
    if (!list.length) {
      holder.appendChild(el("p", { class: "form-error", role: "alert", text: t("office_no_community") }));
      return null;
    }
    var saved = Number(localStorage.getItem(COMMUNITY_KEY));
    var current = list.filter(function (c) {
      return c.id === saved;
    })[0] || list[0];
    if (list.length > 1) {
      var select = el("select", { id: "community-pick" }, list.map(function (c) {
        var o = el("option", { value: String(c.id), text: c.name });
        if (c.id === current.id) o.selected = true;
        return o;
      }));
      select.addEventListener("change", function () {
        var c = list.filter(function (x) {
          return String(x.id) === select.value;
        })[0];
        localStorage.setItem(COMMUNITY_KEY, String(c.id));
        onChange(c);
      });
      holder.appendChild(el("div", { class: "field inline-field" }, [
        el("label", { for: "community-pick", text: t("office_community") }),
        select,
      ]));
    } else {
      holder.appendChild(el("p", { class: "muted", text: current.name }));
    }
    return current;
  }

  /* ---------- time in the community's zone ---------- */

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function parts(date, tz) {
    var f = new Intl.DateTimeFormat("en-GB", {
      timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    });
    var out = {};
    f.formatToParts(date).forEach(function (p) {
      out[p.type] = p.value;
    });
    return out;
  }

  /* "2026-12-03" in the zone of an instant. */
  function zonedDay(iso, tz) {
    var p = parts(new Date(iso), tz);
    return p.year + "-" + p.month + "-" + p.day;
  }

  /* "09:30" in the zone of an instant. */
  function zonedTime(iso, tz) {
    var p = parts(new Date(iso), tz);
    return p.hour + ":" + p.minute;
  }

  function offsetMinutes(date, tz) {
    var p = parts(date, tz);
    var asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    return Math.round((asUtc - date.getTime()) / 60000);
  }

  /* A local date and "HH:MM" in tz as ISO 8601 with that zone's offset then. */
  function zonedIso(day, hhmm, tz) {
    var d = day.split("-").map(Number);
    var h = hhmm.split(":").map(Number);
    var guess = Date.UTC(d[0], d[1] - 1, d[2], h[0], h[1]);
    var off = offsetMinutes(new Date(guess), tz);
    off = offsetMinutes(new Date(guess - off * 60000), tz);
    var sign = off >= 0 ? "+" : "-";
    var abs = Math.abs(off);
    return day + "T" + pad(h[0]) + ":" + pad(h[1]) + ":00" + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  /* Every date from start to end inclusive, as "YYYY-MM-DD". */
  function daysBetween(start, end) {
    var out = [];
    var d = new Date(start + "T12:00:00Z");
    var last = new Date(end + "T12:00:00Z");
    while (d <= last) {
      out.push(d.toISOString().slice(0, 10));
      d = new Date(d.getTime() + 86400000);
    }
    return out;
  }

  function isoWeekday(day) {
    var wd = new Date(day + "T12:00:00Z").getUTCDay();
    return wd === 0 ? 7 : wd;
  }

  function addDays(day, n) {
    return new Date(new Date(day + "T12:00:00Z").getTime() + n * 86400000).toISOString().slice(0, 10);
  }

  function dayLabel(day) {
    var d = new Date(day + "T12:00:00Z");
    var locale = DS.boot.lang === "zh" ? "zh-CN" : "en-GB";
    return d.toLocaleDateString(locale, { month: "numeric", day: "numeric", weekday: "short", timeZone: "UTC" });
  }

  function weekdayName(n) {
    return t("weekday_" + n);
  }

  /* ---------- errors ---------- */

  function problem(err) {
    var body = err && err.body;
    var text = (err && err.detail) || String(err);
    if (body && body.errors && body.errors.length) {
      text += t("colon") + body.errors.map(function (e) {
        return (e.field ? e.field + " " : "") + (e.message || "");
      }).join(t("list_sep"));
    }
    return text;
  }

  function showError(holder, err) {
    DS.clear(holder);
    holder.hidden = false;
    holder.appendChild(document.createTextNode(typeof err === "string" ? err : problem(err)));
  }

  function field(id, label, control, hint) {
    return el("div", { class: "field" }, [
      el("label", { for: id, text: label }),
      control,
      hint ? el("p", { class: "hint", id: id + "-hint", text: hint }) : null,
    ]);
  }

  /* A group of checkboxes inside a fieldset; returns {node, values()}. */
  function checkboxes(name, legend, options, checked) {
    var boxes = [];
    var list = el("div", { class: "checks" }, options.map(function (o) {
      var id = name + "-" + o.value;
      var box = el("input", { type: "checkbox", id: id, name: name, value: String(o.value) });
      box.checked = (checked || []).map(String).indexOf(String(o.value)) >= 0;
      boxes.push(box);
      return el("label", { class: "check", for: id }, [box, el("span", {}, [o.label, o.hint ? el("span", { class: "hint block", text: o.hint }) : null])]);
    }));
    return {
      node: el("fieldset", { class: "fieldset" }, [el("legend", { text: legend }), list]),
      values: function () {
        return boxes.filter(function (b) {
          return b.checked;
        }).map(function (b) {
          return b.value;
        });
      },
    };
  }

  function fraudTypes() {
    return DS.api("/fraud-types?limit=500").then(function (page) {
      return page.items;
    });
  }

  function fraudName(ft) {
    return DS.boot.lang === "zh" ? ft.name_zh : ft.name_en;
  }

  function fraudSummary(ft) {
    return DS.boot.lang === "zh" ? ft.summary_zh : ft.summary_en;
  }

  function requirePlanner() {
    if (!DS.requireLogin()) return null;
    return DS.me(true).then(function (user) {
      if (!DS.isPlanner(user)) {
        location.replace("/schedule");
        throw new DS.ApiError(403, t("no_access"), null);
      }
      return user;
    });
  }

  function fatal(root, err) {
    DS.clear(root);
    root.removeAttribute("aria-busy");
    root.appendChild(el("p", { class: "form-error", role: "alert", text: t("error_generic", { detail: problem(err) }) }));
  }

  window.Office = {
    WEEKDAYS: WEEKDAYS,
    communities: communities,
    pickCommunity: pickCommunity,
    zonedDay: zonedDay,
    zonedTime: zonedTime,
    zonedIso: zonedIso,
    daysBetween: daysBetween,
    isoWeekday: isoWeekday,
    addDays: addDays,
    dayLabel: dayLabel,
    weekdayName: weekdayName,
    problem: problem,
    showError: showError,
    field: field,
    checkboxes: checkboxes,
    fraudTypes: fraudTypes,
    fraudName: fraudName,
    fraudSummary: fraudSummary,
    requirePlanner: requirePlanner,
    fatal: fatal,
  };
})();
