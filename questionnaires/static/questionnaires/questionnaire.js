/* The questionnaire page: each answer becomes a `questionnaire-events/1` event with its response time,
   kept in a queue in localStorage until the server acknowledges it (so a lost connection or a reload
   loses nothing), sent in batches; submit waits until every event is stored. */
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("rp-q-boot").textContent);
  if (boot.preview) { return; }
  var form = document.getElementById("rp-q");
  var statusBox = document.getElementById("rp-q-status");
  var submitButton = document.getElementById("rp-q-submit");
  var t0 = performance.now();
  var lastAnswerAt = 0; // ms since t0 of the previous answer: an item's time is from then to its answer
  var state = load() || { seq: boot.next_seq, queue: [], started: false };
  state.seq = Math.max(state.seq, boot.next_seq);
  var inflight = false, submitting = false, backoff = 1000, timer = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(boot.storage_key) || "null"); } catch (e) { return null; }
  }
  function save() {
    try { window.localStorage.setItem(boot.storage_key, JSON.stringify(state)); } catch (e) { /* private mode: memory only */ }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function record(type, fields) {
    var now = performance.now() - t0;
    var event = { event_id: uuid(), seq: state.seq, type: type, t: Math.round(now * 10) / 10, client_ts: Date.now() };
    Object.keys(fields || {}).forEach(function (k) { event[k] = fields[k]; });
    state.seq += 1; state.queue.push(event); save(); schedule(0);
    return now;
  }
  function valueOf(fieldset) {
    var type = fieldset.dataset.type, key = fieldset.dataset.item;
    if (type === "multiple") {
      var ticked = Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return i.value; });
      return ticked.length ? ticked : null;
    }
    if (type === "likert" || type === "single") {
      var on = fieldset.querySelector("input:checked");
      if (!on) { return null; }
      return type === "likert" ? Number(on.value) : on.value;
    }
    var input = fieldset.querySelector("input[name='" + key + "']");
    var raw = input.value.trim();
    if (raw === "") { return null; }
    return type === "number" ? Number(raw) : raw;
  }
  function setValue(fieldset, value) {
    var type = fieldset.dataset.type;
    if (type === "multiple" || type === "likert" || type === "single") {
      var wanted = [].concat(value).map(String);
      fieldset.querySelectorAll("input").forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
    } else { fieldset.querySelector("input").value = value; }
  }
  function showError(key, message) {
    var box = document.getElementById("e-" + key), fieldset = document.getElementById("q-" + key);
    if (!box || !fieldset) { return; }
    box.textContent = message || ""; box.hidden = !message;
    fieldset.classList.toggle("rp-q-missing", !!message);
  }

  // What this browser already answered (the server's answers, then the queue not yet sent).
  Object.keys(boot.answers || {}).forEach(function (key) {
    var f = document.getElementById("q-" + key); if (f) { setValue(f, boot.answers[key]); }
  });
  state.queue.forEach(function (e) {
    var f = e.type === "item_answer" ? document.getElementById("q-" + e.item) : null;
    if (f && e.value !== null) { setValue(f, e.value); }
  });
  if (!state.started) { state.started = true; record("questionnaire_start", {}); }

  form.addEventListener("change", function (ev) {
    var fieldset = ev.target.closest("fieldset[data-item]");
    if (!fieldset) { return; }
    var now = performance.now() - t0;
    var rt = Math.max(0, Math.round((now - lastAnswerAt) * 10) / 10);
    lastAnswerAt = now;
    showError(fieldset.dataset.item, "");
    record("item_answer", { item: fieldset.dataset.item, value: valueOf(fieldset), rt_ms: rt });
  });
  document.addEventListener("visibilitychange", function () {
    record("context", { kind: document.hidden ? "hidden" : "visible" });
  });
  window.addEventListener("online", function () { backoff = 1000; schedule(0); });

  function headers() { return { "Content-Type": "application/json", "X-CSRFToken": boot.csrf_token }; }
  function schedule(delay) { if (!timer) { timer = setTimeout(function () { timer = null; flush(); }, delay); } }
  function flush() {
    if (inflight || !state.queue.length) { if (submitting && !state.queue.length && !inflight) { finish(); } return; }
    inflight = true;
    var batch = state.queue.slice(0, boot.max_batch);
    fetch(boot.events_url, {
      method: "POST", credentials: "same-origin", headers: headers(),
      body: JSON.stringify({ events: batch, sent_at: Date.now() })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      inflight = false;
      if (res.status === 200 || res.status === 409) {
        // Stored, a repeat, or refused for good: none of these events is sent again.
        var sent = {}; batch.forEach(function (e) { sent[e.event_id] = true; });
        state.queue = state.queue.filter(function (e) { return !sent[e.event_id]; }); save();
        ((res.body && res.body.rejected) || []).forEach(function (r) {
          var e = batch.filter(function (x) { return x.event_id === r.event_id; })[0];
          if (e && e.item) { showError(e.item, r.message); }
        });
        backoff = 1000; statusBox.textContent = submitting ? "Saving your answers…" : "";
        schedule(0);
      } else { retry(); }
    }, function () { inflight = false; retry(); });
  }
  function retry() {
    statusBox.textContent = navigator.onLine === false
      ? "You are offline. Your answers are kept on this device and sent when you are back online."
      : "Could not reach the server; trying again…";
    backoff = Math.min(backoff * 2, 30000); schedule(backoff);
  }
  function missingItems() {
    return Array.prototype.filter.call(form.querySelectorAll("fieldset[data-required]"), function (f) {
      return valueOf(f) === null;
    });
  }
  function markMissing(keys) {
    keys.forEach(function (k) { showError(k, "This question needs an answer."); });
    var first = document.getElementById("q-" + keys[0]);
    if (first) { first.scrollIntoView({ block: "center" }); var i = first.querySelector("input"); if (i) { i.focus(); } }
    statusBox.textContent = keys.length === 1 ? "One question still needs an answer." : keys.length + " questions still need an answer.";
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var missing = missingItems();
    if (missing.length) { markMissing(missing.map(function (f) { return f.dataset.item; })); return; }
    submitting = true; submitButton.disabled = true; statusBox.textContent = "Saving your answers…";
    record("questionnaire_submit", {});
  });
  function finish() {
    if (inflight) { return; }
    inflight = true;
    fetch(boot.submit_url, { method: "POST", credentials: "same-origin", headers: headers(), body: "{}" })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; }); })
      .then(function (res) {
        inflight = false;
        if (res.status === 200) {
          try { window.localStorage.removeItem(boot.storage_key); } catch (e) { /* nothing to clear */ }
          statusBox.textContent = "Thank you. Your answers are saved.";
          window.location.assign(res.body.next_url || boot.next_url);
        } else if (res.status === 400 && res.body.error && res.body.error.code === "answers_missing") {
          submitting = false; submitButton.disabled = false;
          markMissing(Object.keys(res.body.error.details || {}));
        } else { retrySubmit(); }
      }, function () { inflight = false; retrySubmit(); });
  }
  function retrySubmit() {
    statusBox.textContent = "Could not submit yet; trying again…";
    backoff = Math.min(backoff * 2, 30000); setTimeout(finish, backoff);
  }
  setInterval(function () { schedule(0); }, 2000);
  schedule(0);
})();
