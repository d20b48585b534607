// Live transcript (progressive enhancement): polls /conversations/{id}/after/{last_id} and appends
// the bubbles the server rendered (and escaped). Without JavaScript the "Atualizar" link reloads.
(function () {
  "use strict";
  var list = document.getElementById("transcript");
  if (!list || !list.dataset.liveUrl || !window.fetch) { return; }
  var base = list.dataset.liveUrl;
  var after = parseInt(list.dataset.after || "0", 10) || 0;
  var note = document.getElementById("live-note");
  var delay = 4000;
  var busy = false;
  if (note) { note.textContent = "Ao vivo: novas mensagens aparecem sozinhas."; }

  function poll() {
    if (busy || document.hidden) { return schedule(); }
    busy = true;
    fetch(base + after, { credentials: "same-origin", headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        var last = parseInt(response.headers.get("X-Last-Message-Id") || "", 10);
        return response.text().then(function (html) {
          if (html.trim()) {
            // Server-rendered with autoescaping: message text arrives as text, never as markup.
            var holder = document.createElement("template");
            holder.innerHTML = html;
            Array.prototype.forEach.call(holder.content.querySelectorAll("li.bubble"), function (item) {
              if (!document.getElementById(item.id)) { list.appendChild(item); }
            });
          }
          if (!isNaN(last) && last > after) { after = last; list.dataset.after = String(after); }
          delay = 4000;
        });
      })
      .catch(function () {
        delay = Math.min(delay * 2, 60000);
        if (note) { note.textContent = "Sem conexão ao vivo; use Atualizar."; }
      })
      .then(function () { busy = false; schedule(); });
  }

  function schedule() { window.setTimeout(poll, delay); }
  schedule();
})();
