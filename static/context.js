/* chatgate agent console: the chat window's sidebar, what an agent may
 * know about the visitor (country, pages, earlier conversations,
 * protection history). Loaded after chat.js and before agent.js, which
 * drives it. Server text goes in with textContent only. */
(function () {
  "use strict";
  var chatgate = window.chatgate = window.chatgate || {};

  // A moment in the reader's time zone (chatgate.formatted), as short as
  // is clear: "17:05" today (`clock`), else "Nov 29, 17:05", with the year
  // when it is not this year's; `full` always with the year and the zone
  // (for tooltips).
  function when(iso, style) {
    var d = new Date(iso || ""), now = new Date();
    if (isNaN(d.getTime())) return "";
    var fmt = chatgate.formatted;
    var day = { year: "numeric", month: "numeric", day: "numeric" };
    var clock = { hour: "2-digit", minute: "2-digit" };
    if (style === "clock" && fmt(d, day) === fmt(now, day)) return fmt(d, clock);
    var opts = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    if (style === "full" || fmt(d, { year: "numeric" }) !== fmt(now, { year: "numeric" })) opts.year = "numeric";
    if (style === "full") opts.timeZoneName = "short";
    return fmt(d, opts);
  }

  // A <time> for `iso`, the full moment in its tooltip.
  function time(el, iso, style) {
    var t = el("time", null, when(iso, style));
    t.dateTime = iso;
    t.title = when(iso, "full");
    return t;
  }

  // A page address as shown: without the scheme.
  function shortUrl(url) { return String(url).replace(/^https?:\/\//, ""); }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // `aside` is the sidebar element; `chat` the chat window it belongs to.
  chatgate.visitorContext = function (aside, chat) {
    var el = chatgate.el;
    var toggle = aside.querySelector(".context-toggle");
    function part(id) { return aside.querySelector("#context-" + id); }
    var current = null, loaded = null, lastPage = null, pending = null;

    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });

    function fill(name, items, render) {
      var list = part(name);
      list.textContent = "";
      items.forEach(function (it) { list.appendChild(render(it)); });
      var empty = aside.querySelector('.context-empty[data-for="' + name + '"]');
      if (empty) empty.hidden = items.length > 0;
    }

    // The country, and beside it the language the visitor's widget speaks.
    function country(c, lang) {
      var p = part("country");
      p.textContent = "";
      if (c.flag) {
        var f = el("span", "context-flag", c.flag);
        f.setAttribute("aria-hidden", "true");
        p.appendChild(f);
      }
      p.appendChild(el("span", null, c.name));
      if (lang) {
        var l = el("span", "context-lang", lang.name);
        l.title = "The chat window speaks " + lang.name + " to this visitor";
        p.appendChild(l);
      }
    }

    function page(d) {
      part("page-title").textContent = d.online ? "Current page" : "Last page seen";
      var p = part("page");
      p.textContent = d.page ? shortUrl(d.page.url) : "Not known";
      p.title = d.page ? d.page.url : "";
      p.classList.toggle("muted", !d.page);
      fill("pages", d.pages, function (pg) {
        var li = el("li");
        var u = el("span", "context-url", shortUrl(pg.url));
        u.title = pg.url;
        li.appendChild(u);
        if (pg.seen_at) li.appendChild(time(el, pg.seen_at, "clock"));
        return li;
      });
    }

    function earlier(e) {
      var li = el("li", "context-earlier");
      var a = el("a", null);
      a.href = e.link;
      a.target = "_blank";
      a.rel = "noopener";
      a.appendChild(time(el, e.started_at));
      li.appendChild(a);
      li.appendChild(el("span", "muted", plural(e.messages, "message", "messages")));
      if (e.blocked) li.appendChild(el("span", "badge badge-bad", "Blocked"));
      return li;
    }

    var STATE = { active: "Active", expired: "Expired", lifted: "Lifted early" };
    function block(b) {
      var li = el("li", "context-block " + b.state);
      var head = el("p", "context-block-head");
      head.appendChild(el("span", "badge" + (b.state === "active" ? " badge-bad" : ""), STATE[b.state] || b.state));
      var which = b.this_conversation ? "This conversation"
        : b.this_browser && b.this_network ? "This browser and network"
        : b.this_browser ? "This browser" : "This network";
      head.appendChild(el("span", "muted", which));
      li.appendChild(head);
      li.appendChild(el("p", "context-reason", b.reason));
      var by = el("p", "muted small");
      by.appendChild(document.createTextNode("Blocked "));
      by.appendChild(time(el, b.at));
      by.appendChild(document.createTextNode(" by " + b.by));
      li.appendChild(by);
      var end = el("p", "muted small");
      end.appendChild(document.createTextNode(
        b.state === "active" ? "Until " : b.state === "lifted" ? "Lifted " : "Ended "));
      end.appendChild(time(el, b.ends_at));
      if (b.state === "lifted" && b.lifted_by) end.appendChild(document.createTextNode(" by " + b.lifted_by));
      li.appendChild(end);
      if (b.link && !b.this_conversation) {
        var a = el("a", "small", "Open the conversation");
        a.href = b.link;
        a.target = "_blank";
        a.rel = "noopener";
        li.appendChild(a);
      }
      return li;
    }

    function show(d) {
      country(d.country, d.language);
      page(d);
      fill("earlier", d.earlier, earlier);
      fill("blocks", d.blocks, block);
      var n = d.refusals_7d;
      part("refusals").textContent = n > 0
        ? "Refused " + plural(n, "time", "times") + " in the last 7 days"
        : "No refusals in the last 7 days";
      part("refusals").classList.toggle("warn", n > 0);
      // The page the list shows while the visitor is online.
      lastPage = d.online && d.page ? d.page.url : null;
      aside.hidden = false;
      chat.classList.add("has-context");
    }

    function load() {
      var id = current;
      if (id === null) return;
      fetch("/agent/api/conversations/" + id + "/context", { credentials: "same-origin" })
        .then(function (r) { if (r.redirected || !r.ok) throw new Error(); return r.json(); })
        .then(function (d) { if (current === id) { loaded = id; show(d); } })
        .catch(function () { /* keep what is shown */ });
    }

    return {
      // A conversation was opened: its visitor's context, from the start.
      open: function (id) {
        if (id !== loaded) {
          aside.hidden = true;
          chat.classList.remove("has-context");
        }
        current = id; lastPage = null;
        load();
      },
      // The conversation changed (it ended, a block): read again soon.
      refresh: function () {
        if (pending) return;
        pending = setTimeout(function () { pending = null; load(); }, 300);
      },
      // The list says the visitor is on `url`: read again when it moved.
      pageIs: function (url) {
        if (!url || url === lastPage || loaded !== current) return;
        lastPage = url;
        this.refresh();
      }
    };
  };
})();
