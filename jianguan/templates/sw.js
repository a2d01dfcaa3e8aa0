{% load static %}// The service worker (served at /sw.js for the whole site): the on-site form opens without a network. Static files
// come from the cache first; the pages an officer works on — the home page, an inspection, the inspection list —
// from the network first and from the cache when there is none; writes are never cached (the form's queue in
// IndexedDB holds them, onsite.js). Signing out empties the page cache (site.js).
"use strict";
var VERSION = "{{ version }}";
var STATIC = "jg-static-" + VERSION;
var PAGES = "jg-pages";
var PRECACHE = [
  "{% static 'vendor/bootstrap/bootstrap.min.css' %}",
  "{% static 'css/jianguan.css' %}",
  "{% static 'vendor/bootstrap/bootstrap.bundle.min.js' %}",
  "{% static 'vendor/htmx/htmx.min.js' %}",
  "{% static 'js/site.js' %}",
  "{% static 'js/onsite.js' %}",
  "{% static 'img/favicon.svg' %}",
];
var OFFLINE_PAGES = /^\/($|inspections\/($|\d+\/$)|notifications\/$)/;
var OFFLINE_PHOTOS = /^\/inspections\/photos\/\d+\/thumb\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("jg-static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    // Only a real page of the signed-in user is kept: never a redirect to the login page or an error.
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.match(request, { ignoreVary: true }).then(function (cached) {
      return cached || new Response(
        "<!doctype html><html lang=zh-Hans><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
        "<title>离线</title>" +
        "<p style='font:16px sans-serif;padding:1rem'>当前离线，此页面没有保存在本机。请联网后打开；已打开过的检查可以离线使用。</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
      );
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    event.respondWith(caches.match(request).then(function (cached) {
      return cached || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (OFFLINE_PAGES.test(url.pathname) || OFFLINE_PHOTOS.test(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

// The page asks for inspections to be kept ahead (the day's planned ones) and for the pages to be forgotten.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "prefetch" && Array.isArray(data.urls)) {
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(data.urls.map(function (path) {
        return fetch(path, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) {
            return cache.put(path, response);
          }
        }, function () {});
      }));
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES));
  }
});
