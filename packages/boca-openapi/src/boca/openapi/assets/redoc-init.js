// Starts ReDoc from the data attributes of #redoc (no inline script: strict CSP).
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  var config = JSON.parse(root.getAttribute("data-config") || "{}");
  Redoc.init(root.getAttribute("data-openapi-url"), config, root);
})();
