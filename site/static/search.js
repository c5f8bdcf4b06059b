/* Pagefind's search box, told where the site root is (the site may live under a prefix such as
   /site/), and filled from ?q= when the home page's form sent a query. */
(function () {
  "use strict";
  if (typeof PagefindUI === "undefined" || !document.getElementById("search")) {
    return;
  }
  var ui = new PagefindUI({
    element: "#search",
    baseUrl: new URL("../", document.baseURI).pathname,
    showImages: false,
    showSubResults: false
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
