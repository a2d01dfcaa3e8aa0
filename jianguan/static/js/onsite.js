// The on-site form's queue: every answer, note and photo is kept in IndexedDB the moment it is made and sent when
// the network allows, in order, each with an idempotency key (a replay never records twice). Each item shows its
// state (已保存 / 待同步 / 同步失败). A result another officer changed since this page saw it comes back 409 with both
// values and the officer chooses; an expired session asks for the password and keeps the queue.
(function () {
  "use strict";
  var list = document.querySelector("[data-onsite]");
  if (!list || !window.indexedDB || !window.jianguanOpenQueue) {
    return;
  }
  var inspection = list.dataset.inspection;
  var banner = document.querySelector("[data-testid=sync-banner]");
  var dialog = document.getElementById("reauth");
  var LONG_SIDE = 2560;
  var signedOut = false;
  var flushing = false;
  var queuedMeanwhile = false; // something was queued while a flush ran: it runs again at its end
  var counter = 0;

  // ------------------------------------------------------------------------------------------------ storage
  var dbPromise = null;
  function db() {
    dbPromise = dbPromise || window.jianguanOpenQueue(); // site.js
    return dbPromise;
  }
  function withStore(mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var transaction = database.transaction("queue", mode);
        var request = work(transaction.objectStore("queue"));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  function save(entry) { return withStore("readwrite", function (store) { return store.put(entry); }); }
  function forget(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }
  function queued() {
    return withStore("readonly", function (store) { return store.index("inspection").getAll(inspection); })
      .then(function (entries) { return entries.sort(function (a, b) { return a.seq - b.seq; }); });
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // ------------------------------------------------------------------------------------------------ the page
  function row(itemId) { return document.getElementById("item-" + itemId); }
  var LABELS = { saved: "已保存", pending: "待同步", failed: "同步失败", sending: "同步中" };
  function showState(itemId, state, message) {
    var li = row(itemId);
    if (!li) {
      return;
    }
    var badge = li.querySelector("[data-sync-state]");
    if (badge) {
      badge.dataset.syncState = state;
      badge.textContent = LABELS[state] || "";
    }
    var box = li.querySelector("[data-sync-message]");
    if (box && message !== undefined) {
      box.textContent = message;
      if (message) {
        box.setAttribute("role", "alert");
      } else {
        box.removeAttribute("role");
      }
    }
  }
  function updateBanner() {
    return queued().then(function (entries) {
      if (!banner) {
        return;
      }
      var waiting = entries.filter(function (e) { return e.state !== "failed"; }).length;
      var failed = entries.length - waiting;
      var parts = [];
      if (!navigator.onLine) {
        parts.push("当前离线：记录保存在本机，联网后自动同步。");
      }
      if (waiting) {
        parts.push(waiting + " 条待同步。");
      }
      if (failed) {
        parts.push(failed + " 条同步失败，请查看标红的检查项。");
      }
      banner.textContent = parts.join(" ");
      banner.hidden = parts.length === 0;
    });
  }
  function formValues(form) {
    var checked = form.querySelector("input[name=outcome]:checked");
    return {
      outcome: checked ? checked.value : "",
      note: form.querySelector("input[name=note]").value,
      fixed_on_site: form.querySelector("input[name=fixed_on_site]").checked,
      version: Number(form.querySelector("input[name=version]").value || 0),
    };
  }
  function applyValues(itemId, values) {
    var li = row(itemId);
    var form = li && li.querySelector("[data-result-form]");
    if (!form) {
      return;
    }
    form.querySelectorAll("input[name=outcome]").forEach(function (input) {
      input.checked = input.value === values.outcome;
    });
    if (values.note !== undefined) {
      form.querySelector("input[name=note]").value = values.note;
    }
    form.querySelector("input[name=fixed_on_site]").checked = !!values.fixed_on_site;
    li.classList.toggle("list-group-item-danger", values.outcome === "fail");
    var photo = li.querySelector("[data-photo-form]");
    if (photo && values.outcome) {
      photo.hidden = false;
    }
  }
  function setVersion(itemId, version) {
    var input = row(itemId) && row(itemId).querySelector("input[name=version]");
    if (input) {
      input.value = version;
    }
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // ------------------------------------------------------------------------------------------------ queueing
  function queueResult(form) {
    var itemId = form.closest("[data-item]").dataset.item;
    var values = formValues(form);
    if (!values.outcome) {
      showState(itemId, "failed", "请选择合格、不合格或不适用。");
      return;
    }
    applyValues(itemId, values);
    return queued().then(function (entries) {
      // A change not yet sent is replaced by the newer one for the same item (it saw the same version).
      var waiting = entries.filter(function (e) {
        return e.kind === "result" && e.item === itemId && e.state === "pending" && !e.sending;
      })[0];
      var entry = waiting || { key: newKey(), seq: Date.now() * 1000 + (counter++ % 1000), inspection: inspection, kind: "result", item: itemId, url: form.action };
      entry.fields = values;
      entry.state = "pending";
      entry.error = "";
      return save(entry);
    }).then(function () {
      showState(itemId, "pending", "");
      return updateBanner();
    }).then(flush);
  }

  function compress(file, progress) {
    // Photos from a phone are often 4,000 px and 5 MB: scaled to 2,560 px on the long side before they are kept.
    return new Promise(function (resolve) {
      if (!window.createImageBitmap || !/^image\/(jpeg|png|webp)/.test(file.type)) {
        resolve(file);
        return;
      }
      progress(10);
      createImageBitmap(file).then(function (bitmap) {
        progress(30);
        var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size < 3 * 1024 * 1024) {
          resolve(file); // small enough: the original, with its camera time
          return;
        }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        progress(45);
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      }, function () { resolve(file); });
    });
  }

  function queuePhoto(input) {
    var file = input.files && input.files[0];
    var form = input.form;
    var itemId = form.closest("[data-item]").dataset.item;
    var bar = form.querySelector("progress");
    if (!file) {
      return;
    }
    bar.hidden = false;
    bar.value = 0;
    return compress(file, function (value) { bar.value = value; }).then(function (blob) {
      bar.value = 50;
      var entry = { key: newKey(), seq: Date.now() * 1000 + (counter++ % 1000), inspection: inspection, kind: "photo", item: itemId, url: form.action, blob: blob, name: file.name || "photo.jpg", state: "pending", error: "" };
      showPendingPhoto(entry);
      input.value = "";
      return save(entry);
    }).then(function () {
      showState(itemId, "pending", "");
      return updateBanner();
    }).then(flush);
  }

  // A photo waiting in the queue shows at once, dimmed, from the phone's own copy.
  function showPendingPhoto(entry) {
    var photos = row(entry.item) && row(entry.item).querySelector("[data-photos]");
    if (!photos) {
      return;
    }
    var img = document.createElement("img");
    img.src = URL.createObjectURL(entry.blob);
    img.alt = "现场照片（待同步）";
    img.height = 64;
    img.className = "rounded border jg-photo-pending";
    img.dataset.key = entry.key;
    photos.appendChild(img);
  }

  // ------------------------------------------------------------------------------------------------ sending
  function send(entry, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", entry.url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("X-Idempotency-Key", entry.key);
      xhr.timeout = 120000;
      var data = new FormData();
      if (entry.kind === "result") {
        data.append("outcome", entry.fields.outcome);
        data.append("note", entry.fields.note || "");
        if (entry.fields.fixed_on_site) {
          data.append("fixed_on_site", "on");
        }
        data.append("version", String(entry.fields.version));
      } else {
        data.append("item", entry.item);
        data.append("photo", entry.blob, entry.name);
        if (onProgress) {
          xhr.upload.onprogress = function (event) {
            if (event.lengthComputable) {
              onProgress(50 + Math.round((50 * event.loaded) / event.total));
            }
          };
        }
      }
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (error) { body = null; }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = xhr.ontimeout = function () { resolve({ status: 0, body: null }); };
      xhr.send(data);
    });
  }

  function settle(entry, answer) {
    var itemId = entry.item;
    var body = answer.body || {};
    if (answer.status === 200 && body.status === "saved") {
      if (entry.kind === "result") {
        var version = body.result.version;
        setVersion(itemId, version);
        // Later changes to the same item (queued before or during this send) were made on top of this one.
        queued().then(function (rest) {
          rest.forEach(function (other) {
            if (other.key !== entry.key && other.kind === "result" && other.item === itemId && other.fields.version === entry.fields.version) {
              other.fields.version = version;
              save(other);
            }
          });
        });
      } else {
        var pending = document.querySelector("img[data-key='" + entry.key + "']");
        if (pending) {
          pending.src = body.thumb;
          pending.alt = "现场照片";
          pending.classList.remove("jg-photo-pending");
        }
        var bar = row(itemId) && row(itemId).querySelector("progress");
        if (bar) {
          bar.value = 100;
          bar.hidden = true;
        }
      }
      return forget(entry.key).then(function () {
        return queued().then(function (rest) {
          var more = rest.some(function (e) { return e.item === itemId; });
          if (!more) {
            showState(itemId, "saved", "");
          }
        });
      }).then(function () { return "next"; });
    }
    if (answer.status === 401) {
      entry.sending = false;
      save(entry);
      signedOut = true;
      showState(itemId, "pending", "");
      askPassword();
      return Promise.resolve("stop");
    }
    entry.sending = false;
    if (answer.status === 0) {
      showState(itemId, "pending", "");
      return save(entry).then(function () { return "stop"; });
    }
    entry.state = "failed";
    if (answer.status === 409 && body.status === "conflict") {
      entry.conflict = { theirs: body.result, mine: body.mine };
      entry.error = body.message;
    } else if (answer.status === 403) {
      entry.error = "无权保存（可能已不在检查组中，或页面已过期）。请刷新页面后重试。";
    } else if (answer.status >= 500) {
      entry.error = "服务器暂时出错（HTTP " + answer.status + "），请稍后重试。";
    } else {
      entry.error = body.message || "保存失败（HTTP " + answer.status + "）。";
    }
    return save(entry).then(function () {
      renderFailure(entry);
      return "next";
    });
  }

  function flush() {
    if (flushing) {
      queuedMeanwhile = true;
    }
    if (flushing || signedOut || !navigator.onLine) {
      return updateBanner();
    }
    flushing = true;
    queuedMeanwhile = false;
    return queued().then(function (entries) {
      var index = 0;
      function step() {
        var entry = entries[index++];
        if (!entry) {
          return Promise.resolve();
        }
        if (entry.state === "failed") {
          return step();
        }
        // A photo waits while its item's answer is still unsent or refused.
        var blocked = entries.some(function (e) { return e.kind === "result" && e.item === entry.item && e.seq < entry.seq && e.state === "failed"; });
        if (blocked) {
          return step();
        }
        showState(entry.item, "sending");
        var bar = entry.kind === "photo" && row(entry.item) && row(entry.item).querySelector("progress");
        entry.sending = true; // a change made meanwhile becomes an entry of its own, sent after this one
        return save(entry)
          .then(function () { return send(entry, bar ? function (value) { bar.value = value; } : null); })
          .then(function (answer) { return settle(entry, answer); })
          .then(function (next) { return next === "stop" ? null : step(); });
      }
      return step();
    }).then(function () {
      flushing = false;
      return queuedMeanwhile ? flush() : updateBanner();
    }, function () {
      flushing = false;
    });
  }

  // ------------------------------------------------------------------------------------------------ failures
  function renderFailure(entry) {
    var li = row(entry.item);
    if (!li) {
      return;
    }
    showState(entry.item, "failed", entry.error);
    var box = li.querySelector("[data-sync-message]");
    var actions = document.createElement("div");
    actions.className = "d-flex flex-wrap gap-2 mt-1";
    actions.dataset.syncActions = entry.key;
    var old = li.querySelector("[data-sync-actions]");
    if (old) {
      old.remove();
    }
    if (entry.conflict) {
      var theirs = entry.conflict.theirs;
      var mine = entry.conflict.mine;
      var compare = document.createElement("div");
      compare.className = "w-100 small text-body";
      compare.dataset.testid = "conflict";
      compare.textContent = "对方（" + theirs.by + " " + theirs.at + "）：" + theirs.outcome_label + (theirs.fixed_on_site ? "（当场整改）" : "") +
        "；您的：" + mine.outcome_label + (mine.fixed_on_site ? "（当场整改）" : "") + "。";
      actions.appendChild(compare);
      actions.appendChild(button("保留我的结果", function () {
        entry.fields.version = theirs.version;
        retry(entry);
      }));
      actions.appendChild(button("采用对方的结果", function () {
        forget(entry.key).then(function () {
          applyValues(entry.item, { outcome: theirs.outcome, fixed_on_site: theirs.fixed_on_site });
          setVersion(entry.item, theirs.version);
          showState(entry.item, "saved", "");
          actions.remove();
          updateBanner();
        });
      }));
    } else {
      actions.appendChild(button("重试", function () { retry(entry); }));
      actions.appendChild(button("放弃这条记录", function () {
        forget(entry.key).then(function () { window.location.reload(); });
      }));
    }
    box.insertAdjacentElement("afterend", actions);
  }
  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-primary";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }
  function retry(entry) {
    entry.state = "pending";
    entry.error = "";
    delete entry.conflict;
    var actions = document.querySelector("[data-sync-actions='" + entry.key + "']");
    if (actions) {
      actions.remove();
    }
    save(entry).then(function () {
      showState(entry.item, "pending", "");
      return flush();
    });
  }

  // ------------------------------------------------------------------------------------------------ signed out
  function askPassword() {
    if (!dialog || dialog.open) {
      return;
    }
    dialog.querySelector("[data-reauth-message]").textContent = "";
    dialog.showModal();
    dialog.querySelector("input[type=password]").focus();
  }
  if (dialog) {
    dialog.querySelector("[data-reauth]").addEventListener("submit", function (event) {
      event.preventDefault();
      var password = dialog.querySelector("input[type=password]");
      var message = dialog.querySelector("[data-reauth-message]");
      var data = new FormData();
      data.append("username", list.dataset.username);
      data.append("password", password.value);
      fetch(list.dataset.reauthUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) {
          message.textContent = answer.body.message || "登录失败。";
          return;
        }
        password.value = "";
        dialog.close();
        signedOut = false;
        flush();
      }, function () {
        message.textContent = "网络不通，联网后再试。";
      });
    });
  }

  // ------------------------------------------------------------------------------------------------ wiring
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || !list.contains(target)) {
      return;
    }
    var photoForm = target.closest("[data-photo-form]");
    if (photoForm && target.type === "file") {
      event.stopImmediatePropagation(); // not the page's autosubmit: the queue sends it
      queuePhoto(target);
      return;
    }
    var form = target.closest("[data-result-form]");
    if (form && target.name !== "note") {
      queueResult(form);
    }
  }, true);
  list.addEventListener("focusout", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.name === "note" && target.dataset.sent !== target.value) {
      var form = target.closest("[data-result-form]");
      if (form && form.querySelector("input[name=outcome]:checked")) {
        target.dataset.sent = target.value;
        queueResult(form);
      }
    }
  });
  list.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-result-form]");
    if (form) {
      event.preventDefault();
      queueResult(form);
    }
  });
  // Completing waits for the queue: the server must have every answer and photo before the record is closed.
  var complete = document.querySelector("[data-complete-form]");
  if (complete) {
    complete.addEventListener("submit", function (event) {
      if (complete.dataset.ready) {
        return;
      }
      event.preventDefault();
      flush().then(queued).then(function (entries) {
        if (!entries.length) {
          complete.dataset.ready = "1";
          complete.submit();
          return;
        }
        var first = row(entries[0].item);
        if (banner) {
          banner.hidden = false;
          banner.setAttribute("role", "alert");
          banner.textContent = "还有 " + entries.length + " 条记录没有同步到服务器（" +
            (navigator.onLine ? "请处理标红的检查项" : "当前离线") + "），同步完成后才能完成检查。";
        }
        (first || banner).scrollIntoView({ block: "center" });
        if (banner) {
          banner.tabIndex = -1;
          banner.focus({ preventScroll: true });
        }
      });
    });
  }
  list.querySelectorAll("input[name=note]").forEach(function (input) { input.dataset.sent = input.value; });
  window.addEventListener("online", flush);
  window.addEventListener("offline", updateBanner);
  setInterval(function () {
    if (!signedOut) {
      flush();
    }
  }, 30000);

  // What an earlier visit left unsent is shown as it was typed, and sent.
  queued().then(function (entries) {
    entries.forEach(function (entry) {
      if (entry.kind === "result") {
        applyValues(entry.item, entry.fields);
        if (entry.state === "failed") {
          renderFailure(entry);
        } else {
          showState(entry.item, "pending", "");
        }
      } else {
        showPendingPhoto(entry);
        showState(entry.item, entry.state === "failed" ? "failed" : "pending", entry.error || "");
      }
    });
    return updateBanner();
  }).then(flush);
})();
