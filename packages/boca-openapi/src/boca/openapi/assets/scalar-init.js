// Starts Scalar from the data attributes of #scalar (no inline script: strict CSP).
(function () {
  "use strict";
  var root = document.getElementById("scalar");
  var config = JSON.parse(root.getAttribute("data-config") || "{}");
  config.url = root.getAttribute("data-openapi-url");
  Scalar.createApiReference(root, config);
})();
