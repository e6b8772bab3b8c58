// chatgate panel behaviour. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Destructive actions ask first, in a dialog of the page that says what
  // will happen; `action` names the button that goes ahead. Resolves true
  // when the person goes ahead. (Shared with the agent console.)
  function confirmInPage(what, action) {
    return new Promise(function (resolve) {
      var d = document.createElement("dialog");
      d.className = "dialog confirm-dialog";
      var form = document.createElement("form");
      form.method = "dialog";
      form.className = "stack";
      var h = document.createElement("h2");
      h.textContent = action + "?";
      var p = document.createElement("p");
      p.textContent = what;
      var actions = document.createElement("div");
      actions.className = "dialog-actions";
      var no = document.createElement("button");
      no.className = "btn"; no.value = "cancel"; no.textContent = "Cancel";
      var yes = document.createElement("button");
      yes.className = "btn btn-danger-solid"; yes.value = "ok"; yes.textContent = action;
      actions.appendChild(no); actions.appendChild(yes);
      form.appendChild(h); form.appendChild(p); form.appendChild(actions);
      d.appendChild(form);
      d.addEventListener("close", function () { resolve(d.returnValue === "ok"); d.remove(); });
      document.body.appendChild(d);
      d.showModal();
      no.focus();
    });
  }
  window.chatgate = window.chatgate || {};
  window.chatgate.confirmInPage = confirmInPage;

  // On a phone the sidebar folds into a bar; its Menu button opens it.
  // Escape closes it and gives the focus back to the button.
  var navToggle = document.querySelector(".nav-toggle");
  if (navToggle) {
    var side = navToggle.closest(".sidebar");
    var setNav = function (open) {
      side.classList.toggle("open", open);
      navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    navToggle.addEventListener("click", function () {
      setNav(navToggle.getAttribute("aria-expanded") !== "true");
    });
    side.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && side.classList.contains("open")) { setNav(false); navToggle.focus(); }
    });
  }

  // A user without a time zone gets the browser's: <body
  // data-time-zone-unset> reports it once. The server keeps the first one
  // and refuses zones it does not know; My profile changes it after that.
  var body = document.body;
  if (body && body.hasAttribute("data-time-zone-unset") && window.fetch) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    var token = document.querySelector("input[name=csrf_token]");
    var refused = "";
    try { refused = sessionStorage.getItem("chatgate.zone.refused") || ""; } catch (e) { refused = ""; }
    if (zone && token && zone !== refused) {
      body.removeAttribute("data-time-zone-unset");
      fetch("/profile/time-zone", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token.value },
        body: "time_zone=" + encodeURIComponent(zone)
      }).then(function (r) {
        // Times drawn from now on (the console's) use it at once.
        if (r.status === 204) body.setAttribute("data-time-zone", zone);
        // A zone the server does not know: not sent again in this tab.
        if (r.status === 400) try { sessionStorage.setItem("chatgate.zone.refused", zone); } catch (e) {}
      }).catch(function () {});
    }
  }

  // <form data-confirm="What will happen."> asks first; the dialog's button
  // is named after the form's submit button.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var what = form.getAttribute && form.getAttribute("data-confirm");
    if (!what || form.getAttribute("data-confirmed") === "yes") return;
    ev.preventDefault();
    var button = ev.submitter || form.querySelector("[type=submit]");
    var action = (button && button.textContent.trim()) || "Go ahead";
    confirmInPage(what, action).then(function (ok) {
      if (!ok) return;
      form.setAttribute("data-confirmed", "yes");
      if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit();
    });
  });

  // Live countdowns: <time class="countdown" data-until="RFC 3339">. The
  // server already wrote the time left, so without script it still reads
  // right as of the page load.
  var countdowns = document.querySelectorAll("time.countdown[data-until]");
  if (countdowns.length) {
    var tick = function () {
      countdowns.forEach(function (el) {
        var left = Math.floor((Date.parse(el.getAttribute("data-until")) - Date.now()) / 1000);
        if (isNaN(left)) return;
        if (left <= 0) { el.textContent = "now"; return; }
        var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
        var m = Math.floor(left % 3600 / 60), s = left % 60;
        el.textContent = (d ? d + "d " : "") + h + "h " + (m < 10 ? "0" : "") + m + "m " + (s < 10 ? "0" : "") + s + "s";
      });
    };
    tick();
    setInterval(tick, 1000);
  }

  // Filters apply as soon as they change: <select data-autosubmit>.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
  // A text file loaded into a form's textarea: <input type="file" data-file-into="NAME">.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    var name = el.getAttribute && el.getAttribute("data-file-into");
    if (!name || !el.files || !el.files[0] || !el.form) return;
    var target = el.form.elements[name];
    var reader = new FileReader();
    reader.onload = function () { if (target) target.value = String(reader.result || ""); };
    reader.readAsText(el.files[0]);
  });

  // Long checkbox lists filtered as you type: <input data-filter-list="ID">,
  // each <label data-name="…"> inside #ID.
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    var id = el.getAttribute && el.getAttribute("data-filter-list");
    var list = id && document.getElementById(id);
    if (!list) return;
    var q = el.value.trim().toLowerCase();
    list.querySelectorAll("label[data-name]").forEach(function (l) {
      l.hidden = q !== "" && l.getAttribute("data-name").indexOf(q) === -1;
    });
  });

  // Live counts of ticked boxes: <span data-checked-count="ID"> counts the
  // checked boxes inside #ID as they change, before any save.
  var recount = function () {
    document.querySelectorAll("[data-checked-count]").forEach(function (el) {
      var list = document.getElementById(el.getAttribute("data-checked-count"));
      if (list) el.textContent = String(list.querySelectorAll("input[type=checkbox]:checked").length);
    });
  };
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.type === "checkbox") recount();
  });
  recount();

  // Choices that make other fields irrelevant disable them:
  // <fieldset data-enabled-by="NAME=VALUE"> is enabled only while the radio
  // NAME=VALUE of the same form is chosen.
  var follow = function () {
    document.querySelectorAll("fieldset[data-enabled-by]").forEach(function (fs) {
      var pair = fs.getAttribute("data-enabled-by").split("=");
      var form = fs.form || fs.closest("form");
      var chosen = form && form.querySelector("input[type=radio][name='" + pair[0] + "']:checked");
      fs.disabled = !chosen || chosen.value !== pair[1];
    });
  };
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.type === "radio") follow();
  });
  follow();
})();

// A transcript's message the shield masked: Show asks for the original
// (the request is audited) and puts it in place.
(function () {
  document.querySelectorAll("button[data-reveal]").forEach(function (b) {
    b.addEventListener("click", function () {
      var token = document.querySelector("input[name=csrf_token]");
      fetch(b.getAttribute("data-reveal"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token ? token.value : "" }
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(); })
        .then(function (d) {
          var text = b.parentNode.querySelector(".text");
          if (text) text.textContent = d.text;
          b.remove();
        })
        .catch(function () { b.textContent = "Could not show it; try again"; });
    });
  });
})();
