/* Doorstep pages: the shared part.
 *
 * - t(): the page's strings (Chinese or English), sent by the server in <body data-boot>
 *   (an attribute, not an inline script: the Content-Security-Policy runs only script files).
 * - api(): fetch under /api/v1 with the bearer token kept in localStorage.
 * - The outbox: every contact is written to localStorage BEFORE it is sent, with a UUID made
 *   here, and leaves the outbox only when the server acknowledges it (200/201). The server
 *   treats the same UUID as the same contact, so a retry never stores a second one.
 */
(function () {
  "use strict";

  var boot = JSON.parse(document.body.getAttribute("data-boot"));
  var S = boot.strings;
  var KEYS = {
    token: "doorstep.token",
    me: "doorstep.me",
    outbox: "doorstep.outbox.v1",
    refused: "doorstep.refused.v1",
    log: "doorstep.log.v1",
  };
  var BATCH_MAX = 500;
  var LOG_MAX = 3000;

  function t(key, params) {
    var s = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    if (params) {
      Object.keys(params).forEach(function (k) {
        s = s.split("{" + k + "}").join(String(params[k]));
      });
    }
    return s;
  }

  /* ---------- storage ---------- */

  function load(key, fallback) {
    try {
      var raw = localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }

  /* Read-modify-write on the freshest copy, never on one read before an await. */
  function update(key, fallback, fn) {
    var value = fn(load(key, fallback));
    save(key, value);
    return value;
  }

  /* ---------- DOM ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "class") node.className = v;
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
        // Through the CSSOM: the pages' policy refuses style attributes (no 'unsafe-inline').
        else if (k === "style") node.style.cssText = v;
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(c);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /* ---------- formatting ---------- */

  var locale = boot.lang === "zh" ? "zh-CN" : "en-GB";

  /* Times are shown in the community's time zone, never the phone's: a phone set to UTC must
   * still show a 09:00–12:00 round as 09:00–12:00. The zone comes from the user's memberships
   * (kept with /me, so it is there offline); a page about one community sets it with useZone. */
  var DEFAULT_ZONE = "Asia/Shanghai";
  var zone = null;

  function validZone(name) {
    if (!name) return null;
    try {
      new Intl.DateTimeFormat("en", { timeZone: name });
      return name;
    } catch (e) {
      return null;
    }
  }

  function zoneFor(communityId) {
    var user = load(KEYS.me, null);
    var ms = (user && user.memberships) || [];
    for (var i = 0; i < ms.length; i++) {
      if (ms[i].community_id === communityId && validZone(ms[i].community_timezone)) return ms[i].community_timezone;
    }
    return null;
  }

  function currentZone() {
    if (zone) return zone;
    var user = load(KEYS.me, null);
    var ms = (user && user.memberships) || [];
    for (var i = 0; i < ms.length; i++) {
      if (validZone(ms[i].community_timezone)) return ms[i].community_timezone;
    }
    return DEFAULT_ZONE;
  }

  function useZone(name) {
    zone = validZone(name) || zone;
  }

  function fmtTime(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone: currentZone() });
  }

  function fmtDate(iso) {
    // A calendar date ("2026-12-01") is the same day everywhere: format it as such.
    if (typeof iso === "string" && iso.length === 10) {
      return new Date(iso + "T00:00:00Z").toLocaleDateString(locale, { month: "short", day: "numeric", weekday: "short", timeZone: "UTC" });
    }
    return new Date(iso).toLocaleDateString(locale, { month: "short", day: "numeric", weekday: "short", timeZone: currentZone() });
  }

  function fmtDateTime(iso) {
    return fmtDate(iso) + " " + fmtTime(iso);
  }

  function fmtPercent(x) {
    if (x === null || x === undefined) return "—";
    return (Math.round(x * 1000) / 10).toFixed(1) + "%";
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  /* Now as ISO 8601 with this phone's UTC offset, e.g. 2026-12-02T09:30:05.120+08:00. */
  function nowIso() {
    var d = new Date();
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    var abs = Math.abs(off);
    var ms = String(d.getMilliseconds()).padStart(3, "0");
    return (
      d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." + ms +
      sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60)
    );
  }

  /* The community's calendar date of an instant, as "2026-12-01". */
  function localDay(d) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: currentZone(), year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(d)
      .forEach(function (p) {
        parts[p.type] = p.value;
      });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // Plain-HTTP deployments on a LAN address have no randomUUID: build a v4 UUID by hand.
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* ---------- API ---------- */

  function ApiError(status, detail, body) {
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
  ApiError.prototype.toString = function () {
    return this.detail;
  };

  function token() {
    return localStorage.getItem(KEYS.token);
  }

  function apiUrl(path) {
    return path.indexOf("/api/") === 0 ? path : "/api/v1" + path;
  }

  function api(path, opts) {
    opts = opts || {};
    var headers = { Accept: "application/json" };
    var tok = token();
    if (tok) headers.Authorization = "Bearer " + tok;
    var body;
    if (opts.form) {
      body = new URLSearchParams(opts.form);
    } else if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    return fetch(apiUrl(path), { method: opts.method || (body ? "POST" : "GET"), headers: headers, body: body, cache: "no-store" })
      .catch(function () {
        throw new ApiError(0, t("login_unreachable"), null);
      })
      .then(function (res) {
        if (opts.raw && res.ok) return res;
        var type = res.headers.get("Content-Type") || "";
        // A JSON answer that cannot be read (the page moved on mid-download, the connection
        // dropped) is a failed request, never a null result that a page would store.
        var broken = {};
        var parsed = type.indexOf("json") >= 0 ? res.json().catch(function () { return broken; }) : Promise.resolve(null);
        return parsed.then(function (data) {
          if (data === broken) {
            if (res.ok) throw new ApiError(0, t("login_unreachable"), null);
            data = null;
          }
          if (res.ok) return data;
          if (res.status === 401 && tok && !opts.quiet401) sessionExpired();
          var detail = (data && (data.detail || data.title)) || res.statusText || String(res.status);
          throw new ApiError(res.status, detail, data);
        });
      });
  }

  /* Every page of a list endpoint ({items, total}). */
  function apiAll(path) {
    var items = [];
    var sep = path.indexOf("?") >= 0 ? "&" : "?";
    function next(offset) {
      return api(path + sep + "limit=500&offset=" + offset).then(function (page) {
        items = items.concat(page.items || []);
        if (page.items && page.items.length && items.length < page.total) return next(items.length);
        return items;
      });
    }
    return next(0);
  }

  function sessionExpired() {
    var banner = document.getElementById("session-banner");
    if (banner) banner.hidden = false;
  }

  function me(refresh) {
    var cached = load(KEYS.me, null);
    if (cached && !refresh) return Promise.resolve(cached);
    return api("/me").then(function (user) {
      save(KEYS.me, user);
      return user;
    }).catch(function (err) {
      if (cached && err.status === 0) return cached;
      throw err;
    });
  }

  function isPlanner(user) {
    if (!user) return false;
    if (user.is_admin) return true;
    return (user.memberships || []).some(function (m) {
      return m.role === "manager" || m.role === "officer";
    });
  }

  function isManager(user) {
    if (!user) return false;
    if (user.is_admin) return true;
    return (user.memberships || []).some(function (m) {
      return m.role === "manager";
    });
  }

  /* Pages other than /login need a token; without one, go and log in. */
  function requireLogin() {
    if (!token()) {
      location.replace("/login?next=" + encodeURIComponent(location.pathname + location.search));
      return false;
    }
    return true;
  }

  /* ---------- downloads (the token goes in a header, so: fetch, then save the blob) ---------- */

  function filenameFrom(res, fallback) {
    var cd = res.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (star) return decodeURIComponent(star[1]);
    var plain = /filename="?([^";]+)"?/i.exec(cd);
    return plain ? plain[1] : fallback;
  }

  var DOCUMENT_WAIT_MS = 180000;

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  /* A large document is rendered off the request path: the server answers 202 with where to
   * look next (a Location header or a job body); ask there until the file itself comes. */
  function fetchDocument(path, deadline) {
    return api(path, { raw: true }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      var isJob = res.status === 202 || (type.indexOf("json") >= 0 && res.status === 200);
      if (!isJob) return res;
      return res.json().catch(function () {
        return {};
      }).then(function (job) {
        if (job.status === "failed") throw new ApiError(500, job.error || t("download_failed", { detail: "" }), job);
        var next = res.headers.get("Location") || job.download_url || job.url || job.location || path;
        if (Date.now() > deadline) throw new ApiError(504, t("download_failed", { detail: "timeout" }), job);
        var wait = parseInt(res.headers.get("Retry-After") || "1", 10);
        return sleep(Math.min(Math.max(wait, 1), 5) * 1000).then(function () {
          return fetchDocument(next, deadline);
        });
      });
    });
  }

  function download(path, fallbackName, button) {
    var label = button ? button.textContent : "";
    if (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = t("downloading");
    }
    var done = function () {
      if (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        button.textContent = label;
      }
    };
    return fetchDocument(path, Date.now() + DOCUMENT_WAIT_MS)
      .then(function (res) {
        return res.blob().then(function (blob) {
          var name = filenameFrom(res, fallbackName);
          var url = URL.createObjectURL(blob);
          var a = el("a", { href: url, download: name, hidden: true });
          document.body.appendChild(a);
          a.click();
          setTimeout(function () {
            URL.revokeObjectURL(url);
            a.remove();
          }, 1000);
          toast(t("downloaded", { name: name }));
          done();
        });
      })
      .catch(function (err) {
        done();
        toast(t("download_failed", { detail: String(err) }));
      });
  }

  /* ---------- toast ---------- */

  var toastTimer = null;
  function toast(text, actionLabel, action) {
    var box = document.getElementById("toast");
    var btn = document.getElementById("toast-action");
    document.getElementById("toast-text").textContent = text;
    btn.hidden = !actionLabel;
    btn.onclick = null;
    if (actionLabel) {
      btn.textContent = actionLabel;
      btn.onclick = function () {
        box.hidden = true;
        action();
      };
    }
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      box.hidden = true;
    }, actionLabel ? 8000 : 4000);
  }

  /* ---------- the log: what this phone recorded, for undo and the pending marks ---------- */

  function logAll() {
    return load(KEYS.log, []);
  }

  function logAdd(entries) {
    update(KEYS.log, [], function (log) {
      log = log.concat(entries);
      if (log.length > LOG_MAX) log = log.slice(log.length - LOG_MAX);
      return log;
    });
  }

  function logMark(ids, fields) {
    var set = {};
    ids.forEach(function (id) {
      set[id] = true;
    });
    update(KEYS.log, [], function (log) {
      log.forEach(function (e) {
        if (set[e.id]) Object.assign(e, fields);
      });
      return log;
    });
  }

  /* ---------- the outbox ---------- */

  var listeners = [];
  function onChange(fn) {
    listeners.push(fn);
  }
  function changed(detail) {
    renderSync();
    listeners.forEach(function (fn) {
      try {
        fn(detail || {});
      } catch (e) {
        /* a page's redraw failing must not stop the outbox */
      }
    });
  }

  function currentUserId() {
    var user = load(KEYS.me, null);
    return user ? user.id : null;
  }

  function outbox() {
    return load(KEYS.outbox, []);
  }

  /* Only the logged-in user's records are sent with their token; a colleague's wait for them. */
  function mine(item) {
    return item.user_id === null || item.user_id === currentUserId();
  }

  /* Record contacts: stored on the phone first, then sent. `items`: [{body, label, household_id, ...}] */
  function record(items) {
    var uid = currentUserId();
    var at = Date.now();
    var entries = items.map(function (it) {
      var id = uuid();
      it.body.id = id;
      return {
        kind: "contact",
        id: id,
        user_id: uid,
        body: it.body,
        code: it.code || null,
        label: it.label,
        created: at,
      };
    });
    update(KEYS.outbox, [], function (box) {
      return box.concat(entries);
    });
    logAdd(entries.map(function (e) {
      return {
        id: e.id,
        household_id: e.body.household_id,
        code: e.code,
        round_id: e.body.round_id || null,
        event_id: e.body.event_id || null,
        channel: e.body.channel,
        outcome: e.body.outcome,
        label: e.label,
        at: at,
        state: "pending",
        voided: false,
      };
    }));
    changed({ recorded: entries.map(function (e) { return e.id; }) });
    flushSoon(0);
    return entries.map(function (e) {
      return e.id;
    });
  }

  /* Undo: a void is a fact of its own, queued after the contact it corrects. */
  function voidContacts(ids, reason) {
    var uid = currentUserId();
    update(KEYS.outbox, [], function (box) {
      return box.concat(ids.map(function (id) {
        return { kind: "void", id: id, user_id: uid, reason: reason || t("void_reason"), created: Date.now() };
      }));
    });
    logMark(ids, { voided: true });
    changed({ voided: ids });
    flushSoon(0);
  }

  function removeFromOutbox(kind, ids) {
    var set = {};
    ids.forEach(function (id) {
      set[id] = true;
    });
    update(KEYS.outbox, [], function (box) {
      return box.filter(function (it) {
        return !(it.kind === kind && set[it.id]);
      });
    });
  }

  function refuse(items, errors) {
    update(KEYS.refused, [], function (list) {
      return list.concat(items.map(function (it, i) {
        return { id: it.id, label: it.label || it.code || it.id, error: errors[i], at: Date.now() };
      }));
    });
  }

  function isDone(status) {
    return status === 200 || status === 201;
  }
  /* A 4xx other than 408/429 will not change by sending it again: show it, stop retrying. */
  function isFinal(status) {
    return status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 401;
  }

  var flushing = null;
  var backoff = 0;
  var retryTimer = null;
  var retryAt = 0;

  function flushSoon(delay) {
    clearTimeout(retryTimer);
    retryAt = Date.now() + delay;
    retryTimer = setTimeout(flush, delay);
    renderSync();
  }

  function scheduleRetry() {
    backoff = Math.min(backoff ? backoff * 2 : 2000, 60000);
    flushSoon(backoff + Math.floor(Math.random() * 500));
  }

  /* Give a code-only contact (walk-in typed offline) its household id before sending. */
  function resolveCodes(items) {
    var jobs = items.filter(function (it) {
      return !it.body.household_id && it.code;
    }).map(function (it) {
      return api("/communities/" + it.community_id + "/households?code=" + encodeURIComponent(it.code) + "&limit=1")
        .then(function (page) {
          var hh = page.items && page.items[0];
          if (hh && hh.code === it.code) {
            it.body.household_id = hh.id;
            update(KEYS.outbox, [], function (box) {
              box.forEach(function (b) {
                if (b.id === it.id) b.body.household_id = hh.id;
              });
              return box;
            });
            logMark([it.id], { household_id: hh.id });
          } else {
            refuse([it], [t("code_unknown", { code: it.code })]);
            removeFromOutbox("contact", [it.id]);
            logMark([it.id], { state: "refused" });
            it.dropped = true;
          }
        });
    });
    return Promise.all(jobs).then(function () {
      return items.filter(function (it) {
        return !it.dropped && it.body.household_id;
      });
    });
  }

  function sendContacts(items) {
    if (!items.length) return Promise.resolve(false);
    var bodies = items.map(function (it) {
      return it.body;
    });
    return api("/contacts/batch", { json: { contacts: bodies } })
      .then(function (res) {
        return (res.results || []).map(function (r) {
          return { status: r.status, error: r.error || r.detail || null };
        });
      })
      .catch(function (err) {
        // The whole batch was refused as a body (one malformed item, or too large): send them
        // one by one so that the good ones still get through and the bad one is named.
        if (err.status !== 422 && err.status !== 400 && err.status !== 413) throw err;
        return items.reduce(function (chain, it) {
          return chain.then(function (acc) {
            return api("/contacts", { json: it.body })
              .then(function () {
                return acc.concat([{ status: 201, error: null }]);
              })
              .catch(function (e) {
                if (e.status === 0 || e.status >= 500) throw e;
                return acc.concat([{ status: e.status, error: e.detail }]);
              });
          });
        }, Promise.resolve([]));
      })
      .then(function (results) {
        var acked = [];
        var refusedItems = [];
        var refusedErrors = [];
        var retry = false;
        items.forEach(function (it, i) {
          var r = results[i];
          if (!r) {
            retry = true;
          } else if (isDone(r.status)) {
            acked.push(it.id);
          } else if (isFinal(r.status)) {
            refusedItems.push(it);
            refusedErrors.push(errorText(r.error) || String(r.status));
          } else {
            retry = true;
          }
        });
        removeFromOutbox("contact", acked);
        logMark(acked, { state: "sent", acked_at: Date.now() });
        if (refusedItems.length) {
          refuse(refusedItems, refusedErrors);
          removeFromOutbox("contact", refusedItems.map(function (it) { return it.id; }));
          logMark(refusedItems.map(function (it) { return it.id; }), { state: "refused" });
        }
        if (acked.length || refusedItems.length) changed({ acked: acked });
        return retry;
      });
  }

  function errorText(error) {
    if (!error) return "";
    if (typeof error === "string") return error;
    return error.detail || error.title || JSON.stringify(error);
  }

  function sendVoids(items) {
    var retry = false;
    return items.reduce(function (chain, it) {
      return chain.then(function () {
        return api("/contacts/" + it.id + "/void", { json: { reason: it.reason } })
          .then(function () {
            removeFromOutbox("void", [it.id]);
            changed({ voidAcked: [it.id] });
          })
          .catch(function (err) {
            if (isFinal(err.status)) {
              removeFromOutbox("void", [it.id]);
              if (err.status !== 404) refuse([it], [t("undo") + ": " + err.detail]);
              changed({});
            } else {
              retry = true;
              if (err.status === 0 || err.status === 401) throw err;
            }
          });
      });
    }, Promise.resolve()).then(function () {
      return retry;
    });
  }

  function flush() {
    if (flushing) return flushing;
    clearTimeout(retryTimer);
    retryAt = 0;
    var box = outbox().filter(mine);
    if (!box.length || !token()) {
      renderSync();
      return Promise.resolve();
    }
    if (navigator.onLine === false) {
      renderSync();
      return Promise.resolve();
    }
    var contacts = box.filter(function (it) {
      return it.kind === "contact";
    }).slice(0, BATCH_MAX);
    var before = box.length;
    flushing = resolveCodes(contacts)
      .then(sendContacts)
      .then(function (retryContacts) {
        // A void waits for its contact: send only those whose contact has left the outbox.
        var pending = {};
        outbox().forEach(function (it) {
          if (it.kind === "contact") pending[it.id] = true;
        });
        var voids = outbox().filter(function (it) {
          return it.kind === "void" && mine(it) && !pending[it.id];
        });
        return sendVoids(voids).then(function (retryVoids) {
          return retryContacts || retryVoids;
        });
      })
      .then(function (retry) {
        flushing = null;
        var left = outbox().filter(mine);
        if (retry || left.length >= before) scheduleRetry();
        else if (left.length) {
          backoff = 0;
          flushSoon(0);
        } else {
          backoff = 0;
          renderSync();
        }
      })
      .catch(function (err) {
        flushing = null;
        if (err && err.status === 401) {
          sessionExpired();
          renderSync();
          return;
        }
        scheduleRetry();
      });
    renderSync();
    return flushing;
  }

  /* ---------- the sync bar and the refused list ---------- */

  function renderSync() {
    var bar = document.getElementById("sync");
    if (!bar) return;
    var n = outbox().filter(mine).length;
    var offline = navigator.onLine === false;
    var text = document.getElementById("sync-text");
    var now = document.getElementById("sync-now");
    var parts = [];
    if (offline) parts.push(t("offline"));
    if (n) {
      parts.push(t("pending_n", { n: n }));
      if (flushing) parts.push(t("sending"));
      else if (retryAt > Date.now() + 1000) parts.push(t("retry_in", { s: Math.ceil((retryAt - Date.now()) / 1000) }));
    }
    text.textContent = parts.join(" · ");
    bar.hidden = parts.length === 0;
    bar.classList.toggle("is-offline", offline);
    now.hidden = !n || offline || !!flushing;
    renderRefused();
  }

  function renderRefused() {
    var box = document.getElementById("refused");
    if (!box) return;
    var list = load(KEYS.refused, []);
    var ul = clear(document.getElementById("refused-list"));
    list.slice(-20).forEach(function (r) {
      ul.appendChild(el("li", {}, [el("strong", { text: r.label }), " — " + r.error]));
    });
    box.hidden = list.length === 0;
  }

  /* ---------- page chrome ---------- */

  function setupChrome() {
    var logout = document.getElementById("logout");
    var nav = document.getElementById("nav");
    if (token() && boot.page !== "login") {
      logout.hidden = false;
      nav.hidden = false;
      var user = load(KEYS.me, null);
      if (isPlanner(user)) {
        nav.querySelectorAll("[data-planner]").forEach(function (a) {
          a.hidden = false;
        });
      }
      if (isManager(user)) {
        document.querySelectorAll("[data-manager]").forEach(function (a) {
          a.hidden = false;
        });
      }
      var current = nav.querySelector('[data-nav="' + boot.page + '"]');
      if (current) current.setAttribute("aria-current", "page");
    }
    logout.addEventListener("click", function () {
      var done = function () {
        localStorage.removeItem(KEYS.token);
        localStorage.removeItem(KEYS.me);
        location.href = "/login";
      };
      api("/auth/logout", { method: "POST", quiet401: true }).then(done, done);
    });
    document.getElementById("sync-now").addEventListener("click", function () {
      backoff = 0;
      flush();
    });
    document.getElementById("refused-dismiss").addEventListener("click", function () {
      save(KEYS.refused, []);
      renderRefused();
    });
    window.addEventListener("online", function () {
      backoff = 0;
      renderSync();
      flush();
    });
    window.addEventListener("offline", renderSync);
    window.addEventListener("storage", function (e) {
      if (e.key === KEYS.outbox || e.key === KEYS.refused || e.key === KEYS.log) changed({ storage: true });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush();
    });
    setInterval(renderSync, 1000);
    renderSync();
    if (token() && boot.page !== "login") {
      if (load(KEYS.me, null)) flush();
      else me().then(flush, renderSync);
    }

    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" })
        .then(function () {
          return navigator.serviceWorker.ready;
        })
        .then(function (reg) {
          // This page may have opened before the worker ran: ask it to keep this shell too.
          if (reg.active) reg.active.postMessage({ type: "keep-page", url: location.href });
        })
        .catch(function () {
          /* the pages still work online without it */
        });
    }
  }

  /* Wire the − / + buttons of a number field. */
  function stepper(root) {
    root.querySelectorAll(".step").forEach(function (b) {
      b.addEventListener("click", function () {
        var input = b.parentNode.querySelector("input");
        var v = (parseInt(input.value, 10) || 0) + parseInt(b.getAttribute("data-step"), 10);
        var max = parseInt(input.max, 10);
        input.value = String(Math.max(0, isNaN(max) ? v : Math.min(max, v)));
      });
    });
  }

  /* The id in the URL (/rounds/12): a kept shell of another round may be serving this one. */
  function pathId(fallback) {
    var m = /\/(\d+)\/?$/.exec(location.pathname);
    return m ? Number(m[1]) : fallback;
  }

  /* Where to go after logging in: a path of this site, else "/". The value is parsed the way
   * the browser will follow it (a backslash or a tab can turn "/x" into "//host"), and only
   * a URL of this very origin is kept: its path, query and fragment, never the raw string. */
  function safeNext(raw) {
    if (typeof raw !== "string" || raw.charAt(0) !== "/") return "/";
    var url;
    try {
      url = new URL(raw, location.origin);
    } catch (e) {
      return "/";
    }
    if (url.origin !== location.origin) return "/";
    return url.pathname + url.search + url.hash;
  }

  window.DS = {
    pathId: pathId,
    safeNext: safeNext,
    boot: boot,
    KEYS: KEYS,
    t: t,
    load: load,
    save: save,
    el: el,
    svg: svg,
    clear: clear,
    api: api,
    apiAll: apiAll,
    ApiError: ApiError,
    me: me,
    isPlanner: isPlanner,
    isManager: isManager,
    token: token,
    requireLogin: requireLogin,
    download: download,
    toast: toast,
    record: record,
    voidContacts: voidContacts,
    outbox: outbox,
    logAll: logAll,
    onChange: onChange,
    flush: flush,
    nowIso: nowIso,
    localDay: localDay,
    useZone: useZone,
    zoneFor: zoneFor,
    fmtTime: fmtTime,
    fmtDate: fmtDate,
    fmtDateTime: fmtDateTime,
    fmtPercent: fmtPercent,
    stepper: stepper,
  };

  setupChrome();
})();
