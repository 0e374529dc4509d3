// The edit form, enhanced: a warning before leaving it with unsaved
// changes, Enter in a one-line field does not save, and what was typed is
// kept in this browser until it is saved, offered back after a crash or a
// closed tab. Every word comes from the page (data-* attributes written
// from the catalogues). Without JavaScript the form works as it is.
(function () {
  "use strict";
  var form = document.querySelector("form.edit");
  if (!form) {
    return;
  }
  var base = form.querySelector("input[name=base]");
  var key = "cairn:draft:" + window.location.pathname;
  var submitting = false;

  function values() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && (el.name === "body" || el.name.indexOf("f.") === 0)) {
        out[el.name] = el.value;
      }
    });
    return out;
  }
  var initial = JSON.stringify(values());
  function changed() {
    return JSON.stringify(values()) !== initial;
  }

  // Enter in a one-line field does not send the form.
  form.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit") {
      e.preventDefault();
    }
  });

  // A warning before leaving with unsaved changes.
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && changed()) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  // What was typed, kept until it is saved.
  var store = null;
  try {
    store = window.localStorage;
  } catch (err) {
    store = null;
  }
  function keep() {
    if (!store) {
      return;
    }
    if (changed()) {
      store.setItem(key, JSON.stringify({ base: base ? base.value : "", values: values() }));
    } else {
      store.removeItem(key);
    }
  }
  var timer = null;
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(keep, 400);
  });
  form.addEventListener("submit", function () {
    submitting = true;
    keep();
  });

  if (!store) {
    return;
  }
  var kept = null;
  try {
    kept = JSON.parse(store.getItem(key) || "null");
  } catch (err) {
    kept = null;
  }
  if (!kept || !kept.values) {
    return;
  }
  // Saved since (the page is of a newer version) and nothing differs: done.
  var same = Object.keys(kept.values).every(function (name) {
    var el = form.elements.namedItem(name);
    return !el || el.value === kept.values[name];
  });
  if (same) {
    store.removeItem(key);
    return;
  }
  var notice = document.createElement("div");
  notice.className = "notice-info";
  notice.setAttribute("role", "status");
  var text = document.createElement("p");
  text.textContent = form.dataset.draftFound || "";
  var restore = document.createElement("button");
  restore.type = "button";
  restore.className = "secondary";
  restore.textContent = form.dataset.draftRestore || "";
  var discard = document.createElement("button");
  discard.type = "button";
  discard.className = "secondary";
  discard.textContent = form.dataset.draftDiscard || "";
  notice.appendChild(text);
  notice.appendChild(restore);
  notice.appendChild(document.createTextNode(" "));
  notice.appendChild(discard);
  form.parentNode.insertBefore(notice, form);
  restore.addEventListener("click", function () {
    Object.keys(kept.values).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && !el.disabled) {
        el.value = kept.values[name];
      }
    });
    notice.remove();
  });
  discard.addEventListener("click", function () {
    store.removeItem(key);
    notice.remove();
  });
})();
