// Samskab's service worker: keeps the app itself (the page, its script, its
// wasm and its styles) on this device, so that a board opens when the
// meeting room's network is gone: a reload, a tab the tablet discarded, a
// link opened again. The boards themselves are kept by the app in IndexedDB.
//
// - Pages of the app (`/`, `/b/<id>`, `/w/<id>`): the network first, so an
//   update is seen at once; the kept page when the network fails, answers
//   with a server error or takes longer than NETWORK_WAIT_MS.
// - The page's own files (hashed names, never changed in place): from this
//   device when kept, else the network.
// - Everything else (the API, the websocket, public snapshot pages,
//   exports) is not touched.
//
// After every page that comes from the network, the files that page names
// are fetched and kept, and files of older versions are dropped.
const CACHE = "samskab-app";
const SHELL = "/";
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(keepApp().catch(() => {}));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function isAppPage(url) {
  return url.pathname === "/" || /^\/[bw]\/[^/]+\/?$/.test(url.pathname);
}

/** The files a page of the app names: its script, wasm and styles. */
function filesOf(html) {
  const files = new Set();
  for (const m of html.matchAll(/["'](\/[\w.\-/]+\.(?:js|wasm|css))["']/g)) {
    files.add(m[1]);
  }
  return [...files];
}

/** Keeps `page` (a response of the app's page, or fetched now) and its files. */
async function keepApp(page) {
  const response = page || (await fetch(SHELL, { cache: "no-store" }));
  if (!response.ok || !isHtml(response)) return;
  const html = await response.clone().text();
  const cache = await caches.open(CACHE);
  const files = filesOf(html);
  // A file is kept only once all of them are here, so that a page is never
  // kept without the files it needs.
  for (const file of files) {
    if (await cache.match(file)) continue;
    const r = await fetch(file);
    // The server answers an unknown path with the page itself.
    if (!r.ok || isHtml(r)) return;
    await cache.put(file, r);
  }
  await cache.put(SHELL, response);
  const keep = new Set([SHELL, ...files].map((f) => new URL(f, self.location).href));
  for (const request of await cache.keys()) {
    if (!keep.has(request.url)) await cache.delete(request);
  }
}

function isHtml(response) {
  return (response.headers.get("content-type") || "").startsWith("text/html");
}

function appPage(event) {
  const fromNetwork = fetch(event.request);
  // Cloned before the browser reads the page (this callback runs first).
  event.waitUntil(
    fromNetwork
      .then((response) => (response.ok && isHtml(response) ? keepApp(response.clone()) : null))
      .catch(() => {}),
  );
  return caches.match(SHELL).then(async (kept) => {
    if (!kept) return fromNetwork;
    const slow = new Promise((resolve) => setTimeout(() => resolve(null), NETWORK_WAIT_MS));
    try {
      const response = await Promise.race([fromNetwork, slow]);
      // A proxy in front of a stopped server answers 502 or 503.
      return response && response.status < 500 ? response : kept;
    } catch {
      return kept;
    }
  });
}

async function file(request) {
  return (await caches.match(request)) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (isAppPage(url)) event.respondWith(appPage(event));
    return;
  }
  if (/^\/[\w.\-]+\.(?:js|wasm|css)$/.test(url.pathname) && url.pathname !== "/sw.js") {
    event.respondWith(file(request));
  }
});
