// Starts Swagger UI on the element #swagger-ui with the OpenAPI address in its data-openapi-url
// (an external script, so the page's Content-Security-Policy needs no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
