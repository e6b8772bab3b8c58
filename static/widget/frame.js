/* chatgate chat frame: the button, invitations and the chat panel.
 * All text from the server is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var el = chatgate.el;
  var body = document.body;
  var key = body.getAttribute("data-case");
  var visitor = keptVisitor(body.getAttribute("data-visitor"));
  // The read-only ticket for the event stream (from /state); each file link
  // asks for a ticket of its own when clicked.
  var ticket = "";
  // Refused streams in a row; after a few the frame stops asking.
  var refusals = 0;
  var pageUrl = body.getAttribute("data-url") || "";
  // The visitor's language, as the server chose it, and its texts.
  var lang = body.getAttribute("data-lang") || "en";
  var texts = {};
  try { texts = JSON.parse(body.getAttribute("data-texts") || "{}"); } catch (e) { /* English ids show */ }
  function t(id, name) {
    var s = texts[id] || id;
    return name === undefined ? s : s.replace("{name}", name);
  }
  var base = "/widget/v1/" + encodeURIComponent(key);
  function $(id) { return document.getElementById(id); }

  // Who this visitor is: the id kept in the frame's own storage, which the
  // browser keeps per top-level site, so it survives third-party-cookie
  // blocking. The first frame on a site keeps the id the server named.
  // Each chat (case) keeps its own id, so accounts never share one.
  function keptVisitor(named) {
    var name = "chatgate:visitor:" + key, valid = /^[A-Za-z0-9_-]{43}$/;
    try {
      var kept = window.localStorage.getItem(name);
      if (kept && valid.test(kept)) return kept;
      window.localStorage.setItem(name, named);
    } catch (e) { /* no storage: this page view only */ }
    return named;
  }
  function withTicket(url) { return url + "&ticket=" + encodeURIComponent(ticket); }
  function readState() {
    return fetch(at("/state"), { credentials: "same-origin", cache: "no-store", headers: { "X-Chatgate-Visitor": visitor, "X-Chatgate-Lang": lang } });
  }
  // Every request names the page the chat is on, for the website rules.
  function at(path) {
    return base + path + (path.indexOf("?") === -1 ? "?" : "&") + "url=" + encodeURIComponent(pageUrl);
  }
  var panel = $("panel"), launcher = $("launcher"), log = $("log"), input = $("input");
  var form = $("composer"), fileInput = $("file"), errorEl = $("error"), invitation = $("invitation");
  var conversation = null, ended = false, source = null, isOpen = false, gone = false;
  var reconnected = 0;
  var shareCards = [], surveyCards = [];

  function size() {
    var w = 84, h = 84;
    if (isOpen) { w = 384; h = 620; } else if (!invitation.hidden) { w = 340; h = 200; }
    window.parent.postMessage({ type: "chatgate:size", width: w, height: h, open: isOpen, rtl: document.dir === "rtl", title: t("chat-label") }, "*");
  }
  // On a phone the page's loader opens the chat full screen and says so:
  // the panel then fills the frame and the minimise button closes it.
  window.addEventListener("message", function (ev) {
    if (ev.source !== window.parent || !ev.data || ev.data.type !== "chatgate:layout") return;
    document.body.classList.toggle("full", ev.data.full === true);
  });

  // The chat is no longer available to this visitor: the input goes
  // inactive without a word, and once the panel is closed nothing remains.
  function goQuiet() {
    gone = true;
    share.ended();
    if (source) { source.close(); source = null; }
    input.value = "";
    input.placeholder = "";
    input.disabled = true;
    fileInput.disabled = true;
    $("send").disabled = true;
    invitation.hidden = true;
    showError("");
    if (!isOpen) vanish();
  }

  function vanish() {
    launcher.hidden = true;
    panel.hidden = true;
    invitation.hidden = true;
    window.parent.postMessage({ type: "chatgate:remove" }, "*");
  }

  function setOpen(open) {
    if (gone && !open) { isOpen = false; vanish(); return; }
    isOpen = open;
    // Read before the panel hides: a hidden panel loses the focus.
    var focusInPanel = panel.contains(document.activeElement);
    panel.hidden = !open;
    launcher.classList.toggle("is-open", open);
    launcher.setAttribute("aria-label", open ? t("close-chat") : t("open-chat"));
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    // Focus goes into the panel when it opens, and back to the button when
    // it closes.
    if (open) { invitation.hidden = true; setTimeout(function () { input.focus(); }, 0); log.scrollTop = log.scrollHeight; }
    else if (focusInPanel || document.activeElement === document.body) launcher.focus();
    size();
  }

  function showError(msg) {
    errorEl.textContent = msg || "";
    errorEl.hidden = !msg;
  }

  // `leaving`: the request outlives the page (keepalive).
  function api(method, path, payload, leaving) {
    var opts = { method: method, credentials: "same-origin", keepalive: !!leaving, headers: { "X-Chatgate-Visitor": visitor, "X-Chatgate-Lang": lang } };
    if (payload instanceof FormData) {
      opts.body = payload;
    } else if (payload !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(payload);
    }
    return fetch(at(path), opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        if (d.code === "unavailable") { goQuiet(); throw new Error(""); }
        if (!r.ok) throw new Error(d.error || t("error-generic"));
        return d;
      });
    });
  }

  var shown = chatgate.transcript(log, true), add = shown.add, bubble = shown.bubble;
  var share = chatgate.screenShare({
    api: api, bar: $("share-bar"), stop: $("share-stop"),
    failed: function () { showError(t("share-failed")); }
  });

  function line(text) { add(el("li", "system", text)); }

  var onEvent = chatgate.events({
    message: function (d, b) {
      // The line the server writes when a file starts the chat, in English
      // for the agents, reads in the visitor's language here.
      var text = d.author === "visitor" && b.text === texts["sent-a-file:en"] ? t("sent-a-file") : b.text;
      bubble(d, el("p", "text", text));
    },
    file: function (d, b) {
      var a = el("a", "file", b.name + " (" + chatgate.humanSize(b.size || 0) + ")");
      a.href = "#";
      a.addEventListener("click", downloadFile(conversation, b.file));
      bubble(d, a);
    },
    agent_joined: function (d) { line(t("agent-joined", d.name)); },
    warning: function () { line(t("shield-warning")); },
    screen_share_requested: function (d) {
      var card = el("li", "card");
      card.appendChild(el("p", null, t("share-asks", d.name)));
      var row = el("div", "actions");
      var yes = el("button", "btn primary", t("share-yes"));
      var no = el("button", "btn", t("share-no"));
      yes.type = no.type = "button";
      yes.addEventListener("click", function () { answerShare(true); });
      no.addEventListener("click", function () { answerShare(false); });
      row.appendChild(yes); row.appendChild(no); card.appendChild(row);
      // Most phone browsers cannot share a screen: say so, and leave No.
      if (!share.supported()) {
        yes.disabled = true;
        card.appendChild(el("p", "note", t("share-unsupported")));
      }
      shareCards.push(card);
      add(card);
    },
    screen_share_accepted: function () { shareAnswered(t("share-accepted")); },
    screen_share_declined: function () { shareAnswered(t("share-declined")); },
    share_signal: function (d, b) { share.signal(b.signal); },
    screen_share_ended: function () {
      shareCards.forEach(function (c) { c.querySelectorAll("button").forEach(function (x) { x.disabled = true; }); });
      share.ended();
      line(t("share-ended"));
    },
    survey_offered: function () { add(surveyCard()); },
    survey_answered: function () {
      surveyCards.forEach(function (c) { c.remove(); });
      line(t("survey-thanks"));
    },
    closed: function () {
      ended = true;
      line(t("ended"));
    }
  });

  function shareAnswered(text) {
    shareCards.forEach(function (c) { c.querySelectorAll("button").forEach(function (x) { x.disabled = true; }); });
    line(text);
  }

  // A file link fetches a ticket for that one file, then downloads it.
  function downloadFile(conv, file) {
    var path = "/conversations/" + encodeURIComponent(conv) + "/files/" + encodeURIComponent(file);
    return function (ev) {
      ev.preventDefault();
      api("GET", path + "/ticket")
        .then(function (d) {
          var link = el("a");
          link.href = at(path) + "&ticket=" + encodeURIComponent(d.ticket);
          link.setAttribute("download", "");
          link.click();
          showError("");
        })
        .catch(function (e) { showError(e.message); });
    };
  }

  function surveyCard() {
    var card = el("li", "card survey");
    var f = el("form");
    f.appendChild(el("p", null, t("survey-question")));
    var stars = el("div", "stars");
    var rating = 0;
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        // The star is drawn by CSS; the button is named by its label.
        var s = el("button", "star");
        s.type = "button";
        s.setAttribute("aria-label", t("survey-stars-" + n));
        s.addEventListener("click", function () {
          rating = n;
          stars.querySelectorAll(".star").forEach(function (x, j) {
            x.classList.toggle("on", j < n);
            x.setAttribute("aria-pressed", j === n - 1 ? "true" : "false");
          });
        });
        stars.appendChild(s);
      })(i);
    }
    f.appendChild(stars);
    var comment = el("textarea");
    comment.rows = 2; comment.maxLength = 2000; comment.placeholder = t("survey-comment");
    comment.setAttribute("aria-label", t("survey-comment"));
    f.appendChild(comment);
    var send = el("button", "btn primary", t("survey-send"));
    send.type = "submit";
    f.appendChild(send);
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      api("POST", "/conversations/" + encodeURIComponent(conversation) + "/survey", { rating: rating, comment: comment.value })
        .then(function () { showError(""); })
        .catch(function (e) { showError(e.message); });
    });
    card.appendChild(f);
    surveyCards.push(card);
    return card;
  }

  // Yes asks the browser for a screen at once, in the click, as browsers
  // require; the answer is stored meanwhile.
  function answerShare(accept) {
    var answered = api("POST", "/conversations/" + encodeURIComponent(conversation) + "/screen-share", { accept: accept });
    if (accept) share.start(conversation, answered);
    answered.then(function () { showError(""); }).catch(function (e) { showError(e.message); });
  }

  function onInvitation(d) {
    if (isOpen || gone) return;
    invitation.querySelector(".invitation-from").textContent = d.agent;
    invitation.querySelector(".invitation-text").textContent = d.message;
    invitation.hidden = false;
    size();
  }

  function connect() {
    if (source) source.close();
    var q = "?url=" + encodeURIComponent(pageUrl);
    if (conversation) q += "&conversation=" + encodeURIComponent(conversation) + "&after=" + onEvent.last();
    source = new EventSource(withTicket(base + "/events" + q));
    source.onopen = function () { refusals = 0; };
    source.onmessage = function (ev) {
      var d;
      try { d = JSON.parse(ev.data); } catch (e) { return; }
      if (d.type === "event") onEvent(d);
      else if (d.type === "invitation") onInvitation(d);
      else if (d.type === "unavailable") goQuiet();
      // The server is stopping: reconnect at once (another instance may
      // answer), at most once a second.
      else if (d.type === "reconnect") { source.close(); setTimeout(connect, Date.now() - reconnected < 1000 ? 1000 : 0); reconnected = Date.now(); }
    };
    source.onerror = function () {
      // A refused stream is closed for good; find out whether the chat went away.
      if (source && source.readyState === EventSource.CLOSED) {
        // Backs off (3, 6, 12, 24, 48 s) and stops after five refusals in a row.
        refusals += 1;
        if (refusals > 5) return;
        var wait = 3000 * Math.pow(2, refusals - 1);
        readState()
          .then(function (r) { return r.json(); })
          .then(function (d) {
            if (d.code === "unavailable") { goQuiet(); return; }
            if (d.ticket) ticket = d.ticket;
            setTimeout(connect, wait);
          })
          .catch(function () { setTimeout(connect, wait); });
      }
    };
  }

  function switchTo(id) {
    if (id === conversation) return;
    conversation = id; ended = false; onEvent.reset();
    shareCards = []; surveyCards = [];
    log.textContent = "";
    connect();
  }

  function send(text) {
    return api("POST", "/messages", { text: text, conversation: ended ? null : conversation, url: pageUrl || null })
      .then(function (d) { showError(""); switchTo(d.conversation); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    send(text).then(function () { input.value = ""; }).catch(function (e) { showError(e.message); });
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  fileInput.addEventListener("change", function () {
    var f = fileInput.files && fileInput.files[0];
    if (!f) return;
    var data = new FormData();
    data.append("file", f, f.name);
    var q = conversation && !ended ? "?conversation=" + encodeURIComponent(conversation) : "";
    api("POST", "/files" + q, data)
      .then(function (d) { showError(""); switchTo(d.conversation); })
      .catch(function (e) { showError(e.message); })
      .then(function () { fileInput.value = ""; });
  });
  launcher.addEventListener("click", function () { setOpen(!isOpen); });
  $("minimise").addEventListener("click", function () { setOpen(false); });
  // Escape closes the open panel (and dismisses an invitation).
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    if (isOpen) { ev.preventDefault(); setOpen(false); }
    else if (!invitation.hidden) { invitation.hidden = true; size(); }
  });
  invitation.addEventListener("click", function (ev) {
    if (ev.target.classList.contains("invitation-close")) { invitation.hidden = true; size(); return; }
    setOpen(true);
  });

  // A new page view: an open conversation continues; one that ended (by an
  // agent, a block or its expiry) is not shown, and writing starts afresh.
  // One an agent closed is shown while its survey waits for an answer;
  // writing starts afresh all the same.
  readState()
    .then(function (r) { if (!r.ok) throw new Error(); return r.json(); })
    .then(function (s) {
      ticket = s.ticket || "";
      launcher.hidden = false;
      size();
      if (s.conversation) {
        conversation = s.conversation.id;
        ended = s.conversation.status === "closed";
      }
      connect();
    })
    .catch(function () { /* the chat stays hidden */ });
})();
