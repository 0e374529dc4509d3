// The edit form, enhanced: a warning before leaving it with unsaved
// changes, Enter in a one-line field does not save, what was typed is
// kept in this browser until it is saved (offered back after a crash or a
// closed tab), and a relation's search box suggests entries as you type. Every word comes from the page (data-* attributes written
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
      // A media field's hidden value is the server's to change (an upload
      // saved becomes its address): what the person chose is the file or
      // the radio, not it.
      var mediaValue = el.type === "hidden" && el.closest && el.closest(".media");
      if (el.name && !mediaValue && (el.name === "body" || /^(f\.|n:|l:)/.test(el.name))) {
        if (el.type === "checkbox") {
          out[el.name + "=" + el.value] = el.checked ? "1" : "";
        } else if (el.type === "radio") {
          if (el.checked) {
            out[el.name] = el.value;
          }
        } else {
          out[el.name] = el.value;
        }
      }
    });
    return out;
  }
  var initial = JSON.stringify(values());
  // A page shown again after an item was added, moved or removed holds
  // changes that are not saved yet.
  var unsaved = form.dataset.unsaved === "1";
  function changed() {
    var chosen = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (f) {
      return f.files && f.files.length > 0;
    });
    return unsaved || chosen || JSON.stringify(values()) !== initial;
  }

  // A relation's search box: the entries matching what is typed become
  // its suggestions (the server's `/choices/...`, 20 at most).
  Array.prototype.forEach.call(form.querySelectorAll(".relation[data-choices]"), function (box) {
    var input = box.querySelector("input");
    var list = box.querySelector("datalist");
    var find = box.querySelector("button");
    if (!input || !list || !window.fetch) {
      return;
    }
    if (find) {
      find.hidden = true;
    }
    var pending = null;
    input.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        var url = box.dataset.choices + "?q=" + encodeURIComponent(input.value);
        window.fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) {
            list.textContent = "";
            found.forEach(function (c) {
              var o = document.createElement("option");
              o.value = c.value;
              o.textContent = c.label;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });

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

  // The Markdown body: a toolbar, and a preview as the site renders it.
  Array.prototype.forEach.call(form.querySelectorAll(".markdown[data-preview]"), function (box) {
    var area = box.querySelector("textarea");
    if (!area || area.disabled || !window.fetch) {
      return;
    }
    // The words come from the form (written from the catalogues).
    var t = form.dataset;
    var bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", t.tToolbar || "");
    bar.setAttribute("aria-controls", area.id);
    function put(text, selectFrom, selectTo) {
      var start = area.selectionStart;
      area.focus();
      area.setRangeText(text, start, area.selectionEnd, "end");
      if (selectFrom !== undefined) {
        area.setSelectionRange(start + selectFrom, start + selectTo);
      }
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function wrap(before, after, sample) {
      var sel = area.value.slice(area.selectionStart, area.selectionEnd) || sample;
      put(before + sel + after, before.length, before.length + sel.length);
    }
    function lines(prefix) {
      var v = area.value;
      var start = v.lastIndexOf("\n", area.selectionStart - 1) + 1;
      var end = v.indexOf("\n", area.selectionEnd);
      if (end < 0) {
        end = v.length;
      }
      area.setSelectionRange(start, end);
      var text = v.slice(start, end).split("\n").map(function (l) {
        return prefix + l;
      }).join("\n");
      put(text);
    }
    [
      ["bold", function () { wrap("**", "**", t.tBoldSample); }],
      ["italic", function () { wrap("_", "_", t.tItalicSample); }],
      ["link", function () {
        var sel = area.value.slice(area.selectionStart, area.selectionEnd) || t.tLinkSample;
        put("[" + sel + "](https://)", sel.length + 3, sel.length + 11);
      }],
      ["heading", function () { lines("## "); }],
      ["list", function () { lines("- "); }],
      ["quote", function () { lines("> "); }]
    ].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = t["t" + b[0].charAt(0).toUpperCase() + b[0].slice(1)] || b[0];
      button.addEventListener("click", b[1]);
      bar.appendChild(button);
    });
    area.parentNode.insertBefore(bar, area);

    var section = box.querySelector("section.preview");
    var rendered;
    if (!section) {
      section = document.createElement("section");
      section.className = "preview";
      section.setAttribute("aria-labelledby", area.id + "-preview");
      // It scrolls beside a long text: reachable by keyboard.
      section.tabIndex = 0;
      var h = document.createElement("h2");
      h.id = area.id + "-preview";
      h.textContent = box.dataset.previewTitle || t.tPreview || "";
      var note = document.createElement("p");
      note.className = "hint";
      note.textContent = t.tNote || "";
      rendered = document.createElement("div");
      rendered.className = "rendered";
      section.appendChild(h);
      section.appendChild(note);
      section.appendChild(rendered);
      box.appendChild(section);
    } else {
      rendered = section.querySelector(".rendered");
    }
    var button = box.querySelector("button.md-preview");
    if (button) {
      button.hidden = true;
    }
    var csrf = form.querySelector("input[name=_csrf]");
    var waiting = null;
    function refresh() {
      var data = new URLSearchParams();
      data.set("_csrf", csrf ? csrf.value : "");
      data.set("text", area.value);
      window.fetch(box.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null) {
            // Sanitized on the server (no scripts, no handlers).
            rendered.innerHTML = html;
          }
        })
        .catch(function () {});
    }
    area.addEventListener("input", function () {
      window.clearTimeout(waiting);
      waiting = window.setTimeout(refresh, 300);
    });
    refresh();
  });

  // A media field's box takes a file dropped on it (the plain file
  // input is what is sent, with or without this).
  Array.prototype.forEach.call(form.querySelectorAll(".media[data-drop]"), function (box) {
    var input = box.querySelector("input[type=file]");
    if (!input || typeof DataTransfer === "undefined") {
      return;
    }
    box.addEventListener("dragover", function (e) {
      e.preventDefault();
      box.classList.add("dropping");
    });
    box.addEventListener("dragleave", function () {
      box.classList.remove("dropping");
    });
    box.addEventListener("drop", function (e) {
      e.preventDefault();
      box.classList.remove("dropping");
      var files = e.dataTransfer && e.dataTransfer.files;
      if (!files || !files.length) {
        return;
      }
      var one = new DataTransfer();
      one.items.add(files[0]);
      input.files = one.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
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
