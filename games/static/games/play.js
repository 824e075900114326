/* The Balloon game client (bart-events/1). No framework, no CDN.
 *
 * Every interaction becomes an event with a client-chosen UUID (the server's idempotency key),
 * a per-session seq, t from performance.now() and client_ts from Date.now(). Events wait in a
 * queue saved in localStorage until the server acknowledged them; batches leave about every
 * second or every 20 events, failures are retried with exponential backoff, and on pagehide the
 * queue goes out with fetch(keepalive) (sendBeacon cannot carry the CSRF header the cookie
 * authentication needs). A retry can never double an event: the server stores each id once.
 * After a reload the saved state resumes the same balloon at the same pump count.
 */
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("bg-boot").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    game: $("game"), total: $("bg-total"), last: $("bg-last"), number: $("bg-number"), count: $("bg-count"),
    balloon: $("bg-balloon"), pop: $("bg-pop"), status: $("bg-status"), pump: $("bg-pump"),
    collect: $("bg-collect"), net: $("bg-net"), done: $("bg-done"), final: $("bg-final"),
    saving: $("bg-saving"), next: $("bg-next"), nextLink: $("bg-next-link"), banked: $("bg-banked")
  };
  var PAUSE_MS = 700;        // the popped or banked balloon is gone for this long before the next appears
  var formatter = null;
  try { formatter = new Intl.NumberFormat("en", { style: "currency", currency: boot.currency || "USD" }); }
  catch (e) { formatter = null; }
  var FLUSH_MS = 1000, FLUSH_COUNT = 20, MAX_BATCH = boot.max_batch || 200;
  var state = null;          // persisted: session, schedule, progress, queue
  var offset = 0;            // performance.now() + offset = ms since the session started
  var inflight = false, backoff = 0, retryAt = 0, busy = false, lastAction = 0, lastKeyAt = -1e9;
  var device = null, closed = false;
  // The researchers' preview (/manage/preview/game/): the same game, but nothing leaves the page and
  // nothing is kept in the browser; only "played to the end" is told to the server.
  var preview = boot.preview || null;

  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function save() {
    if (preview) { return; }
    try { localStorage.setItem(boot.storage_key, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
  }
  function load() {
    if (preview) { return null; }
    try { return JSON.parse(localStorage.getItem(boot.storage_key) || "null"); } catch (e) { return null; }
  }
  function now() {
    var t = performance.now() + offset;
    if (state && t < state.lastT) { t = state.lastT; } // monotonic across reloads too
    return Math.round(t * 1000) / 1000;
  }
  function money(x) {
    var rounded = Math.round(x * 100) / 100;
    return formatter ? formatter.format(rounded) : rounded.toFixed(2) + " " + (boot.currency || "");
  }

  function emit(type, balloon, data) {
    var t = now();
    var event = { event_id: uuid4(), seq: state.seq, type: type, t: t, client_ts: Date.now(), data: data || {} };
    if (balloon !== null && balloon !== undefined) { event.balloon = balloon; }
    state.seq += 1; state.lastT = t;
    state.queue.push(event);
    save();
    ui.game.dataset.pending = String(state.queue.length);
    if (state.queue.length >= FLUSH_COUNT) { flush(); }
    return event;
  }
  function context(data) {
    if (!state || state.finished) { return; }
    emit("context", state.current < state.balloons.length ? state.current : null, data);
  }

  // --- Sending ------------------------------------------------------------------------------
  function headers() {
    return { "Content-Type": "application/json", "X-CSRFToken": boot.csrf_token };
  }
  function eventsUrl() { return boot.sessions_url + state.session_id + "/events/"; }

  function flush() {
    if (preview && state) { state.queue = []; ui.game.dataset.pending = "0"; maybeComplete(); return; }
    if (!state || inflight || closed || !state.queue.length || Date.now() < retryAt) { return; }
    var batch = state.queue.slice(0, MAX_BATCH);
    inflight = true;
    fetch(eventsUrl(), {
      method: "POST", credentials: "same-origin", headers: headers(),
      body: JSON.stringify({ sent_at: Date.now(), events: batch })
    }).then(function (r) {
      if (r.ok) { return r.json().then(function (body) { acknowledged(batch, body); }); }
      if (r.status === 409 || r.status === 404 || r.status === 401 || r.status === 403) {
        closed = true; // the server will never take these: stop, and say so
        netNote("The game can no longer be saved (status " + r.status + ").");
        return;
      }
      var wait = r.status === 429 ? Number(r.headers.get("Retry-After") || 5) * 1000 : null;
      failed(wait);
    }, function () { failed(null); }).then(function () {
      inflight = false;
      if (state.queue.length >= FLUSH_COUNT || (state.finished && state.queue.length)) { setTimeout(flush, 0); }
      maybeComplete();
    });
  }
  // Network news goes under the game while it is played, and into the end screen's "saving" line
  // once the game has given way to it (else a participant waiting there would never see it).
  function netNote(text) {
    ui.net.textContent = text;
    if (state && state.finished && !state.completed) {
      ui.saving.textContent = text + " Please keep this page open.";
    }
  }
  function acknowledged(batch, body) {
    // Accepted, duplicate and rejected events are all settled: only unsent ones stay queued.
    var sent = {};
    batch.forEach(function (e) { sent[e.event_id] = true; });
    state.queue = state.queue.filter(function (e) { return !sent[e.event_id]; });
    if (body.rejected && body.rejected.length && window.console) { console.warn("rejected events", body.rejected); }
    backoff = 0; retryAt = 0;
    ui.net.textContent = "";
    ui.game.dataset.pending = String(state.queue.length);
    save();
  }
  function failed(wait) {
    backoff = Math.min(backoff ? backoff * 2 : 1000, 30000);
    var delay = wait || backoff * (0.75 + Math.random() * 0.5);
    retryAt = Date.now() + delay;
    netNote(navigator.onLine === false ? "Offline: your moves are kept and will be sent later."
      : "Connection problem: retrying…");
  }
  function flushOnExit() {
    if (preview || !state || closed || !state.queue.length) { return; }
    save(); // the queue stays until acknowledged: whatever this request does, the next visit retries
    try {
      fetch(eventsUrl(), {
        method: "POST", credentials: "same-origin", headers: headers(), keepalive: true,
        body: JSON.stringify({ sent_at: Date.now(), events: state.queue.slice(0, 150) })
      }).catch(function () {});
    } catch (e) { /* keepalive unsupported: the saved queue is sent on the next visit */ }
  }

  function maybeComplete() {
    if (!state || !state.finished || state.completed || state.queue.length || inflight || closed) { return; }
    inflight = true;
    if (preview) {
      fetch(preview.done_url, { method: "POST", credentials: "same-origin", headers: headers(), body: "{}" })
        .then(function (r) { inflight = false; if (r.ok) { state.completed = true; showDone(); } else { failed(null); } },
          function () { inflight = false; failed(null); });
      return;
    }
    fetch(boot.sessions_url + state.session_id + "/complete/", {
      method: "POST", credentials: "same-origin", headers: headers(), body: "{}"
    }).then(function (r) {
      inflight = false;
      if (r.status === 202) { state.completed = true; save(); showDone(); return; }
      if (r.status !== 409) { failed(null); return; }
      return r.json().then(function (body) {
        if (body.error && body.error.code === "nothing_played") { // nothing the server could keep
          closed = true; netNote("The game could not be saved: no finished balloon reached the server.");
          return;
        }
        state.completed = true; save(); showDone(); // already completed (a retry) or closed
      });
    }, function () { inflight = false; failed(null); });
  }

  // --- The game -----------------------------------------------------------------------------
  function balloon() { return state.balloons[state.current]; }
  // The same growth per pump for every colour: the scale runs up to the largest capacity in the session,
  // so the size says how often this balloon was pumped and nothing about how likely it is to pop.
  function capacity() {
    return state.balloons.reduce(function (m, b) { return Math.max(m, b.max_pumps || 0); }, 1);
  }
  function render() {
    var b = balloon();
    ui.total.textContent = money(state.total);
    ui.last.textContent = money(state.last);
    ui.count.textContent = String(state.balloons.length);
    if (!b) { ui.balloon.hidden = true; return; }
    ui.number.textContent = String(state.current + 1);
    var scale = 0.12 + 0.88 * Math.min(1, state.pumps / capacity());
    ui.balloon.style.setProperty("--scale", scale.toFixed(5));
    ui.balloon.style.setProperty("--color", b.color);
    ui.balloon.hidden = false;
    ui.game.dataset.balloon = String(state.current);
    ui.game.dataset.pumps = String(state.pumps);
  }
  function setEnabled(on) { ui.pump.disabled = !on; ui.collect.disabled = !on; }
  function rt() { var t = performance.now(); var r = t - lastAction; lastAction = t; return Math.round(r * 10) / 10; }

  function startBalloon() {
    var b = balloon();
    if (!b) { return finish(); }
    state.pumps = 0;
    emit("balloon_start", b.index, { color: b.color, max_pumps: b.max_pumps });
    lastAction = performance.now();
    busy = false; setEnabled(true); render();
    ui.status.textContent = "Balloon " + (state.current + 1) + " (" + b.color + "): pump or collect.";
  }
  // In the study option pump_confirmation "server" the client holds no explosion point: each pump and
  // collect waits for the server's answer (games/confirmation.py). A lost answer is asked again; the
  // server answers a repeated question the same way, so a retry never counts a pump twice.
  function ask(action, count, done) {
    var b = balloon();
    fetch(boot.sessions_url + state.session_id + "/confirm/", {
      method: "POST", credentials: "same-origin", headers: headers(),
      body: JSON.stringify({ balloon: b.index, action: action, count: count })
    }).then(function (r) {
      if (r.ok) { return r.json().then(function (answer) { ui.net.textContent = ""; done(answer); }); }
      if (r.status === 409) { return resync(); } // the server's count moved on (a reload, another tab)
      if (r.status >= 400 && r.status < 500 && r.status !== 429) {
        netNote("The game cannot go on (status " + r.status + "). Please reload the page.");
        return;
      }
      throw new Error("retry");
    }).catch(function () {
      netNote("Waiting for the server to confirm your move…");
      setTimeout(function () { ask(action, count, done); }, 1000);
    });
  }
  // Take the server's own count as where the game stands, and go on from there.
  function resync() {
    return fetch(boot.sessions_url + state.session_id + "/", { credentials: "same-origin", headers: headers() })
      .then(function (r) { if (!r.ok) { throw new Error("status " + r.status); } return r.json(); })
      .then(function (body) {
        var open = body.progress.balloons.filter(function (b) { return !b.confirmed_outcome; });
        if (!open.length) { state.current = state.balloons.length; return finish(); }
        if (open[0].index !== state.current) { state.current = open[0].index; startBalloon(); }
        state.pumps = open[0].confirmed_pumps || 0; busy = false; setEnabled(true); render(); save();
        ui.status.textContent = "Balloon " + (state.current + 1) + ", pumps so far " + state.pumps + ".";
      });
  }
  function pump(input) {
    if (busy || !balloon()) { return; }
    var b = balloon(), took = rt();
    if (state.confirm) {
      busy = true; setEnabled(false);
      ask("pump", state.pumps + 1, function (answer) { busy = false; pumped(b, input, took, answer.popped); });
      return;
    }
    pumped(b, input, took, state.pumps + 1 >= b.explosion_point);
  }
  function pumped(b, input, took, popped) {
    state.pumps += 1;
    emit("pump", b.index, { pump: state.pumps, rt_ms: took, input: input });
    render();
    if (popped) {
      busy = true;
      emit("pop", b.index, { pumps: state.pumps, total: Math.round(state.total * 10000) / 10000 });
      state.last = 0;
      ui.status.textContent = "The balloon popped! The money for this balloon is lost.";
      ui.balloon.hidden = true; ui.pop.hidden = false;
      ui.last.textContent = money(0);
      nextBalloon();
    } else {
      if (state.confirm) { setEnabled(true); }
      ui.status.textContent = "Pumps: " + state.pumps + ". This balloon: " + money(state.pumps * state.reward) + ".";
    }
  }
  function collect(input) {
    if (busy || !balloon()) { return; }
    var b = balloon(), took = rt();
    busy = true;
    if (state.confirm) {
      setEnabled(false);
      ask("collect", state.pumps, function () { collected(b, input, took); });
      return;
    }
    collected(b, input, took);
  }
  function collected(b, input, took) {
    var earned = Math.round(state.pumps * state.reward * 10000) / 10000;
    state.total = Math.round((state.total + earned) * 10000) / 10000;
    state.last = earned;
    emit("cash_out", b.index, { pumps: state.pumps, earned: earned, total: state.total, rt_ms: took, input: input });
    ui.status.textContent = "Collected " + money(earned) + ".";
    ui.balloon.hidden = true; ui.banked.textContent = "+" + money(earned); ui.banked.hidden = false;
    ui.total.textContent = money(state.total); ui.last.textContent = money(earned);
    nextBalloon();
  }
  function nextBalloon() {
    setEnabled(false);
    state.current += 1; state.pumps = 0; save();
    // The balloon that ended stays gone (burst or banked) for a moment; only then does the next appear.
    setTimeout(function () {
      ui.pop.hidden = true; ui.banked.hidden = true;
      if (state.current < state.balloons.length) { startBalloon(); } else { finish(); }
    }, PAUSE_MS);
  }
  function finish() {
    if (!state.finished) {
      emit("session_end", null, { reason: "completed", balloons: state.balloons.length, total: state.total });
      state.finished = true; save();
    }
    setEnabled(false);
    ui.game.dataset.state = "finished";
    showEnd();
    flush();
  }
  // The end screen replaces the game at once, at the top of the viewport; it says "saving" until the
  // server has every event and accepted the completion.
  function showEnd() {
    if (!ui.game.hidden) {
      ui.game.hidden = true; ui.done.hidden = false;
      window.scrollTo(0, 0); ui.done.focus({ preventScroll: true });
    }
    ui.final.textContent = money(state.total);
  }
  function showDone() {
    showEnd();
    ui.saving.textContent = "Your answers are saved. You may close this page.";
    ui.game.dataset.state = "complete"; ui.done.dataset.state = "complete";
    document.dispatchEvent(new CustomEvent("rp-game-complete", { detail: { session_id: state.session_id } }));
    showResultsLink();
    if (boot.completion_url) { // the study's completion redirect (e.g. a panel's "study finished" page)
      ui.nextLink.href = boot.completion_url; ui.next.hidden = false;
      if (boot.next_label) { ui.nextLink.textContent = boot.next_label; }
      setTimeout(function () { window.location.assign(boot.completion_url); }, 3000);
    }
  }

  // The link to /results/ is there at once (that page waits by itself); polling the session's status
  // only tells the participant when the results are ready. A few tries, then the link is enough.
  function showResultsLink() {
    var box = $("bg-results"), note = $("bg-results-state"), tries = 0;
    if (!box || !boot.results_url) { return; }
    box.hidden = false; note.textContent = "(being prepared…)";
    function poll() {
      tries += 1;
      var url = boot.sessions_url + state.session_id + "/";
      fetch(url, { credentials: "same-origin", headers: headers() }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (body) {
        var status = body && body.status;
        if (status === "processed" || status === "flagged") {
          note.textContent = "(ready)"; box.dataset.state = "ready";
        } else if (tries < 15) { setTimeout(poll, 2000); } else { note.textContent = ""; }
      }).catch(function () { if (tries < 15) { setTimeout(poll, 2000); } });
    }
    poll();
  }

  // --- Input and context ----------------------------------------------------------------------
  function noteDevice(kind) {
    if (kind && kind !== device) { device = kind; context({ kind: "input", device: kind }); }
  }
  function pointerKind(e) {
    var k = e && e.pointerType; return k === "mouse" || k === "touch" || k === "pen" ? k : "unknown";
  }
  ui.pump.addEventListener("pointerdown", function (e) { noteDevice(pointerKind(e)); });
  ui.collect.addEventListener("pointerdown", function (e) { noteDevice(pointerKind(e)); });
  function clicked(action) {
    return function (e) {
      // A click synthesised from our own key handling was already counted.
      if (e.detail === 0 && performance.now() - lastKeyAt < 400) { return; }
      action(e.detail === 0 ? "keyboard" : (device && device !== "keyboard" ? device : "mouse"));
    };
  }
  ui.pump.addEventListener("click", clicked(pump));
  ui.collect.addEventListener("click", clicked(collect));
  document.addEventListener("keydown", function (e) {
    if (!state || state.finished || e.repeat || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (e.key === " " || e.key === "Spacebar" || e.key === "Enter") {
      e.preventDefault(); lastKeyAt = performance.now(); noteDevice("keyboard");
      if (e.key === "Enter") { collect("keyboard"); } else { pump("keyboard"); }
    }
  });
  document.addEventListener("keyup", function (e) { if (e.key === " ") { e.preventDefault(); } });
  // The page that unloaded last recorded "hidden" (and maybe "blur"): a resumed page records where
  // visibility and focus stand now, so the context stream (and the replay) match what happened.
  function noteVisibility() {
    context({ kind: "visibility", state: document.visibilityState === "hidden" ? "hidden" : "visible" });
    if (document.hasFocus()) { context({ kind: "focus" }); }
  }
  document.addEventListener("visibilitychange", function () {
    context({ kind: "visibility", state: document.visibilityState === "hidden" ? "hidden" : "visible" });
    if (document.visibilityState === "hidden") { flushOnExit(); }
  });
  // Copy the participant code (the button only appears at the end; the code is also shown as text).
  Array.prototype.forEach.call(document.querySelectorAll(".bg-copy"), function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy") || "";
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { button.textContent = "Select and copy"; });
      } else { button.textContent = "Select and copy"; }
    });
  });
  window.addEventListener("focus", function () { context({ kind: "focus" }); });
  window.addEventListener("blur", function () { context({ kind: "blur" }); });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      context({ kind: "resize", width: Math.round(window.innerWidth), height: Math.round(window.innerHeight) });
    }, 250);
  });
  document.addEventListener("fullscreenchange", function () { context({ kind: "fullscreen", active: !!document.fullscreenElement }); });
  window.addEventListener("online", function () { context({ kind: "network", online: true }); retryAt = 0; flush(); });
  window.addEventListener("offline", function () { context({ kind: "network", online: false }); });
  window.addEventListener("pagehide", function () { flushOnExit(); });

  // --- Start or resume ------------------------------------------------------------------------
  function startFresh(body) {
    state = {
      session_id: body.session_id, balloons: body.balloons, reward: body.reward_per_pump, seq: 0, lastT: 0,
      startWall: Date.now(), current: 0, pumps: 0, total: 0, last: 0, queue: [], finished: false, completed: false,
      confirm: body.pump_confirmation === "server"
    };
    offset = -performance.now();
    emit("session_start", null, {
      viewport_w: Math.round(window.innerWidth), viewport_h: Math.round(window.innerHeight),
      screen_w: Math.round(screen.width), screen_h: Math.round(screen.height),
      pixel_ratio: window.devicePixelRatio || 1, touch: navigator.maxTouchPoints > 0, variant: body.variant
    });
    startBalloon();
  }
  function resumeFromServer(body) {
    // Resumed on another browser (or storage was cleared): continue where the server's record stands.
    var progress = body.progress, pending = progress.balloons.filter(function (b) { return b.outcome === "pending"; });
    state = {
      session_id: body.session_id, balloons: body.balloons, reward: body.reward_per_pump, seq: progress.next_seq,
      lastT: 0, startWall: Date.now(), current: pending.length ? pending[0].index : body.balloons.length,
      pumps: 0, total: 0, last: 0, queue: [], finished: false, completed: false,
      confirm: body.pump_confirmation === "server"
    };
    progress.balloons.forEach(function (b) { state.total += b.earnings; });
    if (state.confirm) { // the server's own count decides where play resumes (it may be ahead of the events)
      var open = progress.balloons.filter(function (b) { return !b.confirmed_outcome; });
      state.current = open.length ? open[0].index : body.balloons.length;
    }
    offset = -performance.now();
    context({ kind: "resume" });
    noteVisibility();
    startBalloon();
    if (state.confirm && state.current < progress.balloons.length) {
      state.pumps = progress.balloons[state.current].confirmed_pumps || 0; render();
    }
  }
  function resumeLocal(saved) {
    state = saved;
    offset = (Date.now() - state.startWall) - performance.now();
    if (offset + performance.now() < state.lastT) { offset = state.lastT - performance.now(); }
    context({ kind: "resume" });
    noteVisibility();
    if (state.completed) { showDone(); return; }
    if (state.finished) { finish(); return; }
    busy = false; setEnabled(true); lastAction = performance.now(); render(); // same balloon, same pumps
    ui.status.textContent = "Welcome back: balloon " + (state.current + 1) + ", pumps so far " + state.pumps + ".";
    flush();
  }
  function begin() {
    if (preview) { startFresh(preview.session); return; }
    var saved = load();
    if (saved && saved.session_id) { resumeLocal(saved); return; }
    fetch(boot.sessions_url, { method: "POST", credentials: "same-origin", headers: headers(), body: "{}" })
      .then(function (r) { if (!r.ok) { throw new Error("status " + r.status); } return r.json(); })
      .then(function (body) { (body.resumed && body.progress.next_seq > 0 ? resumeFromServer : startFresh)(body); })
      .catch(function () { ui.status.textContent = "The game could not start. Please reload the page."; });
  }
  ui.game.dataset.state = "playing";
  setInterval(function () { flush(); }, FLUSH_MS);
  begin();
  window.rpGame = { state: function () { return state; }, flush: flush };
}());
