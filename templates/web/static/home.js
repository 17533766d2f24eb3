/* "/" sends each user on by role: officers and managers to their workspace, staff to their rounds. */
(function () {
  "use strict";
  var DS = window.DS;
  if (!DS.requireLogin()) return;
  DS.me(true)
    .then(function (user) {
      location.replace(DS.isPlanner(user) ? "/office" : "/schedule");
    })
    .catch(function (err) {
      if (err.status === 401) location.replace("/login");
      else document.getElementById("home-status").textContent = DS.t("error_generic", { detail: err.detail });
    });
})();
