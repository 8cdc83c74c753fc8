// The console's only script: the file drop on Start, bar widths, and the
// live progress on a batch's page (Server-Sent Events).
(function () {
  "use strict";
  function widths() {
    document.querySelectorAll("[data-pct]").forEach(function (e) {
      var of = e.dataset.of ? Number(e.dataset.of) : 100;
      var v = Number(e.dataset.pct || 0);
      e.style.width = (of > 0 ? Math.min(100, 100 * v / of) : 0) + "%";
    });
  }
  widths();

  var drop = document.getElementById("drop");
  var file = document.getElementById("file");
  if (drop && file) {
    var show = function () {
      if (file.files.length) document.getElementById("drop-text").textContent = file.files[0].name;
    };
    file.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer.files.length) { file.files = ev.dataTransfer.files; show(); }
    });
  }
  // A form is sent once: a second click would only ask again.
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelectorAll("button[type=submit]").forEach(function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });

  var watch = document.getElementById("watch");
  if (!watch || watch.dataset.live !== "1" || !window.EventSource) return;
  var set = function (id, v) { var e = document.getElementById(id); if (e) e.textContent = v; };
  var es = new EventSource("/batch/" + encodeURIComponent(watch.dataset.batch) + "/events");
  es.onmessage = function (ev) {
    var s = JSON.parse(ev.data);
    set("st-done", s.done); set("st-sent", s.sent); set("st-rows", s.rows); set("st-success", s.success); set("st-failed", s.failed);
    set("st-spent", s.spent || "0.000"); set("st-rate", s.rate || "—"); set("st-eta", s.eta || "—");
    if (s.cap) set("st-cap", s.cap);
    if (s.input) { set("st-input-name", s.input); document.getElementById("st-input").classList.remove("hidden"); }
    var bar = document.getElementById("bar"), sent = document.getElementById("bar-sent");
    // Drawn at once on a page's load, moved smoothly when it is live.
    bar.parentNode.classList.add("live");
    bar.dataset.pct = s.done; bar.dataset.of = s.rows;
    sent.dataset.pct = s.sent; sent.dataset.of = s.rows; widths();
    var st = document.getElementById("st-state");
    st.className = "pill s-" + s.state;
    if (st.dataset["w" + s.state]) st.textContent = st.dataset["w" + s.state];
    var halt = document.getElementById("halt");
    if (s.remedy) { halt.classList.remove("hidden"); set("st-remedy", s.remedy); set("st-message", s.message); }
  };
  es.addEventListener("end", function () { es.close(); location.reload(); });
})();
