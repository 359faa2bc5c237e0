// Starts Swagger UI from the data attributes of #swagger-ui (no inline script: strict CSP).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var config = JSON.parse(root.getAttribute("data-config") || "{}");
  config.url = root.getAttribute("data-openapi-url");
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.layout = "BaseLayout";
  if (config.oauth2RedirectUrl) {
    config.oauth2RedirectUrl = new URL(config.oauth2RedirectUrl, window.location.href).href;
  }
  window.ui = SwaggerUIBundle(config);
})();
