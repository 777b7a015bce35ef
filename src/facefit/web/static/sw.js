// FaceFit's service worker: the practice page and everything it needs to coach (our JS and CSS, MediaPipe's
// wasm and the face model) are kept on the device, so practice starts and runs with no connection; the
// session is kept in the page's own storage and sent when the connection is back (static/js/offline.js).
// Pages are network-first (fresh when online, the last copy offline); files are cache-first; the public
// exercise catalog is network-first with a cached fallback; nothing else of the API is cached.
const VERSION = "__VERSION__";  // filled in by the server from the files' contents
const FILES = `facefit-files-${VERSION}`;
const PAGES = "facefit-pages";
const PRECACHE = [
  "/practice", "/static/style.css", "/static/js/common.js", "/static/js/practice.js", "/static/js/landmarks.js",
  "/static/js/live.js", "/static/js/offline.js", "/static/js/refusal.js", "/manifest.webmanifest",
  "/static/js/landmarker_worker.js", "/static/js/face_model.js", "/static/icons/icon-192.png",
  "/vendor/tasks-vision/vision_bundle.js", "/vendor/tasks-vision/vision_bundle.mjs",
  "/vendor/tasks-vision/wasm/vision_wasm_internal.js", "/vendor/tasks-vision/wasm/vision_wasm_internal.wasm",
  "/models/face_landmarker.task", "/api/catalog/exercises", "/api/catalog/routines",
];
const isFile = (url) => url.pathname.startsWith("/static/") || url.pathname.startsWith("/vendor/") || url.pathname.startsWith("/models/") || url.pathname === "/manifest.webmanifest";
const isCatalog = (url) => url.pathname.startsWith("/api/catalog/");

// One file into its cache, tried twice: a dropped connection while the page loads the same large files
// must not fail the whole install (a failed install leaves the page with no offline copy at all).
async function keep(path, files, pages) {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const response = await fetch(path, { credentials: "same-origin", cache: "no-cache" });
      if (!response.ok) return;  // e.g. a file another build does not have: cached when first used
      const url = new URL(path, self.location.origin);
      await ((isFile(url)) ? files : pages).put(path, response);
      return;
    } catch (error) {
      if (attempt === 1) console.warn(`FaceFit offline copy: ${path} not kept (${error})`);
    }
  }
}

async function precache() {
  const files = await caches.open(FILES), pages = await caches.open(PAGES);
  await Promise.all(PRECACHE.map((path) => keep(path, files, pages)));
}

self.addEventListener("install", (event) => { event.waitUntil(precache().then(() => self.skipWaiting())); });
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith("facefit-files-") && key !== FILES) await caches.delete(key);
    await self.clients.claim();
  })());
});

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(FILES);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (isFile(url)) event.respondWith(cacheFirst(request));
  else if (isCatalog(url)) event.respondWith(networkFirst(request, PAGES));
  else if (request.mode === "navigate" && url.pathname === "/practice") event.respondWith(networkFirst(request, PAGES));
});

// Signing out forgets the cached pages (they show the account's email).
self.addEventListener("message", (event) => { if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES)); });
