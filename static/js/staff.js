// The people side of the TA loop (docs/staff.md). No framework.
// 1. TA dashboard (#staff-queue): a websocket on the course's TA queue; every event re-reads the list partial.
// 2. A student's thread page (#share-box): human answers arrive live on the TA websocket and are appended.
(function () {
  "use strict";
  function wsUrl(path) { return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path; }

  function live(path, onEvent, statusEl) {
    var retries = 0;
    function connect() {
      var ws = new WebSocket(wsUrl(path));
      if (statusEl) statusEl.textContent = "connecting…";
      ws.onopen = function () { retries = 0; if (statusEl) { statusEl.textContent = "live"; statusEl.className = "small ok"; } };
      ws.onmessage = function (e) { try { onEvent(JSON.parse(e.data)); } catch (err) { console.error(err); } };
      ws.onclose = function (e) {
        if (e.code >= 4400 && e.code < 4500) { if (statusEl) statusEl.textContent = "not available"; return; }
        if (statusEl) { statusEl.textContent = "reconnecting…"; statusEl.className = "small bad"; }
        setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retries++)));
      };
    }
    connect();
  }

  // ------------------------------------------------------------------ 1. the TA dashboard
  var queue = document.getElementById("staff-queue");
  if (queue) {
    var known = {};
    Array.prototype.forEach.call(queue.querySelectorAll("[data-escalation]"), function (li) { known[li.dataset.escalation] = 1; });
    var refresh = function () {
      var page = new URLSearchParams(location.search).get("page") || "1";
      var url = location.pathname + "?filter=" + encodeURIComponent(queue.dataset.filter) + "&page=" + encodeURIComponent(page) + "&partial=1";
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        if (html === null) return;
        queue.innerHTML = html;
        Array.prototype.forEach.call(queue.querySelectorAll("[data-escalation]"), function (li) {
          if (!known[li.dataset.escalation]) { li.classList.add("fresh"); known[li.dataset.escalation] = 1; }
        });
      });
    };
    live(queue.dataset.wsPath, function (ev) { if (ev.type === "escalation" || ev.type === "update") refresh(); },
         document.getElementById("queue-live"));
  }

  // ------------------------------------------------------------------ 2. a student's thread page
  var box = document.getElementById("share-box");
  var list = document.querySelector(".ta-thread-page");
  if (box && list) {
    var thread = Number(box.dataset.thread);
    var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
    var markRead = function () {
      var body = new FormData(); body.append("thread", thread);
      fetch(box.dataset.readUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf } });
    };
    markRead();
    live(box.dataset.wsPath, function (ev) {
      if (ev.type !== "human_answer" || ev.thread !== thread) return;
      if (list.querySelector('[data-message="' + ev.message.id + '"]')) return;
      var li = document.createElement("li"); li.className = "ta-msg human_ta"; li.dataset.message = ev.message.id;
      var who = document.createElement("span"); who.className = "ta-who"; who.textContent = "Human TA"; li.appendChild(who);
      var body = document.createElement("div"); body.className = "ta-body md"; body.innerHTML = ev.message.html; li.appendChild(body);
      list.appendChild(li);
      markRead();
    }, null);
  }
})();
