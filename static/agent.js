/* chatgate agent console. Server text is inserted with textContent only. */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var csrf = root.getAttribute("data-csrf");
  function $(id) { return document.getElementById(id); }
  var transcript = $("transcript"), input = $("reply-input"), sendBtn = $("reply-send"), fileInput = $("reply-file");
  var menuButton = $("menu-button"), menu = $("menu"), errorEl = $("chat-error");
  var previewsButton = $("previews-button"), menuPreviews = $("menu-previews");
  var current = null, convSource = null, info = null;
  // The open conversation's events, to draw again when previews change.
  var seen = [], previews = true;

  var el = chatgate.el, humanSize = chatgate.humanSize;
  var alerts = chatgate.alerts(root);
  var context = chatgate.visitorContext($("visitor-context"), $("chat"));

  function api(method, path, payload) {
    var opts = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (payload instanceof FormData) opts.body = payload;
    else if (payload !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(payload); }
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) {
        if (!r.ok) throw new Error(d.error || "Something went wrong. Please try again.");
        return d;
      });
    });
  }

  function showError(msg) { errorEl.textContent = msg || ""; errorEl.hidden = !msg; }

  // ---- the lists on the left ----
  function fill(listId, items, render) {
    var list = $(listId);
    list.textContent = "";
    items.forEach(function (it) { list.appendChild(render(it)); });
    var empty = root.querySelector('.queue-empty[data-for="' + listId + '"]');
    if (empty) empty.hidden = items.length > 0;
    var count = $("count-" + listId);
    if (count) count.textContent = items.length;
  }

  function conversationItem(c) {
    var li = el("li");
    var b = el("button", "queue-item" + (c.id === current ? " selected" : ""));
    b.type = "button";
    b.setAttribute("data-conversation", c.id);
    b.appendChild(el("strong", null, c.visitor));
    b.appendChild(el("span", "muted", c.case + " · " + c.messages + (c.messages === 1 ? " message" : " messages")));
    if (c.status === "waiting") {
      var w = el("span", "waited", alerts.waited(c.started_at, Date.now()));
      w.setAttribute("data-waiting-since", c.started_at);
      b.appendChild(w);
    }
    b.addEventListener("click", function () { openConversation(c.id); });
    li.appendChild(b);
    return li;
  }

  function visitorItem(v) {
    var li = el("li", "queue-visitor");
    var text = el("div");
    text.appendChild(el("strong", null, v.label));
    text.appendChild(el("span", "muted", v.case));
    var b = el("button", "btn btn-small", "Invite");
    b.type = "button";
    b.setAttribute("data-visitor", v.id);
    b.addEventListener("click", function () { invite(v); });
    li.appendChild(text); li.appendChild(b);
    return li;
  }

  function refresh() {
    fetch("/agent/api/overview", { credentials: "same-origin" })
      .then(function (r) { if (r.redirected || !r.ok) throw new Error(); return r.json(); })
      .then(function (o) {
        fill("waiting", o.conversations.filter(function (c) { return c.status === "waiting"; }), conversationItem);
        fill("active", o.conversations.filter(function (c) { return c.status === "active"; }), conversationItem);
        fill("visitors", o.visitors, visitorItem);
        alerts.listed(o.conversations, current);
        o.conversations.forEach(function (c) { if (c.id === current) context.pageIs(c.page_url); });
      })
      .catch(function () { /* keep what is shown */ });
  }
  var pending = null;
  function refreshSoon() { if (!pending) pending = setTimeout(function () { pending = null; refresh(); }, 150); }

  // ---- the open conversation ----
  var shown = chatgate.transcript(transcript, false), bubble = shown.bubble;
  function line(text, cls) { var li = el("li", "system " + (cls || ""), text); shown.add(li); return li; }

  // ---- the visitor's shared screen ----
  // A redraw (previews toggled) draws lines again but never reconnects.
  var redrawing = false;
  var viewer = chatgate.shareView({
    panel: $("share-panel"), video: $("share-video"), status: $("share-status"),
    full: $("share-full"), end: $("share-end"), me: root.getAttribute("data-user"),
    api: api, error: function (m) { showError(m); }
  });
  function duration(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return h ? h + " h " + m + " min" : m ? m + " min " + s % 60 + " s" : s + " s";
  }
  function shareEnded(d, b) {
    var who = { visitor: "by the visitor", agent: "by " + d.name, block: "by the block" }[b.by] || "with the conversation";
    return "Screen sharing ended " + who + (typeof b.secs === "number" ? " after " + duration(b.secs) : " before it started");
  }

  // A checked image as a picture when previews are on; otherwise, and for
  // every other file, a link with the name and size.
  function fileContent(b) {
    var href = "/agent/files/" + encodeURIComponent(b.file);
    var label = b.name + " (" + humanSize(b.size || 0) + ")";
    if (!(b.preview && previews)) {
      var a = el("a", "file", label);
      a.href = href;
      return a;
    }
    var link = el("a", "file-preview");
    link.href = href;
    link.title = "Download " + label;
    var img = el("img");
    img.src = href + "/preview";
    img.alt = b.name;
    link.appendChild(img);
    return link;
  }

  var draw = chatgate.events({
    message: function (d, b) {
      var p = el("p", "text", b.text);
      if (!b.shielded) { bubble(d, p); return; }
      // Masked by the shield: Show asks for the original (audited).
      var wrap = el("div", "shielded");
      var show = el("button", "btn btn-small link-button", "Show");
      show.type = "button";
      show.setAttribute("aria-label", "Show the masked words of this message");
      var conv = current;
      show.addEventListener("click", function () {
        api("POST", "/agent/api/conversations/" + conv + "/events/" + d.seq + "/reveal")
          .then(function (r) { p.textContent = r.text; show.remove(); })
          .catch(function (e) { showError(e.message); });
      });
      wrap.appendChild(p);
      wrap.appendChild(show);
      bubble(d, wrap);
    },
    file: function (d, b) { bubble(d, fileContent(b)); },
    agent_joined: function (d) { line(d.name + " joined the conversation"); },
    screen_share_requested: function (d) { line(d.name + " asked to see the visitor's screen"); },
    screen_share_accepted: function () { line("The visitor accepted the screen-share request", "ok"); },
    screen_share_declined: function () { line("The visitor declined the screen-share request", "warn"); },
    screen_share_started: function (d, b) {
      line("The visitor started sharing their screen", "ok");
      if (!redrawing) viewer.started(current, b.agent);
    },
    screen_share_ended: function (d, b) { line(shareEnded(d, b)); if (!redrawing) viewer.ended(); },
    share_signal: function (d, b) { if (!redrawing) viewer.signal(current, d, b); },
    survey_offered: function () { line("Survey sent to the visitor"); },
    survey_answered: function (d, b) {
      line("Survey answer: " + b.rating + " of 5" + (b.comment ? " · “" + b.comment + "”" : ""), "ok");
    },
    closed: function (d) { line("Conversation closed by " + d.name); setClosed(true); },
    warning: function (d, b) { line("The visitor was warned: " + (b.text || ""), "warn"); },
    note: function (d, b) {
      var li = line(b.text || "", "note");
      // Flood control's repeat offender: Block, with the reason filled in.
      if (b.block_reason) {
        var btn = el("button", "btn btn-small btn-danger", "Block…");
        btn.type = "button";
        btn.className += " offer-block";
        btn.addEventListener("click", function () { openBlock(b.block_reason); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(btn);
      }
    }
  });
  function onEvent(d) {
    if (d.seq > draw.last() && d.kind !== "share_signal") seen.push(d);
    draw(d);
  }

  function setClosed(closed, blocked) {
    input.disabled = sendBtn.disabled = fileInput.disabled = closed;
    input.placeholder = !closed ? "Write a reply…"
      : blocked ? "The visitor is blocked. This conversation has ended."
      : "This conversation has ended.";
  }

  // ---- image previews, per conversation ----
  function showPreviewState() {
    var text = previews ? "Hide image previews" : "Show image previews";
    menuPreviews.textContent = text;
    previewsButton.setAttribute("aria-label", text);
    previewsButton.title = text;
    previewsButton.setAttribute("aria-pressed", previews ? "true" : "false");
    previewsButton.classList.toggle("off", !previews);
  }

  function redraw() {
    var events = seen;
    seen = []; draw.reset();
    transcript.textContent = "";
    redrawing = true;
    events.forEach(onEvent);
    redrawing = false;
  }

  function togglePreviews() {
    if (!current) return;
    api("POST", "/agent/api/conversations/" + current + "/previews", { show: !previews })
      .then(function (d) { previews = d.image_previews; showPreviewState(); redraw(); showError(""); })
      .catch(function (e) { showError(e.message); });
  }
  previewsButton.addEventListener("click", togglePreviews);

  // ---- the event streams ----
  // A stopping server says "reconnect": the console does so at once (to
  // another instance when there is one), at most once a second. A session
  // that ended (signed out, deactivated, a new role, timed out) says
  // "signed_out": the console goes to the sign-in page.
  var lastReconnect = 0;
  function reconnect(open) {
    var wait = Date.now() - lastReconnect < 1000 ? 1000 : 0;
    lastReconnect = Date.now();
    setTimeout(open, wait);
  }
  function signedOut() {
    if (convSource) convSource.close();
    if (live) live.close();
    location.href = "/login?next=%2Fagent";
  }
  function control(d, source, open) {
    if (d.type === "reconnect") { source.close(); reconnect(open); return true; }
    if (d.type === "signed_out") { signedOut(); return true; }
    return false;
  }

  function follow(id) {
    if (convSource) convSource.close();
    var source = convSource = new EventSource("/agent/conversations/" + id + "/events?after=" + draw.last());
    source.onmessage = function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
      if (control(d, source, function () { if (current === id) follow(id); })) return;
      if (d.type === "event") onEvent(d);
      // The conversation ended here or in another agent's console (a block
      // included): the composer closes at once.
      else if (d.type === "state" && current === id) {
        setClosed(d.closed, d.blocked);
        if (d.closed) viewer.ended();
        context.refresh();
      }
    };
  }

  function openConversation(id) {
    viewer.ended();
    current = id; seen = []; draw.reset();
    root.classList.add("chatting");
    if (convSource) convSource.close();
    transcript.textContent = "";
    showError("");
    history.replaceState(null, "", "#c=" + id);
    context.open(id);
    root.querySelectorAll(".queue-item").forEach(function (b) {
      b.classList.toggle("selected", b.getAttribute("data-conversation") == id);
    });
    fetch("/agent/api/conversations/" + id, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("This conversation does not exist."); return r.json(); })
      .then(function (c) {
        info = c;
        previews = c.image_previews !== false;
        showPreviewState();
        previewsButton.disabled = false;
        $("chat-title").textContent = c.visitor;
        $("chat-sub").textContent = c.case + (c.page_url ? " · " + c.page_url : "");
        menuButton.disabled = false;
        setClosed(c.status === "closed");
        follow(id);
        input.focus();
      })
      .catch(function (e) { showError(e.message); });
  }

  // On a phone the list and the open chat take turns; Back shows the list.
  $("chat-back").addEventListener("click", function () {
    root.classList.remove("chatting");
    var item = root.querySelector(".queue-item.selected");
    if (item) item.focus();
  });

  $("reply").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!current) return;
    api("POST", "/agent/api/conversations/" + current + "/messages", { text: input.value })
      .then(function () { input.value = ""; showError(""); })
      .catch(function (e) { showError(e.message); });
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("reply").requestSubmit(); }
  });
  fileInput.addEventListener("change", function () {
    var f = fileInput.files && fileInput.files[0];
    if (!f || !current) return;
    var data = new FormData();
    data.append("file", f, f.name);
    api("POST", "/agent/api/conversations/" + current + "/files", data)
      .then(function () { showError(""); })
      .catch(function (e) { showError(e.message); })
      .then(function () { fileInput.value = ""; });
  });

  // ---- the hamburger menu ----
  function setMenu(open) { menu.hidden = !open; menuButton.setAttribute("aria-expanded", open ? "true" : "false"); }
  function menuItems() { return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]")); }
  // Opens the menu with item `at` (0 the first, -1 the last) focused.
  function openMenu(at) {
    setMenu(true);
    var items = menuItems();
    items[(at + items.length) % items.length].focus();
  }
  function closeMenu() { setMenu(false); menuButton.focus(); }
  menuButton.addEventListener("click", function (ev) {
    ev.stopPropagation();
    if (menu.hidden) openMenu(0); else setMenu(false);
  });
  menuButton.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") { ev.preventDefault(); openMenu(ev.key === "ArrowDown" ? 0 : -1); }
  });
  // Arrow keys move round the items, Home and End go to the ends, Escape
  // closes and gives the focus back to the button; Tab leaves the menu.
  menu.addEventListener("keydown", function (ev) {
    var items = menuItems(), at = items.indexOf(document.activeElement);
    var to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[ev.key];
    if (to !== undefined) {
      ev.preventDefault();
      items[(to + items.length) % items.length].focus();
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      closeMenu();
    } else if (ev.key === "Tab") {
      setMenu(false);
    }
  });
  document.addEventListener("click", function (ev) { if (!menu.contains(ev.target)) setMenu(false); });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !menu.hidden) closeMenu(); });
  menu.addEventListener("click", function (ev) {
    var action = ev.target.getAttribute && ev.target.getAttribute("data-action");
    if (!action || !current) return;
    setMenu(false);
    if (action === "block") { openBlock(); return; }
    if (action === "previews") { togglePreviews(); return; }
    var act = function () {
      api("POST", "/agent/api/conversations/" + current + "/" + action)
        .then(function () { showError(""); refreshSoon(); })
        .catch(function (e) { showError(e.message); });
    };
    if (action !== "close") { act(); return; }
    chatgate.confirmInPage("The conversation ends for the visitor and for every agent, and the visitor is offered the survey.", "Close conversation")
      .then(function (ok) { if (ok) act(); else menuButton.focus(); });
  });

  // ---- blocking ----
  var blockDialog = $("block-dialog"), blockError = $("block-error"), blockReason = $("block-reason");
  function openBlock(reason) {
    blockError.hidden = true;
    if (typeof reason === "string") blockReason.value = reason;
    blockDialog.showModal();
    blockReason.focus();
  }
  $("block-cancel").addEventListener("click", function () { blockDialog.close(); });
  $("block-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reason = blockReason.value;
    if (!reason.trim()) {
      blockError.textContent = "Give a reason for the block. The visitor never sees it.";
      blockError.hidden = false;
      return;
    }
    api("POST", "/agent/api/conversations/" + current + "/block", { reason: reason })
      .then(function () { blockReason.value = ""; blockDialog.close(); refreshSoon(); })
      .catch(function (e) { blockError.textContent = e.message; blockError.hidden = false; });
  });

  // ---- invitations ----
  var dialog = $("invite-dialog"), inviting = null;
  function invite(v) {
    inviting = v;
    $("invite-who").textContent = v.label;
    $("invite-error").hidden = true;
    dialog.showModal();
  }
  $("invite-cancel").addEventListener("click", function () { dialog.close(); });
  $("invite-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/agent/api/visitors/" + inviting.id + "/invite", { message: $("invite-text").value })
      .then(function () { dialog.close(); })
      .catch(function (e) { var x = $("invite-error"); x.textContent = e.message; x.hidden = false; refreshSoon(); });
  });

  var live = null;
  function listen() {
    var source = live = new EventSource("/agent/events");
    source.onmessage = function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { d = {}; }
      if (control(d, source, listen)) return;
      refreshSoon();
    };
  }
  listen();
  refresh();
  var m = /#c=(\d+)/.exec(location.hash);
  if (m) openConversation(Number(m[1]));
})();
