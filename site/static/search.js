/* The search page: Pagefind's search box over one index per prefecture
   (pagefind/<province>/<prefecture>/, listed in pagefind/shards.json with their province). 全国
   merges them all in the browser (Pagefind's mergeIndex: the first bundle's script and
   WebAssembly, every bundle's index); picking a province merges that province's bundles alone
   (the page is opened again with ?p=, so the choice is in the address and Pagefind starts afresh). Told where the site root is (the site may live under a prefix such as
   /site/); ?q= (sent by the home page's form) fills in the query, and follows what is typed. */
(function () {
  "use strict";
  var element = document.getElementById("search");
  var select = document.getElementById("search-province");
  if (typeof PagefindUI === "undefined" || !element || !select) {
    return;
  }
  var root = new URL("../", document.baseURI).pathname;
  var params = new URLSearchParams(window.location.search);

  function bundle(key) {
    return root + "pagefind/" + key + "/";
  }

  /* The UI's own mergeIndex option merges one bundle after the other; all at once is faster.
     The UI then finds the same module (same URL) with the bundles already merged. */
  function merge(keys) {
    return import(bundle(keys[0]) + "pagefind.js").then(function (pagefind) {
      return pagefind.options({ baseUrl: root }).then(function () {
        return Promise.all(keys.slice(1).map(function (key) {
          return pagefind.mergeIndex(bundle(key), { baseUrl: root });
        }));
      });
    });
  }

  /* County pages carry their names spelled out one character at a time, bracketed 〔夏 县〕〔运 城 市〕,
     for the index only (publish/pages.py search_chars): cut out of the excerpt, whole or where it
     is cut off. */
  function withoutSpelledNames(result) {
    if (result && typeof result.excerpt === "string") {
      result.excerpt = result.excerpt
        .replace(/〔[^〔〕]*〕/g, "")
        .replace(/^[^〔〕]*〕/, "")
        .replace(/〔[^〔〕]*$/, "")
        .trim();
    }
    return result;
  }

  function start(keys) {
    return merge(keys).then(function () {
      var ui = new PagefindUI({
        element: "#search",
        bundlePath: bundle(keys[0]),
        baseUrl: root,
        showImages: false,
        showSubResults: false,
        processResult: withoutSpelledNames
      });
      if (params.get("q")) {
        ui.triggerSearch(params.get("q"));
      }
    });
  }

  /* The address follows the query as it is typed: reloading, sharing or going back keeps it. */
  function followQuery(event) {
    if (!event.target.classList.contains("pagefind-ui__search-input")) {
      return;
    }
    var next = new URLSearchParams(window.location.search);
    if (event.target.value) {
      next.set("q", event.target.value);
    } else {
      next.delete("q");
    }
    var search = next.toString();
    window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
  }

  function reopen() {
    var next = new URLSearchParams();
    var input = element.querySelector(".pagefind-ui__search-input");
    var query = input ? input.value : params.get("q");
    if (query) {
      next.set("q", query);
    }
    if (select.value) {
      next.set("p", select.value);
    }
    var search = next.toString();
    window.location.assign(window.location.pathname + (search ? "?" + search : ""));
  }

  fetch(root + "pagefind/shards.json")
    .then(function (response) { return response.json(); })
    .then(function (shards) {
      var names = {};
      var order = [];
      shards.forEach(function (shard) {
        if (!(shard.province in names)) {
          names[shard.province] = [];
          order.push(shard.province);
        }
        shard.names.forEach(function (name) {
          if (names[shard.province].indexOf(name) < 0) {
            names[shard.province].push(name);
          }
        });
      });
      order.forEach(function (province) {
        var option = document.createElement("option");
        option.value = province;
        option.textContent = names[province].length ? names[province].join("、") : "其他";
        select.appendChild(option);
      });
      if (order.indexOf(params.get("p")) >= 0) {
        select.value = params.get("p");
      }
      select.parentNode.hidden = false;
      select.addEventListener("change", reopen);
      element.addEventListener("input", followQuery);
      start(shards.filter(function (shard) {
        return !select.value || shard.province === select.value;
      }).map(function (shard) { return shard.key; }));
    });
})();
