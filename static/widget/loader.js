/* chatgate widget loader: <script src="https://HOST/widget.js" data-case="KEY" async></script>
 * Asks the server whether the chat may show on this page, then adds one
 * iframe (the button, invitations and the chat panel live inside it, so no
 * CSS leaks either way). The frame asks for its size with postMessage. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__chatgate) return;
  window.__chatgate = true;
  var key = script.getAttribute("data-case");
  if (!key) return;
  var origin;
  try { origin = new URL(script.src).origin; } catch (e) { return; }
  var base = origin + "/widget/v1/" + encodeURIComponent(key);
  var page = location.href;
  // At most this wide (CSS px), a screen is a phone's.
  var PHONE = 600;

  var ask = origin + "/widget/v1/bootstrap?key=" + encodeURIComponent(key) + "&url=" + encodeURIComponent(page);
  fetch(ask, { credentials: "omit", cache: "no-store" })
    .then(function (r) { return r.ok ? r.json() : { show: false }; })
    .then(function (b) { if (b && b.show === true) mount(); })
    .catch(function () { /* no chat: nothing shows */ });

  function mount() {
    var f = document.createElement("iframe");
    f.src = base + "/frame?url=" + encodeURIComponent(page);
    f.title = "Chat";
    f.setAttribute("allow", "display-capture");
    f.setAttribute("data-chatgate", "");
    var s = f.style;
    s.position = "fixed"; s.right = "12px"; s.bottom = "12px";
    // The side the chat sits on: the right, or the left for a frame in a
    // right-to-left language (the frame says which).
    var side = "right";
    s.width = "84px"; s.height = "84px"; s.border = "0"; s.background = "transparent";
    s.colorScheme = "normal"; s.zIndex = "2147483000"; s.maxHeight = "calc(100vh - 24px)"; s.maxWidth = "calc(100vw - 24px)";
    // The size the frame asked for last; an open chat on a phone takes the
    // whole screen instead, and follows the screen turning.
    var asked = null;
    function place() {
      if (!asked || !f.contentWindow) return;
      var full = asked.open === true && window.innerWidth <= PHONE;
      s.left = s.right = "auto";
      s[side] = s.bottom = full ? "0" : "12px";
      s.maxWidth = full ? "none" : "calc(100vw - 24px)";
      s.maxHeight = full ? "none" : "calc(100vh - 24px)";
      s.width = full ? "100vw" : Math.min(asked.width, 480) + "px";
      s.height = full ? "100%" : Math.min(asked.height, 760) + "px";
      f.contentWindow.postMessage({ type: "chatgate:layout", full: full }, origin);
    }
    window.addEventListener("resize", place);
    window.addEventListener("message", function (ev) {
      if (ev.origin !== origin || ev.source !== f.contentWindow) return;
      var d = ev.data || {};
      if (d.type === "chatgate:size" && d.width > 0 && d.height > 0) {
        asked = { width: d.width, height: d.height, open: d.open };
        side = d.rtl === true ? "left" : "right";
        if (typeof d.title === "string" && d.title) f.title = d.title.slice(0, 80);
        place();
      } else if (d.type === "chatgate:remove") {
        f.remove();
      }
    });
    (document.body || document.documentElement).appendChild(f);
  }
})();
