// The automated TA panel on step pages: a websocket to /ws/courses/<slug>/ta/ (protocol: docs/ta.md).
// Streams the answer as plain text, then swaps in the server-rendered Markdown with its sources. No framework.
(function () {
  "use strict";
  var panel = document.getElementById("ta-panel");
  if (!panel) return;

  var list = panel.querySelector(".ta-messages");
  var form = panel.querySelector(".ta-form");
  var input = panel.querySelector("#ta-input");
  var askBtn = panel.querySelector(".ta-ask");
  var stopBtn = panel.querySelector(".ta-stop");
  var humanBtn = panel.querySelector(".ta-human");
  var statusEl = panel.querySelector(".ta-status");
  var errorEl = panel.querySelector(".ta-error");
  var contextEl = panel.querySelector(".ta-context");
  var stepId = Number(panel.dataset.step);
  var state = { ws: null, thread: null, problem: null, streaming: null, retries: 0, closedForGood: false, lastAsk: null };
  var WHO = { student: "You", assistant: "TA (automated)", human_ta: "Human TA", notice: "" };

  // ------------------------------------------------------------------ headings get the anchors sources link to
  function numberHeadings() {
    var body = document.querySelector("article.step .md");
    if (!body) return;
    body.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach(function (h, i) { if (!h.id) h.id = "ta-sec-" + i; });
    if (location.hash.indexOf("#ta-sec-") === 0) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 0x3 | 0x8)).toString(16);
    });
  }

  function setStatus(text, cls) { statusEl.textContent = text; statusEl.className = "ta-status small " + (cls || "muted"); }
  function setError(text) { errorEl.textContent = text || ""; }
  function busy(on) { stopBtn.hidden = !on; askBtn.disabled = on || !isOpen(); }
  function isOpen() { return state.ws && state.ws.readyState === WebSocket.OPEN; }
  function send(obj) { if (isOpen()) { state.ws.send(JSON.stringify(obj)); return true; } setError("Not connected yet, retrying…"); return false; }
  function scrollDown() { list.scrollTop = list.scrollHeight; }

  // ------------------------------------------------------------------ rendering
  function bubble(role, id) {
    var li = document.createElement("li");
    li.className = "ta-msg " + role;
    if (id) li.dataset.message = id;
    if (WHO[role]) { var who = document.createElement("span"); who.className = "ta-who"; who.textContent = WHO[role]; li.appendChild(who); }
    var body = document.createElement("div"); body.className = "ta-body"; li.appendChild(body);
    list.appendChild(li);
    return li;
  }

  function fill(li, m) {
    var body = li.querySelector(".ta-body");
    body.classList.remove("streaming");
    if (m.role === "student") { body.textContent = m.text; }
    else if (m.html) { body.innerHTML = m.html; }  // sanitised on the server (courses.markdown)
    else { body.textContent = m.text; }
    var old = li.querySelector(".ta-sources"); if (old) old.remove();
    old = li.querySelector(".ta-msg-foot"); if (old) old.remove();
    if (m.sources && m.sources.length && m.mode !== "retrieval") {  // a retrieval-only answer lists them itself
      var ol = document.createElement("ol"); ol.className = "ta-sources";
      m.sources.forEach(function (s) {
        var a = document.createElement("a"); a.href = s.url; a.textContent = s.title;
        var item = document.createElement("li"); item.appendChild(a); ol.appendChild(item);
      });
      li.appendChild(ol);
    }
    if (m.role === "assistant") {
      var foot = document.createElement("div"); foot.className = "ta-msg-foot";
      if (m.status === "partial") { var p = document.createElement("span"); p.className = "ta-partial"; p.textContent = "Answer cut off (partial)"; foot.appendChild(p); }
      if (m.mode === "retrieval") { var r = document.createElement("span"); r.textContent = "course search only"; foot.appendChild(r); }
      var flag = document.createElement("button"); flag.type = "button"; flag.className = "link small ta-flag";
      flag.textContent = m.flagged ? "Flagged for a human TA" : "This didn't help"; flag.disabled = !!m.flagged;
      flag.addEventListener("click", function () { if (send({ type: "flag", message: m.id })) { flag.disabled = true; flag.textContent = "Flagged for a human TA"; } });
      foot.appendChild(flag);
      li.appendChild(foot);
    }
    if (window.academy && window.academy.renderMath) window.academy.renderMath(li);
  }

  function renderThread(t) {
    list.textContent = "";
    state.thread = t ? t.id : null;
    if (!t) return;
    t.messages.forEach(function (m) {
      if (m.role === "assistant" && !m.text && m.status !== "streaming") return;
      fill(bubble(m.role, m.id), m);
    });
    scrollDown();
  }

  // ------------------------------------------------------------------ events from the server
  function onEvent(ev) {
    switch (ev.type) {
      case "accepted":
        state.thread = ev.thread;
        if (state.streaming) state.streaming.dataset.message = ev.message;
        break;
      case "delta":
        if (state.streaming) { state.streaming.querySelector(".ta-body").textContent += ev.text; scrollDown(); }
        break;
      case "done":
        var li = state.streaming || list.querySelector('[data-message="' + ev.message + '"]') || bubble("assistant", ev.message);
        li.dataset.message = ev.message;
        fill(li, { id: ev.message, role: "assistant", text: ev.text, html: ev.html, sources: ev.sources, status: ev.status, mode: ev.mode });
        state.streaming = null; busy(false); scrollDown();
        break;
      case "escalated":
        if (ev.notice) fill(bubble("notice", ev.notice.id), ev.notice);
        scrollDown();
        break;
      case "human_answer":
        if (ev.thread === state.thread) { fill(bubble("human_ta", ev.message.id), ev.message); scrollDown(); }
        break;
      case "thread":
        renderThread(ev.thread);
        break;
      case "error":
        setError(ev.message);
        if (state.streaming && !state.streaming.dataset.message) { state.streaming.remove(); }
        else if (state.streaming) { state.streaming.querySelector(".ta-body").classList.remove("streaming"); }
        if (state.lastAsk && ev.client_message_id === state.lastAsk.client_message_id) {
          var mine = list.querySelector('[data-client="' + ev.client_message_id + '"]');
          if (mine) mine.remove();
          if (!input.value) input.value = state.lastAsk.text;
        }
        state.streaming = null; busy(false);
        break;
    }
  }

  // ------------------------------------------------------------------ the socket (reconnects with back-off)
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + panel.dataset.wsPath);
    state.ws = ws;
    setStatus("connecting…");
    ws.onopen = function () {
      state.retries = 0; setStatus("connected", "ok"); setError(""); busy(false);
      // After a reconnect show the thread as stored (an answer cut off by the drop is marked partial).
      if (state.thread) send({ type: "history", thread: state.thread }); else send({ type: "open", step: stepId });
    };
    ws.onmessage = function (e) { try { onEvent(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    ws.onclose = function (e) {
      askBtn.disabled = true;
      if (state.streaming) { state.streaming.querySelector(".ta-body").classList.remove("streaming"); state.streaming = null; stopBtn.hidden = true; }
      if (e.code >= 4400 && e.code < 4500) { state.closedForGood = true; setStatus("unavailable (enroll in the course)", "bad"); return; }
      var delay = Math.min(10000, 500 * Math.pow(2, state.retries++));
      setStatus("reconnecting…", "bad");
      setTimeout(connect, delay);
    };
  }

  // ------------------------------------------------------------------ asking
  function ask(extra) {
    var text = input.value.trim();
    if (!text) { setError("Type a question first."); input.focus(); return; }
    setError("");
    var msg = { type: "ask", text: text, client_message_id: uuid(), step: stepId };
    if (state.thread) msg.thread = state.thread;
    if (state.problem) msg.problem = state.problem.id;
    for (var k in (extra || {})) msg[k] = extra[k];
    if (!send(msg)) return;
    state.lastAsk = msg;
    var mine = bubble("student"); mine.dataset.client = msg.client_message_id; mine.querySelector(".ta-body").textContent = text;
    state.streaming = bubble("assistant");
    state.streaming.querySelector(".ta-body").classList.add("streaming");
    input.value = ""; busy(true); scrollDown();
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); ask(); });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); if (!askBtn.disabled) ask(); } });
  stopBtn.addEventListener("click", function () { send({ type: "stop" }); });
  humanBtn.addEventListener("click", function () {
    if (input.value.trim()) ask({ human: true });
    else if (state.thread) send({ type: "escalate", thread: state.thread });
    else { setError("Write your question first, then press Ask a human."); input.focus(); }
  });
  panel.querySelector(".ta-new").addEventListener("click", function () { state.thread = null; list.textContent = ""; input.focus(); });
  panel.querySelector(".ta-clear").addEventListener("click", function () { setProblem(null); });

  // ------------------------------------------------------------------ "Ask about this problem" on each problem
  function setProblem(p) {
    state.problem = p;
    contextEl.hidden = !p;
    if (p) { contextEl.querySelector(".ta-context-label").textContent = p.label; input.placeholder = "Ask about this problem…"; }
    else input.placeholder = "Ask about this step…";
  }

  function decorateProblems(root) {
    Array.prototype.forEach.call(root.querySelectorAll("section.problem[data-problem]"), function (sec) {
      var actions = sec.querySelector(".problem-actions");
      if (!actions || actions.querySelector(".ta-ask-problem")) return;
      var b = document.createElement("button");
      b.type = "button"; b.className = "link ta-ask-problem"; b.textContent = "Ask the TA about this problem";
      b.addEventListener("click", function () {
        var n = Array.prototype.indexOf.call(document.querySelectorAll("section.problem[data-problem]"), sec) + 1;
        setProblem({ id: Number(sec.dataset.problem), label: "problem " + n });
        panel.scrollIntoView({ behavior: "smooth", block: "start" });
        input.focus();
      });
      actions.appendChild(b);
    });
  }

  document.addEventListener("htmx:afterSwap", function () { decorateProblems(document); });
  numberHeadings();
  decorateProblems(document);
  connect();
})();
