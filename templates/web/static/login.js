/* The login form: OAuth2 password form to /api/v1/auth/token, token kept in localStorage. */
(function () {
  "use strict";
  var DS = window.DS;
  var form = document.getElementById("login-form");
  var error = document.getElementById("login-error");
  var submit = document.getElementById("login-submit");

  function show(msg) {
    error.textContent = msg;
    error.hidden = false;
  }

  function nextUrl() {
    // Only a path of this site: never send the user elsewhere after logging in.
    return DS.safeNext(new URLSearchParams(location.search).get("next"));
  }

  /* "Try again in 30 seconds": the server says how long in the problem's retry_after. */
  function waitMessage(err) {
    var seconds = err.body && Number(err.body.retry_after);
    if (!seconds || seconds < 0) return DS.t("login_throttled");
    var wait = seconds < 90
      ? DS.t("wait_seconds", { n: Math.ceil(seconds) })
      : DS.t("wait_minutes", { n: Math.ceil(seconds / 60) });
    return DS.t("login_wait", { wait: wait });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    error.hidden = true;
    var username = form.username.value.trim();
    var password = form.password.value;
    if (!username) {
      form.username.focus();
      return show(DS.t("username"));
    }
    if (!password) {
      form.password.focus();
      return show(DS.t("password"));
    }
    submit.disabled = true;
    DS.api("/auth/token", { form: { username: username, password: password }, quiet401: true })
      .then(function (res) {
        localStorage.setItem(DS.KEYS.token, res.access_token);
        return DS.me(true);
      })
      .then(function () {
        location.replace(nextUrl());
      })
      .catch(function (err) {
        submit.disabled = false;
        if (err.status === 401 || err.status === 400 || err.status === 422) show(DS.t("login_failed"));
        else if (err.status === 429) show(waitMessage(err));
        else if (err.status === 0) show(DS.t("login_unreachable"));
        else show(DS.t("error_generic", { detail: err.detail }));
        form.password.select();
      });
  });
  form.username.focus();
})();
