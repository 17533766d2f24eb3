/* Starts Swagger UI from Doorstep's own copy: nothing is loaded from another host (no
 * validator badge, no CDN), so /docs works on an office network without internet. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    oauth2RedirectUrl: location.origin + root.getAttribute("data-oauth2-redirect-url"),
    persistAuthorization: true,
    validatorUrl: null,
  });
})();
