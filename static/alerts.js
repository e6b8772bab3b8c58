/* chatgate agent console: what tells an agent that a visitor is waiting.
   A short sound (on or off per user, remembered in this browser), a
   desktop notification once the agent has allowed them, the number of
   waiting conversations in the tab title, and how long each has waited,
   kept live. Alerts come for a new chat and for a visitor writing in a
   conversation that is not on screen. */
(function () {
  "use strict";
  var chatgate = window.chatgate = window.chatgate || {};

  // "waiting <1 min", "waiting 3 min", "waiting 1 h 5 min".
  function waited(since, now) {
    var m = Math.max(0, Math.floor((now - Date.parse(since)) / 60000));
    if (m < 1) return "waiting <1 min";
    if (m < 60) return "waiting " + m + " min";
    return "waiting " + Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  chatgate.alerts = function (root) {
    var $ = function (id) { return document.getElementById(id); };
    var sound = $("alert-sound"), soundButton = $("sound-toggle"), notifyButton = $("notify-enable");
    var key = "chatgate.sound." + root.getAttribute("data-user");
    var baseTitle = document.title;
    // Conversation id to when its visitor last wrote; null before the first list.
    var known = null;
    var soundOn = true;
    try { soundOn = localStorage.getItem(key) !== "off"; } catch (e) { /* private mode */ }

    function showSound() {
      soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
      soundButton.textContent = soundOn ? "Sound on" : "Sound off";
    }
    soundButton.addEventListener("click", function () {
      soundOn = !soundOn;
      try { localStorage.setItem(key, soundOn ? "on" : "off"); } catch (e) { /* not remembered */ }
      showSound();
    });
    showSound();

    var canNotify = "Notification" in window;
    function showNotify() { notifyButton.hidden = !canNotify || Notification.permission !== "default"; }
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(showNotify, showNotify);
    });
    showNotify();

    function ring(c, title) {
      if (soundOn) {
        sound.setAttribute("data-played", String(Number(sound.getAttribute("data-played") || 0) + 1));
        try {
          sound.currentTime = 0;
          var p = sound.play();
          if (p && p.catch) p.catch(function () { /* the browser wants a click first */ });
        } catch (e) { /* no audio */ }
      }
      if (canNotify && Notification.permission === "granted") {
        try {
          var n = new Notification(title, { body: c.visitor + " · " + c.case, tag: "chatgate-" + c.id });
          n.onclick = function () { window.focus(); location.hash = "c=" + c.id; n.close(); };
        } catch (e) { /* notifications refused here */ }
      }
    }

    function tick() {
      var now = Date.now();
      root.querySelectorAll("[data-waiting-since]").forEach(function (e) {
        e.textContent = waited(e.getAttribute("data-waiting-since"), now);
      });
    }
    setInterval(tick, 15000);

    return {
      /* The lists were read: the title's count, and an alert for each
         conversation new since the last list or with a visitor's new
         words, unless it is the one on screen. */
      listed: function (conversations, current) {
        var waiting = conversations.filter(function (c) { return c.status === "waiting"; }).length;
        document.title = waiting > 0 ? "(" + waiting + ") " + baseTitle : baseTitle;
        var next = {};
        conversations.forEach(function (c) {
          next[c.id] = c.visitor_wrote_at || "";
          if (known === null) return;
          var onScreen = c.id === current && !document.hidden;
          if (onScreen) return;
          if (!Object.prototype.hasOwnProperty.call(known, c.id)) ring(c, "New chat");
          else if (next[c.id] && next[c.id] !== known[c.id]) ring(c, "New message");
        });
        known = next;
        tick();
      },
      waited: waited
    };
  };
})();
