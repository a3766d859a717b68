// Inactivity timeout warning (GOV.UK timeout-warning pattern) and draft saving, so that a worker
// who is signed out, closes the tab or loses the connection never loses what they have typed.
(function () {
  "use strict";
  var dialog = document.getElementById("timeout-dialog");
  var csrf = document.getElementById("csrf-token");
  var token = csrf ? csrf.value : "";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {}),
    });
  }

  // --- inactivity timeout
  var leaving = false; // set once we navigate away ourselves: nothing more to save
  var timeoutAt = 0;
  var warnTimer = null;
  var tickTimer = null;
  var returnFocus = null;
  if (dialog) {
    var timeout = parseInt(dialog.dataset.timeout, 10) * 1000;
    var warning = parseInt(dialog.dataset.warning, 10) * 1000;
    var countdown = document.getElementById("timeout-countdown");

    var format = function (ms) {
      var s = Math.max(0, Math.ceil(ms / 1000));
      var m = Math.floor(s / 60);
      s = s % 60;
      return (m ? m + (m === 1 ? " minute " : " minutes ") : "") + s + (s === 1 ? " second" : " seconds");
    };
    var signOut = function () {
      saveAllDrafts().finally(function () {
        var next = window.location.pathname + window.location.search;
        var target = dialog.dataset.signInUrl + "?timeout=1&next=" + encodeURIComponent(next);
        // End the session on the server as well. Saving the draft counts as activity there, so without
        // this the "signed out" sign-in page would leave the session open behind an unattended screen.
        fetch(dialog.dataset.signOutUrl, { credentials: "same-origin", cache: "no-store" })
          .catch(function () { return null; })
          .then(function () {
            leaving = true;
            window.location.href = target;
          });
      });
    };
    var tick = function () {
      var left = timeoutAt - Date.now();
      countdown.textContent = format(left);
      if (left <= 0) { clearInterval(tickTimer); signOut(); }
    };
    var show = function () {
      clearInterval(tickTimer);
      // A draft saved while the warning is up counts as activity and restarts the timer: keep the one dialog.
      if (!dialog.open) {
        returnFocus = document.activeElement;
        if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
        document.getElementById("timeout-stay").focus();
      }
      saveAllDrafts();
      tick();
      tickTimer = setInterval(tick, 1000);
    };
    var restart = function () {
      timeoutAt = Date.now() + timeout;
      clearTimeout(warnTimer);
      warnTimer = setTimeout(show, Math.max(0, timeout - warning));
    };
    document.getElementById("timeout-stay").addEventListener("click", function () {
      post(dialog.dataset.extendUrl).then(function (r) {
        if (r.status === 401) { signOut(); return; }
        clearInterval(tickTimer);
        dialog.close ? dialog.close() : dialog.removeAttribute("open");
        if (returnFocus) { returnFocus.focus(); }
        restart();
      });
    });
    dialog.addEventListener("cancel", function (e) { e.preventDefault(); });
    restart();
    window.openascActivity = restart;
  }

  // --- drafts: forms marked data-autosave keep what is typed on the server
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-autosave]"));

  function formData(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken" || typeof value !== "string") { return; }
      if (Object.prototype.hasOwnProperty.call(data, key)) {
        data[key] = [].concat(data[key], value);
      } else { data[key] = value; }
    });
    return data;
  }

  // Only a form the worker has typed into since its last save is saved: a draft of an untouched form
  // would come back later as "what you typed" and could hide newer changes made by someone else.
  function saveDraft(form) {
    if (!form.openascDirty || form.openascSubmitting) { return Promise.resolve(); }
    var status = form.querySelector(".app-draft-status");
    form.openascDirty = false;
    return post(form.dataset.autosave, { path: form.dataset.draftPath, data: formData(form) }).then(function (r) {
      if (!r.ok) {
        form.openascDirty = true;
        if (status) { status.textContent = "Not saved. Your typing is still on this page."; }
        return;
      }
      if (status) {
        var d = new Date();
        status.textContent = "Draft saved at " + d.toTimeString().slice(0, 5);
      }
      if (window.openascActivity) { window.openascActivity(); }
    }).catch(function () {
      form.openascDirty = true;
      if (status) { status.textContent = "Not saved: check your connection. Your typing is still on this page."; }
    });
  }

  function saveAllDrafts() {
    return Promise.all(forms.map(saveDraft));
  }

  forms.forEach(function (form) {
    var timer = null;
    form.openascDirty = false;
    form.addEventListener("input", function () {
      form.openascDirty = true;
      clearTimeout(timer);
      timer = setTimeout(function () { saveDraft(form); }, 1500);
    });
    window.addEventListener("pagehide", function () {
      // Not after submitting: the server has the form and discards the draft when it saves; a late
      // draft would bring the old form back next time.
      if (!form.openascDirty || form.openascSubmitting || leaving) { return; }
      form.openascDirty = false;
      // keepalive lets the save finish after the tab has closed.
      fetch(form.dataset.autosave, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ path: form.dataset.draftPath, data: formData(form) }),
      });
    });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      form.openascSubmitting = true;
    });
    // Back from the browser's page cache: the form can be submitted (and saved) again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { form.openascSubmitting = false; }
    });
  });
})();
