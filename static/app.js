// chatgate panel behaviour. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Destructive forms ask first: <form data-confirm="Really?">.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      ev.preventDefault();
    }
  });

  // Filters apply as soon as they change: <select data-autosubmit>.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
})();
