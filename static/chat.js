/* chatgate: what the agent console and the chat frame share. A classic
 * script (no build step) that the page loads, deferred, before its own:
 * it defines window.chatgate. Server text goes in with textContent only. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function humanSize(n) {
    if (n < 1024) return n + " B";
    if (n < 1048576) return Math.round(n / 1024) + " KB";
    return (n / 1048576).toFixed(1) + " MB";
  }

  // The reader's time zone: the signed-in user's (<body data-time-zone>,
  // in the panel), else the browser's (the chat frame).
  function zoneOptions(options) {
    var zone = document.body && document.body.getAttribute("data-time-zone");
    var o = {};
    Object.keys(options).forEach(function (k) { o[k] = options[k]; });
    if (zone) o.timeZone = zone;
    return o;
  }

  function formatted(when, options) {
    try {
      return when.toLocaleString([], zoneOptions(options));
    } catch (e) { // a zone this browser does not know: its own
      return when.toLocaleString([], options);
    }
  }

  // When a message was sent, in the reader's time zone: "14:05", the date
  // and zone in its tooltip; nothing for a time that does not parse.
  function sentAt(iso) {
    var when = new Date(iso || "");
    if (isNaN(when.getTime())) return null;
    var t = el("time", "at", formatted(when, { hour: "2-digit", minute: "2-digit" }));
    t.dateTime = iso;
    t.title = formatted(when, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    return t;
  }

  // A conversation's list on screen. `visitorSide` says whose screen it is:
  // the visitor's own messages are "mine" in the frame and "theirs" in the
  // console. The author's name shows on the other side's messages, and on
  // every message in the console, where several agents may write.
  function transcript(list, visitorSide) {
    function add(node) {
      list.appendChild(node);
      list.scrollTop = list.scrollHeight;
    }
    function bubble(d, content) {
      var mine = (d.author === "visitor") === visitorSide;
      var li = el("li", "msg " + (mine ? "mine" : "theirs"));
      if (!mine || !visitorSide) li.appendChild(el("span", "who", d.name));
      li.appendChild(content);
      var at = sentAt(d.at);
      if (at) li.appendChild(at);
      add(li);
    }
    return { add: add, bubble: bubble };
  }

  // Events in order, each once: `handlers[kind](event, body)`. The returned
  // function takes each event; `.last()` is the newest sequence number seen
  // (where a stream resumes) and `.reset()` starts over (a new conversation,
  // or a redraw).
  function events(handlers) {
    var last = 0;
    function on(d) {
      if (d.seq <= last) return;
      last = d.seq;
      var h = handlers[d.kind];
      if (h) h(d, d.body || {});
    }
    on.last = function () { return last; };
    on.reset = function () { last = 0; };
    return on;
  }

  // Added to what the page's other scripts put there (app.js's dialog).
  var chatgate = window.chatgate = window.chatgate || {};
  chatgate.el = el;
  chatgate.humanSize = humanSize;
  chatgate.sentAt = sentAt;
  chatgate.formatted = formatted;
  chatgate.transcript = transcript;
  chatgate.events = events;
})();
