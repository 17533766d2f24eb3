/* Doorstep's service worker: keeps the pages' shells, scripts and styles so that a page reloaded
 * without a connection still opens. Data never goes through here: /api/ is left to the network,
 * and the pages keep their own copies (and the outbox) in localStorage.
 */
"use strict";
var VERSION = {{ version|tojson }};
var CACHE = "doorstep-" + VERSION;
var ASSETS = {{ assets|tojson }};
var PAGES = ["/", "/login", "/schedule", "/walk-in", "/campaigns"];
/* Only the app's own pages are kept; /docs and the like go to the network untouched. */
var PAGE = /^\/(login|schedule|walk-in|campaigns(\/\d+)?|rounds\/\d+|events\/\d+)?\/?$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        // Pages are a bonus: one failing (e.g. the server restarting) must not block install.
        return Promise.all(PAGES.map(function (p) { return cache.add(p).catch(function () {}); }));
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("doorstep-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* A page opened before this worker took control asks for its own shell to be kept. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep-page" || typeof data.url !== "string") return;
  var url = new URL(data.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return fetch(url.href, { credentials: "same-origin" }).then(function (res) {
        if (res.ok) return cache.put(url.href, res);
      });
    }).then(function () {
      if (event.source) event.source.postMessage({ type: "page-kept", url: url.href });
    }).catch(function () {})
  );
});

/* A page of the same kind: any kept /rounds/N shell can open /rounds/M (the id comes from the URL). */
function sameKind(cache, url) {
  var m = /^\/(rounds|events|campaigns)\/\d+$/.exec(url.pathname);
  if (!m) return Promise.resolve(undefined);
  return cache.keys().then(function (reqs) {
    for (var i = 0; i < reqs.length; i++) {
      var p = new URL(reqs[i].url).pathname;
      if (p.indexOf("/" + m[1] + "/") === 0 && /\/\d+$/.test(p)) return cache.match(reqs[i]);
    }
    return undefined;
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0 || url.pathname === "/sw.js") return;

  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/fonts/") === 0) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(req).then(function (hit) {
          return hit || fetch(req).then(function (res) {
            if (res.ok) cache.put(req, res.clone());
            return res;
          });
        });
      })
    );
    return;
  }

  if (req.mode === "navigate" && PAGE.test(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return fetch(req).then(function (res) {
          if (res.ok) cache.put(req, res.clone());
          return res;
        }).catch(function () {
          return cache.match(req).then(function (hit) {
            return hit || cache.match(req, { ignoreSearch: true });
          }).then(function (hit) {
            return hit || sameKind(cache, url);
          }).then(function (hit) {
            return hit || cache.match("/");
          }).then(function (hit) {
            return hit || Response.error();
          });
        });
      })
    );
  }
});
