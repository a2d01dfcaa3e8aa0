// Behaviour the pages declare with data- attributes, so that no page needs inline script (Content-Security-Policy:
// script-src 'self'). Delegated from the document, so it also works on fragments htmx swaps in.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control instanceof HTMLElement && control.matches("[data-autosubmit]") && control.form) {
      control.form.submit();
    }
  });
  // 打印 buttons: the page's print stylesheet leaves out navigation, filters and buttons.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) {
      document.querySelectorAll("details").forEach(function (details) {
        details.open = true; // folded tables print too
      });
      window.print();
    }
  });
  // Offline: signed-in pages register the service worker (/sw.js), which keeps the pages an officer works on; a
  // page may name inspections to keep ahead (data-prefetch, e.g. today's on the to-do list).
  var sw = document.body.dataset.sw;
  if (sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = Array.prototype.map.call(document.querySelectorAll("[data-prefetch]"), function (link) {
        return link.getAttribute("href");
      });
      if (urls.length && registration.active) {
        registration.active.postMessage({ type: "prefetch", urls: urls });
      }
    }).catch(function () {});
  }
  // Signing out forgets the kept pages; with results still waiting to be sent, the officer is asked first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-logout]") || form.dataset.confirmed) {
      return;
    }
    event.preventDefault();
    waiting().then(function (count) {
      if (count && !window.confirm("还有 " + count + " 条现场检查记录没有同步到服务器，退出后本机将不再发送。确定退出？")) {
        return;
      }
      var forget = window.caches ? caches.delete("jg-pages") : Promise.resolve();
      forget.catch(function () {}).then(function () {
        form.dataset.confirmed = "1";
        form.submit();
      });
    });
  });
  // The on-site form's queue (onsite.js) lives in this IndexedDB database; opened here for both.
  function openQueue() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("jianguan-onsite", 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore("queue", { keyPath: "key" });
        store.createIndex("inspection", "inspection");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  window.jianguanOpenQueue = openQueue;
  function waiting() {
    if (!window.indexedDB) {
      return Promise.resolve(0);
    }
    return openQueue().then(function (database) {
      return new Promise(function (resolve) {
        var count = database.transaction("queue").objectStore("queue").count();
        count.onsuccess = function () { resolve(count.result); };
        count.onerror = function () { resolve(0); };
      });
    }).catch(function () { return 0; });
  }
  // Signature pads (data-signature-pad): a finger or stylus draws on the canvas; the PNG goes into the hidden input
  // beside it; 清除重签 empties both. A signature kept in the input (a refused form) is drawn back.
  document.querySelectorAll("[data-signature-pad]").forEach(function (pad) {
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input");
    var context = canvas.getContext("2d");
    var drawing = false;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.strokeStyle = "#000";
    if (input.value) {
      var image = new Image();
      image.onload = function () { context.drawImage(image, 0, 0); };
      image.src = input.value;
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (drawing) {
        var p = point(event);
        context.lineTo(p[0], p[1]);
        context.stroke();
      }
    });
    function finish() {
      if (drawing) {
        drawing = false;
        input.value = canvas.toDataURL("image/png");
      }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
    });
  });
  // A page that comes back with a refused form: the first problem is brought into view and focused, so nobody
  // searches a long form for what was wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector(".is-invalid, form [role=alert]:not(:empty)");
    if (!first) {
      return;
    }
    var details = first.closest("details");
    if (details) {
      details.open = true;
    }
    first.scrollIntoView({ block: "center" });
    var control = first.matches("input, select, textarea") ? first : first.closest("form") && first.closest("form").querySelector(".is-invalid");
    (control || first).focus({ preventScroll: true });
  });
})();
