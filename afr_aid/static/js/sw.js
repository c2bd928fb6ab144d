/* afr_aid's service worker: the app shell offline, nothing else.
 *
 * Static assets (CSS, scripts, icons) come from the cache first. Pages always
 * go to the network; only when it fails does a volunteer get the cached shell:
 * the two filing forms and the offline page (offline.js caches them while the
 * phone is online, in the volunteer's language). No case page and no API
 * answer is ever stored here: what the volunteer typed or had open lives in
 * IndexedDB, encrypted with their PIN (offline.js). Served at /sw.js so that
 * its scope is the whole site. */
const VERSION = "afr-v1";
const STATIC = `${VERSION}-static`;
const SHELL = "afr-shell";  // filled by offline.js (same name there)
const ASSETS = [
  "/static/css/app.css",
  "/static/js/offline.js",
  "/static/js/offline-store.js",
  "/static/vendor/idb-keyval-6.3.0/index.js",
  "/static/icons/icon-192.png",
  "/manifest.webmanifest",
];
const SHELL_PAGES = ["/offline", "/cases/new/assistance", "/cases/new/incident"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name.startsWith("afr-v") && !name.startsWith(VERSION)).map((name) => caches.delete(name)),
  )).then(() => self.clients.claim()));
});

function shellFor(url) {
  const path = url.pathname.replace(/\/$/, "") || "/";
  return SHELL_PAGES.includes(path) ? path : "/offline";
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(request, { ignoreSearch: true, ignoreVary: true }).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(async () => {
      // The pages were stored with the volunteer's cookie and "Vary: Cookie":
      // a navigation offline matches them whatever it carries.
      const cache = await caches.open(SHELL);
      const options = { ignoreSearch: true, ignoreVary: true };
      for (const path of [shellFor(url), "/offline"]) {
        const hit = (await cache.keys()).find((stored) => new URL(stored.url).pathname === path);
        if (hit) return cache.match(hit, options);
      }
      return new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    }));
  }
});
