// The workshop's pages (orgsim serve): one script for the participant's, the facilitator's, the
// wall's and the debrief's page. Everything shown comes from the server's JSON (roles, levers,
// views), never from one scenario's names. No framework, no build step, no inline script: the
// server's content security policy allows scripts from itself only.
(function () {
  "use strict";

  // ------------------------------------------------------------------ small helpers

  const $ = (id) => document.getElementById(id);

  /** An element: h("p", {class: "x", "data-k": "v", text: "…", on: {click: f}}, child, …). */
  function h(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k === "on") for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
      else if (k === "style") e.setAttribute("style", v);
      else if (k in e && typeof v !== "string") e[k] = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function s(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  function setText(id, text) {
    const e = $(id);
    if (e && e.textContent !== text) e.textContent = text;
  }

  function show(id, on) {
    const e = typeof id === "string" ? $(id) : id;
    if (e) e.hidden = !on;
  }

  function showError(id, message) {
    const e = $(id);
    if (!e) return;
    e.textContent = message || "";
    e.hidden = !message;
  }

  /** A name from the scenario as people read it: "promo_depth" -> "promo depth". */
  const words = (name) => String(name == null ? "" : name).replace(/[_.]/g, " ");
  const capital = (t) => (t ? t.charAt(0).toUpperCase() + t.slice(1) : t);

  function fmt(x) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    const a = Math.abs(x);
    const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a === 0 ? 0 : 3;
    const text = Number(x).toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    // A value that rounds to nothing is 0, never "-0".
    return /^-0(\.0*)?$/.test(text) ? "0" : text;
  }
  const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Math.round(x * 100) + "%");

  function ordinal(n) {
    const suffix = ["th", "st", "nd", "rd"];
    const v = n % 100;
    return n + (suffix[(v - 20) % 10] || suffix[v] || suffix[0]);
  }

  function percentileText(p) {
    if (p === null || p === undefined || Number.isNaN(p)) return "–";
    const r = Math.round(p);
    if (r <= 0) return "below every play";
    if (r >= 100) return "above every play";
    return ordinal(r) + " percentile";
  }

  function mmss(sec) {
    const m = Math.floor(sec / 60);
    const r = sec % 60;
    return m + ":" + String(r).padStart(2, "0");
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  const store = {
    get(k) {
      try { return localStorage.getItem(k); } catch (e) { return null; }
    },
    set(k, v) {
      try { localStorage.setItem(k, v); } catch (e) { /* private mode: the page still works until it is closed */ }
    },
    del(k) {
      try { localStorage.removeItem(k); } catch (e) { /* as above */ }
    },
    json(k) {
      try { return JSON.parse(this.get(k) || "null"); } catch (e) { return null; }
    },
  };

  const params = new URLSearchParams(location.search);
  const cleanCode = (c) => String(c || "").trim().toUpperCase().replace(/[^A-Z0-9]/g, "");
  const sessionPath = (code) => "/api/sessions/" + encodeURIComponent(code);

  // ------------------------------------------------------------------ the server

  /** The server's clock minus this device's, from the Date header (phones' clocks drift). */
  let skewMs = 0;
  function noteServerDate(res) {
    const d = Date.parse(res.headers.get("Date") || "");
    if (Number.isNaN(d)) return;
    const skew = d + 500 - Date.now(); // the header has whole seconds
    skewMs = Math.abs(skew) > 1500 ? skew : 0;
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body, token) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    let res;
    try {
      res = await fetch(path, { method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, "cannot reach the server; check the connection and try again");
    }
    noteServerDate(res);
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) throw new ApiError(res.status, (data && data.error) || "the server answered " + res.status);
    return data;
  }

  /** The address participants reach this server at: the server's public URL if it says one,
   * else the address this page was opened at. */
  let publicBasePromise = null;
  function publicBase() {
    if (!publicBasePromise) {
      publicBasePromise = api("GET", "/api/scenarios")
        .then((d) => String((d && d.public_url) || location.origin).replace(/\/+$/, ""))
        .catch(() => location.origin);
    }
    return publicBasePromise;
  }
  const joinLink = (base, code) => base + "/play?code=" + encodeURIComponent(code);
  const qrSrc = (text) => "/api/qr.svg?text=" + encodeURIComponent(text);

  function connected(ok) {
    const c = $("conn");
    if (c) c.hidden = ok;
  }

  /** The session's event stream: every event is a whole snapshot, so each is simply rendered.
   * The browser reconnects by itself; a stream the server refused is checked and reopened. */
  function live(code, token, onState, opts) {
    opts = opts || {};
    let es = null;
    let stopped = false;
    let timer = null;
    const url = sessionPath(code) + "/events" + (token ? "?token=" + encodeURIComponent(token) : "");
    function open() {
      if (stopped) return;
      es = new EventSource(url);
      es.addEventListener("state", (e) => {
        connected(true);
        let state;
        try { state = JSON.parse(e.data); } catch (x) { return; }
        onState(state);
      });
      es.addEventListener("freed", () => {
        stop();
        if (opts.onGone) opts.onGone(new ApiError(403, "freed"));
      });
      es.onopen = () => connected(true);
      es.onerror = () => {
        connected(false);
        if (es && es.readyState === EventSource.CLOSED) {
          es = null;
          timer = setTimeout(recheck, 3000);
        }
      };
    }
    async function recheck() {
      if (stopped) return;
      if (opts.check) {
        try {
          onState(await opts.check());
        } catch (e) {
          if ((e.status === 403 || e.status === 404) && opts.onGone) {
            stop();
            opts.onGone(e);
            return;
          }
          timer = setTimeout(recheck, 3000);
          return;
        }
      }
      open();
    }
    function stop() {
      stopped = true;
      clearTimeout(timer);
      if (es) es.close();
      es = null;
    }
    open();
    return { close: stop };
  }

  // ------------------------------------------------------------------ the round's clock

  /** Seconds left in the round, or null where no clock runs. */
  function secondsLeft(b) {
    if (!b || b.phase !== "running" || b.deadline_ms === null || b.deadline_ms === undefined) return null;
    let left = (b.deadline_ms - (Date.now() + skewMs)) / 1000;
    if (b.round_seconds) left = Math.min(left, b.round_seconds);
    return Math.max(0, Math.ceil(left));
  }

  const clocks = [];
  /** Keeps element `id` showing the countdown of whatever `board()` returns. */
  function clock(id, board) {
    clocks.push({ id, board });
    tick();
    if (clocks.length === 1) setInterval(tick, 250);
  }
  function tick() {
    for (const c of clocks) {
      const e = $(c.id);
      if (!e) continue;
      const b = c.board();
      let text = "";
      let urgent = false;
      if (b && b.phase === "paused") text = "paused";
      else if (b && b.phase === "running") {
        const left = secondsLeft(b);
        if (left === null) text = b.round_seconds ? "" : "no timer";
        else {
          text = mmss(left);
          urgent = left <= 10;
        }
      }
      if (e.textContent !== text) e.textContent = text;
      e.classList.toggle("urgent", urgent);
      e.hidden = !text;
    }
  }

  // ------------------------------------------------------------------ shared words

  function actLabel(b) {
    const label = capital(b.act_label || "");
    return b.act_count > 1 ? label + " (act " + b.act + " of " + b.act_count + ")" : label;
  }

  function weekText(b) {
    switch (b.phase) {
      case "lobby": return b.horizon + " weeks to play";
      case "running":
      case "paused": return "Week " + b.week + " of " + b.horizon;
      case "interval": return "Act " + b.act + " is over";
      case "ended": return "Game over";
      default: return "";
    }
  }

  const PHASE_WORDS = {
    lobby: "Waiting to start",
    running: "Running",
    paused: "Paused",
    interval: "Between acts",
    ended: "Ended",
  };

  function soFarText(so) {
    if (!so) return "";
    if (so.cost !== undefined) return "cost so far " + fmt(so.cost);
    return "sold " + fmt(so.sell_out) + " · lost sales " + fmt(so.lost_sales) + " · written off " + fmt(so.write_off);
  }

  /** A seat's state in words: who sits there, and where their week stands. */
  function seatState(b, seat) {
    const active = b.phase === "running" || b.phase === "paused";
    if (!active) return { text: seat.robot ? "" : "seated", cls: "" };
    if (!seat.acts) return { text: "nothing to decide", cls: "idle" };
    if (seat.robot) return { text: "robot", cls: "robot" };
    if (seat.decided) return { text: "✓ decided", cls: "done" };
    return { text: "waiting…", cls: "waiting" };
  }

  /** The facilitator's message to the room, if any. */
  function broadcast(e, message) {
    if (!e) return;
    if (message) e.replaceChildren(h("span", { class: "from", text: "From the facilitator" }), message);
    else e.replaceChildren();
    e.hidden = !message;
  }

  function robotBadge() {
    return h("span", { class: "badge robot", text: "ROBOT" });
  }

  // ------------------------------------------------------------------ the participant's page

  function playPage() {
    let code = cleanCode(params.get("code") || store.get("orgsim.lastCode") || "");
    const seatKey = (c) => "orgsim.seat." + c;
    const seenKey = (c) => "orgsim.seen." + c;
    let token = null;
    let state = null;
    let stream = null;
    let seen = null; // the round last seen: {act, week, round, needed, submitted, robotWeek}
    let picks = { key: "", values: {} };
    let leversKey = "";
    let submitting = false;
    let lastChoice = "";

    // A seat handed over as a link by the facilitator: /play?code=CODE#seat=TOKEN.
    const handed = location.hash.match(/seat=([0-9a-fA-F]+)/);
    if (handed && code) store.set(seatKey(code), handed[1]);
    if (location.hash) history.replaceState(null, "", location.pathname + (code ? "?code=" + code : ""));

    clock("countdown", () => state);

    function showJoin(note) {
      if (stream) stream.close();
      stream = null;
      state = null;
      seatsFor = "";
      show("seat", false);
      show("join", true);
      const n = $("join-note");
      n.textContent = note || "";
      n.hidden = !note;
      if (code) $("join-code-input").value = code;
      (code ? $("join-name") : $("join-code-input")).focus();
      if (code) loadSeats(code);
    }

    // The free seats of the session whose code is typed, for the team and role pickers.
    let seatsFor = "";
    let board = null;
    async function loadSeats(c) {
      if (!c || c === seatsFor) return;
      seatsFor = c;
      try {
        board = await api("GET", sessionPath(c) + "/board");
      } catch (e) {
        board = null;
        $("join-seats").textContent = e.status === 404 ? "No session has that code yet." : "";
        fillPickers();
        return;
      }
      fillPickers();
    }
    function fillPickers() {
      const team = $("join-team");
      const role = $("join-role");
      const keepTeam = team.value;
      const keepRole = role.value;
      team.replaceChildren(h("option", { value: "", text: "any team" }));
      role.replaceChildren(h("option", { value: "", text: "any role" }));
      if (!board) return;
      const roles = [];
      let free = 0;
      for (const t of board.teams) {
        const open = t.seats.filter((x) => x.robot);
        free += open.length;
        team.append(h("option", { value: String(t.team), text: "Team " + t.team + (open.length ? "" : " (full)") }));
        for (const x of t.seats) if (!roles.includes(x.role)) roles.push(x.role);
      }
      const chosenTeam = board.teams.find((t) => String(t.team) === keepTeam);
      for (const r of roles) {
        const taken = chosenTeam && !chosenTeam.seats.some((x) => x.role === r && x.robot);
        role.append(h("option", { value: r, text: words(r) + (taken ? " (taken)" : "") }));
      }
      team.value = keepTeam;
      role.value = keepRole;
      $("join-seats").textContent =
        board.phase === "ended" ? "This session has ended." : plural(free, "seat") + " free in " + (board.title || "this session") + ".";
    }
    $("join-team").addEventListener("change", fillPickers);
    $("join-code-input").addEventListener("change", () => loadSeats(cleanCode($("join-code-input").value)));

    $("join-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      showError("join-error", "");
      const c = cleanCode($("join-code-input").value);
      const name = $("join-name").value.trim();
      if (!c) return showError("join-error", "Type the join code the facilitator shows.");
      if (!name) return showError("join-error", "Type your name.");
      const body = { name };
      if ($("join-team").value) body.team = Number($("join-team").value);
      if ($("join-role").value) body.role = $("join-role").value;
      const button = $("join-submit");
      button.disabled = true;
      try {
        const seat = await api("POST", sessionPath(c) + "/join", body);
        code = c;
        store.set(seatKey(code), seat.token);
        store.set("orgsim.lastCode", code);
        store.del(seenKey(code));
        history.replaceState(null, "", location.pathname + "?code=" + code);
        await enter(seat.token);
      } catch (e) {
        showError("join-error", e.status === 404 ? "No session has the code " + c + "." : capital(e.message));
        seatsFor = "";
        loadSeats(c);
      } finally {
        button.disabled = false;
      }
    });

    async function enter(t) {
      token = t;
      const first = await api("GET", sessionPath(code) + "/seat", undefined, token);
      seen = store.json(seenKey(code));
      show("join", false);
      show("seat", true);
      render(first);
      if (stream) stream.close();
      stream = live(code, token, render, {
        check: () => api("GET", sessionPath(code) + "/seat", undefined, token),
        onGone: (e) => {
          store.del(seatKey(code));
          showJoin(e.status === 404 ? "This session no longer exists." : "The facilitator freed your seat. Join again to take a seat.");
        },
      });
    }

    // Keeps track of the rounds: a round that closed while this seat had a decision to make
    // and none was submitted was played by the robot. Within an act the board says so itself
    // (robot_last_week); the last week of an act is judged here.
    function track(st) {
      const active = st.phase === "running" || st.phase === "paused";
      if (seen && st.round > seen.round) {
        const me = st.teams.find((t) => t.team === st.seat.team);
        const mine = me && me.seats.find((x) => x.role === st.seat.role);
        const told = active && st.act === seen.act && mine && typeof mine.robot_last_week === "boolean";
        const missed = st.round - seen.round;
        const robot = told ? mine.robot_last_week && (seen.needed || missed > 1) : seen.needed && !seen.submitted && missed === 1;
        if (robot) {
          seen.robotWeek = told ? st.week - 1 : seen.week;
          seen.robotMany = false;
        } else if (told && !mine.robot_last_week) {
          delete seen.robotWeek;
        }
      }
      if (!seen || seen.act !== st.act || seen.round !== st.round) {
        const carried = seen && seen.robotWeek ? { robotWeek: seen.robotWeek, robotMany: seen.robotMany } : {};
        seen = Object.assign({ act: st.act, week: st.week, round: st.round, needed: false, submitted: false }, carried);
      }
      seen.week = st.week;
      if (active && st.acts_this_week) seen.needed = true;
      if (st.decided) seen.submitted = true;
      store.set(seenKey(code), JSON.stringify(seen));
    }

    function render(st) {
      if (!st || !st.seat) return;
      state = st;
      track(st);
      const seat = st.seat;
      const view = st.view;
      const active = st.phase === "running" || st.phase === "paused";
      const decided = !!st.decided || (seen && seen.submitted && active);
      document.title = words(seat.role) + " · team " + seat.team + " · " + st.title;
      setText("title", st.title);
      setText("seat-role", capital(words(seat.role)));
      setText("seat-team", "Team " + seat.team);
      setText("seat-name", seat.name || "");
      setText("act-label", actLabel(st));
      setText("week", weekText(st));
      broadcast($("message"), st.message);

      const notice = $("robot-notice");
      if (seen && seen.robotWeek) {
        notice.textContent = seen.robotMany
          ? "Weeks closed before you submitted, from week " + seen.robotWeek + ": a robot played your seat for you."
          : "Week " + seen.robotWeek + " closed before you submitted: a robot played your seat for you.";
        notice.hidden = false;
      } else notice.hidden = true;

      let status;
      switch (st.phase) {
        case "lobby": status = "You are seated. Waiting for the facilitator to start."; break;
        case "interval": status = "This act is over. The next one starts soon."; break;
        case "ended": status = "The game is over. Thank you for playing!"; break;
        default:
          if (!st.acts_this_week) status = "Nothing to decide this week: waiting for the others.";
          else if (submitting) status = "Sending your decision…";
          else if (decided) status = "Decided" + (lastChoice ? " (" + lastChoice + ")" : "") + ": waiting for the others.";
          else status = "Your move: choose and submit.";
          if (st.phase === "paused") status = "Paused. " + status;
      }
      setText("status", status);
      $("status").dataset.state = st.phase === "running" || st.phase === "paused" ? (decided ? "decided" : st.acts_this_week ? "deciding" : "idle") : st.phase;
      show("ended-link", st.phase === "ended");
      $("debrief-link").href = "/debrief?code=" + encodeURIComponent(code);

      renderTeam(st);
      const chain = seat.kind === "network";
      show("scorecard-card", !chain);
      show("view-card", !chain && !!view);
      show("stage-card", chain && !!view);
      if (chain) {
        renderOrder(st, active, decided);
        renderStage(seat, view);
      } else {
        renderLevers(st, active, decided);
        renderCard(seat, view);
      }
    }

    // Whether the decision form shows: not after the act, nor once this seat has decided or has
    // nothing to decide this week (a hidden form is drawn afresh when it shows again).
    function showDecision(st, active, decided) {
      const on = !!st.view && st.phase !== "ended" && st.phase !== "interval" && !(active && (decided || !st.acts_this_week));
      $("decision").hidden = !on;
      if (!on) leversKey = "";
      return on;
    }

    // A stock point's one decision: how many units to order from upstream.
    function renderOrder(st, active, decided) {
      if (!showDecision(st, active, decided)) return;
      const view = st.view;
      const canSubmit = active && st.acts_this_week && !decided && !submitting;
      $("submit").disabled = !canSubmit;
      $("submit").textContent = st.phase === "lobby" ? "Opens when the game starts" : "Place order";
      const key = st.act + "|" + st.week + "|" + st.phase;
      if (key === leversKey) return;
      leversKey = key;
      const input = h("input", {
        id: "order-units", name: "order", type: "number", min: "0", max: String(st.max_order), step: "1",
        inputmode: "numeric", required: true, class: "order-input", disabled: st.phase === "lobby",
        value: String(Math.max(0, Math.round(view.incoming))),
      });
      $("levers").replaceChildren(
        h("fieldset", { class: "lever", "data-lever": "order" },
          h("legend", {}, h("span", { class: "lever-name", text: "Your order to " + words(view.orders_from) })),
          h("label", { for: "order-units", class: "hint", text: "Whole units, 0 to " + st.max_order + ". It arrives after the mail and shipping delays." }),
          input));
    }

    // A stock point's board: its own stock, backlog and pipeline; others' only when shown.
    function renderStage(seat, view) {
      if (!view) return;
      setText("stage-costs", fmt(seat.holding_cost) + " per unit-week on hand, " + fmt(seat.backlog_cost) + " per unit-week owed");
      const facts = [
        ["On hand", fmt(view.inventory) + " units"],
        ["Owed to " + words(view.ships_to), fmt(view.backlog) + " units"],
        ["Ordered from you this week", fmt(view.incoming) + " units"],
        ["Arrived this week", fmt(view.received) + " units"],
        ["On order (not yet arrived)", fmt(view.on_order) + " units"],
        ["Arriving in the coming weeks", view.arriving.map(fmt).join(", ") || "–"],
        ["Your orders still in the mail", view.in_mail.map(fmt).join(", ") || "–"],
        ["Your cost so far", fmt(view.cost)],
      ];
      if (view.customer_demand !== null && view.customer_demand !== undefined) facts.splice(3, 0, ["Customers' demand this week", fmt(view.customer_demand) + " units"]);
      $("stage-facts").replaceChildren(...facts.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]));
      const last = (xs) => xs.slice(-8).map(fmt).join(", ") || "–";
      setText("stage-history", "Orders you received (last 8 weeks): " + last(view.incoming_so_far) + ". Orders you placed: " + last(view.orders) + ".");
      show("stage-others-box", view.others.length > 0);
      $("stage-others").replaceChildren(
        h("tr", {}, h("th", { text: "Point" }), h("th", { class: "num", text: "On hand" }), h("th", { class: "num", text: "Owed" }), h("th", { class: "num", text: "On order" })),
        ...view.others.map((o) => h("tr", { "data-stock": o.stage },
          h("td", { text: words(o.stage) }), h("td", { class: "num", text: fmt(o.inventory) }),
          h("td", { class: "num", text: fmt(o.backlog) }), h("td", { class: "num", text: fmt(o.on_order) }))));
    }

    // Who in my team has decided this week.
    function renderTeam(st) {
      let line = $("team-line");
      if (!line) {
        line = h("p", { id: "team-line", class: "team-line" });
        $("status").after(line);
      }
      const team = st.teams.find((t) => t.team === st.seat.team);
      const active = st.phase === "running" || st.phase === "paused";
      line.replaceChildren();
      if (!team || !active) return;
      line.append(h("span", { class: "muted", text: "Your team: " }));
      for (const x of team.seats) {
        const mine = x.role === st.seat.role;
        const label = mine ? "you" : x.robot ? words(x.role) + " (robot)" : x.name + " (" + words(x.role) + ")";
        const st2 = seatState(st, x);
        line.append(h("span", { class: "pill " + st2.cls, text: label + (x.acts && !x.robot ? (x.decided ? " ✓" : " …") : "") }));
      }
    }

    function renderLevers(st, active, decided) {
      if (!showDecision(st, active, decided)) return;
      const view = st.view;
      const round = st.act + "|" + st.week;
      if (picks.key !== round) picks = { key: round, values: {} };
      const key = round + "|" + st.phase + "|" + JSON.stringify(view.levers) + "|" + JSON.stringify(st.words);
      const canSubmit = active && st.acts_this_week && !decided && !submitting;
      $("submit").disabled = !canSubmit;
      $("submit").textContent = st.phase === "lobby" ? "Opens when the game starts" : "Submit decision";
      if (key === leversKey) return;
      leversKey = key;
      const box = $("levers");
      box.replaceChildren();
      view.levers.forEach((lever, k) => {
        const labels = (st.words && st.words[k]) || lever.options.map(fmt);
        let inEffect = 0;
        lever.options.forEach((o, i) => {
          if (Math.abs(o - lever.in_effect) < Math.abs(lever.options[inEffect] - lever.in_effect)) inEffect = i;
        });
        if (picks.values[lever.name] === undefined) picks.values[lever.name] = inEffect;
        const open = lever.open && st.phase !== "lobby";
        const options = h("div", { class: "options", role: "radiogroup" });
        labels.forEach((word, i) => {
          const input = h("input", {
            type: "radio",
            name: "lever-" + lever.name,
            value: String(i),
            checked: picks.values[lever.name] === i,
            disabled: !open,
            on: { change: () => choose(lever.name, i) },
          });
          options.append(
            h("label", { class: "option" + (picks.values[lever.name] === i ? " chosen" : ""), "data-option": String(i) },
              input,
              h("span", { class: "word", text: word }),
              i === inEffect ? h("small", { class: "tag", text: "in effect" }) : null)
          );
        });
        let note = null;
        if (!lever.open) {
          note = h("p", { class: "hint", text: "Not open this week (decided every " + plural(lever.every, "week") + "): it stays at " + labels[inEffect] + "." });
        } else if (lever.uses_left !== undefined && lever.uses_left !== null) {
          note = lever.uses_left > 0
            ? h("p", { class: "hint uses", text: plural(lever.uses_left, "use") + " left this period." })
            : h("p", { class: "hint uses none", text: "No uses left this period: any other choice keeps the usual value." });
        }
        box.append(
          h("fieldset", { class: "lever" + (lever.open ? "" : " closed"), "data-lever": lever.name, disabled: !open },
            h("legend", {}, h("span", { class: "lever-name", text: words(lever.name) })),
            options, note)
        );
      });
    }

    function choose(name, i) {
      picks.values[name] = i;
      const set = document.querySelector('fieldset[data-lever="' + CSS.escape(name) + '"]');
      if (!set) return;
      for (const l of set.querySelectorAll("label.option")) l.classList.toggle("chosen", l.dataset.option === String(i));
    }

    $("decision").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const st = state;
      if (!st || !st.view || submitting) return;
      showError("submit-error", "");
      const choices = {};
      const said = [];
      if (st.seat.kind === "network") {
        const raw = $("order-units").value.trim();
        const units = Number(raw);
        if (raw === "" || !Number.isInteger(units) || units < 0 || units > st.max_order) {
          return showError("submit-error", "An order is a whole number of units from 0 to " + st.max_order + ".");
        }
        choices.order = units;
        said.push("ordered " + units);
      } else st.view.levers.forEach((lever, k) => {
        if (!lever.open) return;
        const i = picks.values[lever.name];
        choices[lever.name] = i;
        said.push(words(lever.name) + " " + ((st.words && st.words[k] && st.words[k][i]) || fmt(lever.options[i])));
      });
      const round = { act: st.act, week: st.week, round: st.round };
      submitting = true;
      if (seen && seen.round === round.round) seen.submitted = true; // a reply may come after the round closes
      render(st);
      try {
        await api("POST", sessionPath(code) + "/decide", { act: round.act, week: round.week, choices }, token);
        lastChoice = said.join(", ");
        if (seen) {
          delete seen.robotWeek;
          delete seen.robotMany;
          store.set(seenKey(code), JSON.stringify(seen));
        }
      } catch (e) {
        if (e.status === 403) {
          store.del(seatKey(code));
          submitting = false;
          return showJoin("The facilitator freed your seat. Join again to take a seat.");
        }
        if (e.status === 409 && /already played/.test(e.message)) {
          // The clock ran out while the decision was on its way.
          if (seen) {
            seen.robotWeek = round.week;
            store.set(seenKey(code), JSON.stringify(seen));
          }
        } else {
          if (seen && seen.round === round.round) seen.submitted = false;
          showError("submit-error", capital(e.message));
        }
      } finally {
        submitting = false;
        if (state) render(state);
      }
    });

    function renderCard(seat, view) {
      const card = $("scorecard");
      const rows = [h("tr", {}, h("th", { text: "Measure" }), h("th", { class: "num", text: "Weight" }), h("th", { class: "num", text: "Target" }))];
      for (const c of seat.scorecard || []) {
        rows.push(h("tr", {}, h("td", { text: capital(words(c.metric)) }), h("td", { class: "num", text: pct(c.weight) }),
          h("td", { class: "num", text: typeof c.target === "number" ? fmt(c.target) : JSON.stringify(c.target) })));
      }
      card.replaceChildren(...rows);
      show("facts", !!view);
      show("view-card", !!view);
      if (!view) return;
      setText("period", "week " + view.week_of_period + " of " + view.period_weeks);
      setText("attainment", pct(view.attainment_so_far) + " of the pro-rated target");
      setText("payout", view.periods_closed > 0
        ? pct(view.mean_payout) + " of your target bonus on average (" + plural(Math.round(view.periods_closed * 10) / 10, "period") + " closed)"
        : "no period closed yet");
      const names = ["sell-out", "margin", "availability"];
      $("reading").replaceChildren(...(view.reading || []).map((w, i) =>
        h("div", { class: "bar-row" },
          h("span", { class: "bar-label", text: names[i] || "aim " + (i + 1) }),
          h("span", { class: "bar" }, h("span", { class: "bar-fill", style: "width:" + Math.round(Math.max(0, Math.min(1, w)) * 100) + "%" })),
          h("span", { class: "bar-value", text: pct(w) }))));
      $("stock").replaceChildren(...(view.stock || []).map((x) => {
        const seenStock = x.units !== null && x.units !== undefined;
        let when = "";
        if (seenStock && x.as_of_week !== null) {
          when = x.as_of_week >= 0 ? "as of week " + (x.as_of_week + 1) : "as of " + plural(-x.as_of_week, "week") + " before week 1";
        }
        return h("li", { "data-stock": x.stock_point, class: seenStock ? "" : "unseen" },
          h("span", { class: "stock-name", text: words(x.stock_point) }),
          seenStock ? h("span", { class: "stock-units", text: fmt(x.units) + " units" }) : h("span", { class: "muted", text: "not visible to you" }),
          when ? h("span", { class: "muted stock-when", text: when }) : null);
      }));
    }

    // Start: back to the seat this device holds, else the join form.
    (async function start() {
      const stored = code ? store.get(seatKey(code)) : null;
      if (!stored) return showJoin();
      for (let attempt = 0; ; attempt++) {
        try {
          await enter(stored);
          return;
        } catch (e) {
          if (e.status === 403 || e.status === 404) {
            store.del(seatKey(code));
            return showJoin(e.status === 403 ? "That seat is no longer yours (the facilitator freed it). Join again." : "No session has the code " + code + ".");
          }
          if (attempt >= 2) return showJoin(capital(e.message));
          await new Promise((r) => setTimeout(r, 1500));
        }
      }
    })();
  }

  // ------------------------------------------------------------------ the wall

  function wallPage() {
    const code = cleanCode(params.get("code"));
    let state = null;
    clock("wall-countdown", () => state);
    if (!code) {
      show("wall-pick", true);
      $("wall-pick").addEventListener("submit", (ev) => {
        ev.preventDefault();
        const c = cleanCode($("wall-code-input").value);
        if (c) location.search = "?code=" + c;
      });
      return;
    }
    document.body.classList.add("wall-on");
    publicBase().then((base) => {
      const link = joinLink(base, code);
      $("wall-qr").src = qrSrc(link);
      setText("wall-link", link.replace(/^https?:\/\//, ""));
    });
    setText("wall-code", code);

    function render(b) {
      state = b;
      document.title = b.title + " · wall";
      setText("wall-title", b.title);
      setText("wall-act", actLabel(b));
      setText("wall-week", weekText(b));
      broadcast($("wall-message"), b.message);
      const phase = {
        lobby: "Scan the code to take a seat. Empty seats are played by robots.",
        running: "",
        paused: "Paused",
        interval: "The first act is over. The next act starts soon.",
        ended: "The game is over: the debrief is next.",
      }[b.phase] || "";
      setText("wall-phase", phase);
      show("wall-phase", !!phase);
      show("wall-join", b.phase === "lobby" || b.phase === "interval");
      document.body.dataset.phase = b.phase;
      let corner = $("wall-corner");
      if (!corner) {
        corner = h("div", { id: "wall-corner", class: "wall-corner" });
        $("wall").append(corner);
      }
      corner.textContent = "join code " + code;
      corner.hidden = b.phase === "lobby" || b.phase === "interval" || b.phase === "ended";

      let seated = 0;
      let decided = 0;
      const active = b.phase === "running" || b.phase === "paused";
      for (const t of b.teams) for (const x of t.seats) if (active && !x.robot && x.acts) (x.decided ? decided++ : seated++);
      let progress = $("wall-progress");
      if (!progress) {
        progress = h("p", { id: "wall-progress", class: "wall-progress" });
        $("wall-teams").before(progress);
      }
      progress.textContent = seated + decided ? decided + " of " + (seated + decided) + " have decided this week" : "";
      progress.hidden = !(seated + decided);

      const grid = $("wall-teams");
      grid.classList.toggle("many", b.teams.length > 4);
      grid.classList.toggle("few", b.teams.length <= 2);
      grid.replaceChildren(...b.teams.map((t) =>
        h("article", { class: "wall-team", "data-team": String(t.team) },
          h("h2", { text: "Team " + t.team }),
          h("ul", { class: "wall-seats" }, ...t.seats.map((x) => {
            const st = seatState(b, x);
            const late = !x.robot && x.robot_last_week && (b.phase === "running" || b.phase === "paused");
            return h("li", { "data-seat": t.team + ":" + x.role, class: st.cls },
              h("span", { class: "seat-role", text: words(x.role) }),
              h("span", { class: "seat-who" }, x.robot ? robotBadge() : x.name,
                late ? h("span", { class: "late", text: "robot played week " + (b.week - 1) }) : null),
              h("span", { class: "seat-tick", text: x.acts && (b.phase === "running" || b.phase === "paused") ? (x.robot ? "" : x.decided ? "✓" : "…") : "" }));
          })),
          t.so_far ? h("p", { class: "so-far", text: soFarText(t.so_far) }) : null)));
    }

    (async function start() {
      show("wall", true);
      try {
        render(await api("GET", sessionPath(code) + "/board"));
      } catch (e) {
        show("wall", false);
        show("wall-pick", true);
        showError("wall-error", e.status === 404 ? "No session has the code " + code + "." : capital(e.message));
        return;
      }
      live(code, null, render, { check: () => api("GET", sessionPath(code) + "/board") });
    })();
  }

  // ------------------------------------------------------------------ the facilitator's page

  function facilitatePage() {
    const fromHash = location.hash.match(/key=([0-9a-fA-F]+)/);
    if (fromHash) store.set("orgsim.key", fromHash[1]);
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    const code = cleanCode(params.get("code"));
    const tokenKey = (c) => "orgsim.facilitator." + c;

    $("key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = $("key-input").value.trim();
      const m = text.match(/key=([0-9a-fA-F]+)/) || text.match(/^([0-9a-fA-F]{16,})$/);
      if (!m) return showError("key-error", "That is not a facilitator link or key: it is the long code after #key= in the link.");
      store.set("orgsim.key", m[1]);
      location.reload();
    });
    function askKey(message) {
      show("home", false);
      show("session", false);
      show("key-form", true);
      showError("key-error", message || "");
    }

    const key = store.get("orgsim.key");
    if (code) return openSession(code);
    if (!key) return askKey();
    home();

    // ----- the list of sessions, and a new one

    async function home() {
      show("home", true);
      let list;
      try {
        list = await api("GET", "/api/sessions", undefined, key);
      } catch (e) {
        if (e.status === 401 || e.status === 403) return askKey("This server does not know that key: open the link `orgsim serve` printed.");
        showError("create-error", capital(e.message));
        return;
      }
      const rows = list.sessions.slice().reverse();
      show("sessions-empty", rows.length === 0);
      const table = $("sessions");
      table.replaceChildren();
      if (rows.length) table.append(h("tr", {}, h("th", { text: "Code" }), h("th", { text: "Title" }), h("th", { text: "Phase" }), h("th", {})));
      for (const x of rows) {
        store.set(tokenKey(x.code), x.token);
        const href = "/facilitate?code=" + encodeURIComponent(x.code);
        const go = () => location.assign(href);
        table.append(h("tr", { "data-code": x.code, on: { click: go } },
          h("td", { class: "mono", text: x.code }),
          h("td", { text: x.title }),
          h("td", {}, h("span", { class: "phase phase-" + x.phase, text: PHASE_WORDS[x.phase] || x.phase })),
          h("td", {}, h("a", { href, class: "button", text: "Open" }))));
      }
      loadScenarios();
    }

    // A scenario's kind, by name: a network's weeks are set at another path.
    const kinds = {};

    async function loadScenarios() {
      const select = $("scenario");
      let data;
      try {
        data = await api("GET", "/api/scenarios");
      } catch (e) {
        data = { scenarios: [], default: "" };
      }
      const summaries = {};
      select.replaceChildren(...data.scenarios.map((x) => {
        summaries[x.name] = x.summary;
        kinds[x.name] = x.kind;
        return h("option", { value: x.name, text: words(x.name) });
      }), h("option", { value: "__upload__", text: "a scenario file of my own…" }));
      select.value = data.default || (data.scenarios[0] && data.scenarios[0].name) || "__upload__";
      const update = () => {
        const up = select.value === "__upload__";
        show("upload", up);
        setText("scenario-summary", up ? "Choose the scenario's JSON file, or paste its text." : summaries[select.value] || "");
      };
      select.addEventListener("change", update);
      update();
    }

    $("scenario-file").addEventListener("change", () => {
      const f = $("scenario-file").files[0];
      if (!f) return;
      const reader = new FileReader();
      reader.onload = () => { $("scenario-text").value = String(reader.result); };
      reader.readAsText(f);
    });
    for (const r of document.querySelectorAll('input[name="act2"]')) {
      r.addEventListener("change", () => show("arm", document.querySelector('input[name="act2"]:checked').value === "arm"));
    }
    const lines = (text) => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));

    $("create").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      showError("create-error", "");
      const body = { teams: Number($("teams").value), sets: [], act_two: null };
      const title = $("title-input").value.trim();
      if (title) body.title = title;
      if ($("scenario").value === "__upload__") {
        body.scenario_text = $("scenario-text").value;
        if (!body.scenario_text.trim()) return showError("create-error", "Choose a scenario file, or paste its JSON.");
      } else body.scenario = $("scenario").value;
      if (!Number.isInteger(body.teams) || body.teams < 1 || body.teams > 20) return showError("create-error", "Teams: 1 to 20.");
      const rs = $("round-seconds").value.trim();
      body.round_seconds = rs === "" ? null : Number(rs);
      if (body.round_seconds !== null && !(Number.isInteger(body.round_seconds) && body.round_seconds >= 5 && body.round_seconds <= 3600)) {
        return showError("create-error", "Round timer: 5 to 3600 seconds, or empty for none.");
      }
      const seed = $("seed").value.trim();
      if (seed !== "") {
        if (!/^\d+$/.test(seed)) return showError("create-error", "Seed: a whole number.");
        body.seed = Number(seed);
      }
      const weeks = $("weeks").value.trim();
      if (weeks !== "") {
        if (!/^\d+$/.test(weeks) || Number(weeks) < 1) return showError("create-error", "Weeks: a whole number of weeks.");
        let network = kinds[$("scenario").value] === "network";
        if (body.scenario_text) {
          try { network = "network" in JSON.parse(body.scenario_text); } catch (e) { network = false; }
        }
        body.sets.push((network ? "network.weeks=" : "horizon_weeks=") + Number(weeks));
      }
      body.sets.push(...lines($("sets").value));
      const act2 = document.querySelector('input[name="act2"]:checked').value;
      if (act2 === "see_everything") body.act_two = { kind: "see_everything" };
      if (act2 === "arm") {
        const label = $("arm-label").value.trim();
        const sets = lines($("arm-sets").value);
        if (!label) return showError("create-error", "Second act: give the changed incentives a label.");
        if (!sets.length) return showError("create-error", "Second act: give at least one PATH=VALUE override.");
        body.act_two = { kind: "arm", label, sets };
      }
      const button = $("create-submit");
      button.disabled = true;
      const status = $("create-status");
      status.textContent = "Preparing the model: the robots are fitted to the scenario. This can take a minute…";
      status.hidden = false;
      try {
        const made = await api("POST", "/api/sessions", body, key);
        store.set(tokenKey(made.code), made.token);
        location.assign("/facilitate?code=" + encodeURIComponent(made.code));
      } catch (e) {
        if (e.status === 401 || e.status === 403) return askKey("This server does not know that key.");
        showError("create-error", capital(e.message));
        status.hidden = true;
        button.disabled = false;
      }
    });

    // ----- one session

    async function openSession(c) {
      show("home-link", !!key);
      let token = store.get(tokenKey(c));
      if (!token && key) {
        try {
          const list = await api("GET", "/api/sessions", undefined, key);
          const found = list.sessions.find((x) => x.code === c);
          if (found) {
            token = found.token;
            store.set(tokenKey(c), token);
          }
        } catch (e) { /* asked below */ }
      }
      if (!token) return askKey("This browser does not hold session " + c + "'s facilitator token: open the facilitator link `orgsim serve` printed.");
      let first;
      try {
        first = await api("GET", sessionPath(c), undefined, token);
      } catch (e) {
        if (e.status === 403 || e.status === 404) {
          store.del(tokenKey(c));
          return askKey(e.status === 404 ? "No session has the code " + c + "." : "That facilitator token is not this session's.");
        }
        show("session", true);
        showError("control-error", capital(e.message));
        return;
      }
      sessionView(c, token, first);
    }

    function sessionView(c, token, first) {
      let state = null;
      show("session", true);
      clock("countdown", () => state);
      setText("join-code", c);
      publicBase().then((base) => {
        const link = joinLink(base, c);
        const a = $("join-link");
        a.href = link;
        a.textContent = link.replace(/^https?:\/\//, "");
        $("qr").src = qrSrc(link);
      });
      $("wall-link").href = "/wall?code=" + encodeURIComponent(c);
      $("debrief-link").href = "/debrief?code=" + encodeURIComponent(c);

      async function control(action, button) {
        showError("control-error", "");
        if (button) button.disabled = true;
        try {
          return await api("POST", sessionPath(c) + "/control", action, token);
        } catch (e) {
          showError("control-error", capital(e.message));
          return null;
        } finally {
          if (button) button.disabled = false;
        }
      }

      // Ending and freeing a seat cannot be undone: they take a second click.
      function twoStep(button, ask, act) {
        if (button.dataset.armed) {
          delete button.dataset.armed;
          button.textContent = button.dataset.label;
          return act();
        }
        button.dataset.label = button.textContent;
        button.dataset.armed = "1";
        button.textContent = ask;
        setTimeout(() => {
          if (button.dataset.armed) {
            delete button.dataset.armed;
            button.textContent = button.dataset.label;
          }
        }, 4000);
      }

      for (const b of document.querySelectorAll("#controls [data-action]")) {
        b.addEventListener("click", () => {
          const action = b.dataset.action;
          if (action === "end") return twoStep(b, "Click again to end", () => control({ action }, b));
          control({ action }, b);
        });
      }
      // What the facilitator types is kept until it is set, whatever the room's state says.
      let timerDirty = false;
      $("timer-input").addEventListener("input", () => { timerDirty = true; });
      $("timer-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const v = $("timer-input").value.trim();
        const seconds = v === "" ? null : Number(v);
        if (seconds !== null && !(Number.isInteger(seconds) && seconds >= 5 && seconds <= 3600)) {
          return showError("control-error", "A round timer is 5 to 3600 seconds, or empty for none.");
        }
        if (await control({ action: "timer", seconds }, $("timer-set"))) {
          timerDirty = false;
          note(seconds === null ? "No timer: rounds wait for everyone." : "Timer: " + seconds + " s a week, starting now.");
        }
      });
      $("broadcast-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        if (await control({ action: "broadcast", message: $("broadcast-input").value.trim() }, $("broadcast-send"))) $("broadcast-input").value = "";
      });
      $("broadcast-clear").addEventListener("click", () => control({ action: "broadcast", message: "" }, $("broadcast-clear")));
      $("assign-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const team = Number($("assign-team").value);
        const role = $("assign-role").value;
        const name = $("assign-name").value.trim();
        const r = await control({ action: "assign", team, role, name });
        if (!r) return;
        const base = await publicBase();
        const link = joinLink(base, c) + "#seat=" + r.token;
        $("assign-result").replaceChildren("Give " + name + " this link (it is their seat): ", h("a", { href: link, text: link }));
        $("assign-name").value = "";
      });

      function note(text) {
        const n = $("control-note");
        n.textContent = text;
        n.hidden = !text;
      }

      function render(st) {
        state = st;
        document.title = c + " · facilitator · " + st.title;
        setText("session-title", st.title);
        setText("act-label", actLabel(st) + (st.second_act && st.act === 1 ? " · then: " + st.second_act : ""));
        const phase = $("phase");
        phase.textContent = PHASE_WORDS[st.phase] || st.phase;
        phase.className = "phase phase-" + st.phase;
        setText("week", weekText(st));
        document.body.dataset.phase = st.phase;
        const current = $("current-message");
        current.replaceChildren(...(st.message ? [h("span", { class: "muted", text: "Showing now: " }), h("q", { text: st.message })] : []));
        current.hidden = !st.message;
        const can = {
          start: st.phase === "lobby",
          pause: st.phase === "running",
          resume: st.phase === "paused",
          advance: st.phase === "running" || st.phase === "paused",
          next_act: st.phase === "interval" && st.act < st.act_count,
          end: st.phase !== "ended",
        };
        for (const b of document.querySelectorAll("#controls [data-action]")) b.hidden = !can[b.dataset.action];
        const startButton = document.querySelector('#controls [data-action="start"]');
        startButton.textContent = st.act > 1 ? "Start act " + st.act : "Start";
        const endButton = document.querySelector('#controls [data-action="end"]');
        if (!endButton.dataset.armed) endButton.textContent = st.phase === "interval" ? "End now: debrief" : "End session";
        if (st.phase === "ended") {
          note("");
          let done = $("ended-note");
          if (!done) {
            done = h("p", { id: "ended-note", class: "notice good" }, "The session has ended. ",
              h("a", { href: "/debrief?code=" + encodeURIComponent(c), target: "_blank", rel: "noopener", class: "button primary", text: "Open the debrief" }));
            $("controls").after(done);
          }
        }
        if (!timerDirty && $("timer-input") !== document.activeElement) $("timer-input").value = st.round_seconds === null || st.round_seconds === undefined ? "" : String(st.round_seconds);

        let waiting = 0;
        let decided = 0;
        const active = st.phase === "running" || st.phase === "paused";
        for (const t of st.teams) for (const x of t.seats) if (!x.robot && x.acts && active) x.decided ? decided++ : waiting++;
        setText("decided-count", active && decided + waiting ? decided + " of " + (decided + waiting) + " participants have decided this week" : "");

        const lines = {};
        for (const l of st.lines || []) lines[l.team] = l;
        $("teams-live").replaceChildren(...st.teams.map((t) => teamCard(st, t, lines[t.team])));
        fillAssign(st);
      }

      function teamCard(st, t, line) {
        const rows = t.seats.map((x) => {
          const stt = seatState(st, x);
          const id = t.team + ":" + x.role;
          const free = x.robot ? null : freeButton(t.team, x, id);
          const late = !x.robot && x.robot_last_week && (st.phase === "running" || st.phase === "paused")
            ? h("span", { class: "late", text: "robot played week " + (st.week - 1) })
            : null;
          return h("tr", { "data-seat": id, class: stt.cls },
            h("td", { class: "seat-role", text: words(x.role) }),
            h("td", { class: "seat-who" }, x.robot ? robotBadge() : x.name),
            h("td", { class: "seat-state" }, stt.text, late),
            h("td", { class: "seat-free" }, free));
        });
        return h("article", { class: "team-card", "data-team": String(t.team) },
          h("header", {}, h("h3", { text: "Team " + t.team }), t.so_far ? h("span", { class: "so-far", text: soFarText(t.so_far) }) : null),
          h("div", { class: "team-body" }, h("table", { class: "seats" }, ...rows), line ? sparkline(line) : null));
      }

      // Freeing a seat takes a second click within 4 s; the table is drawn afresh on every
      // event, so which seat is asking is kept here.
      let armed = { id: "", until: 0 };
      function freeButton(team, x, id) {
        const asking = armed.id === id && Date.now() < armed.until;
        return h("button", {
          class: "small",
          "data-free": id,
          "data-armed": asking ? "1" : null,
          title: "Free the seat: its link stops working, and the robot plays it until someone joins",
          text: asking ? "Free " + x.name + "?" : "Free",
          on: {
            click: () => {
              if (armed.id === id && Date.now() < armed.until) {
                armed = { id: "", until: 0 };
                control({ action: "free", team, role: x.role });
                return;
              }
              armed = { id, until: Date.now() + 4000 };
              render(state);
              setTimeout(() => {
                if (armed.id === id && Date.now() >= armed.until) {
                  armed = { id: "", until: 0 };
                  render(state);
                }
              }, 4100);
            },
          },
        });
      }

      function fillAssign(st) {
        const team = $("assign-team");
        const role = $("assign-role");
        if (team.options.length !== st.teams.length) {
          team.replaceChildren(...st.teams.map((t) => h("option", { value: String(t.team), text: "Team " + t.team })));
        }
        const roles = st.teams.length ? st.teams[0].seats.map((x) => x.role) : [];
        if (role.options.length !== roles.length) role.replaceChildren(...roles.map((r) => h("option", { value: r, text: words(r) })));
      }

      render(first);
      live(c, token, render, {
        check: () => api("GET", sessionPath(c), undefined, token),
        onGone: () => showError("control-error", "This session is gone from the server, or the token no longer works."),
      });
    }
  }

  /** A team's weekly sell-out against consumer demand so far (a network's orders by point
   *  against the customers' demand), as a small line chart. */
  function sparkline(line) {
    const W = 260;
    const H = 70;
    const pad = 4;
    if (line.orders) return chainSpark(line, W, H, pad);
    const demand = line.consumer_demand || [];
    const sold = line.sell_out || [];
    const n = Math.max(demand.length, sold.length);
    const box = h("figure", { class: "spark", "data-spark": String(line.team) });
    const svg = s("svg", { viewBox: "0 0 " + W + " " + (H + 14), width: String(W), height: String(H + 14), role: "img", "aria-label": "weekly sell-out against consumer demand" });
    svg.append(s("line", { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: "#bbb", "stroke-width": "1" }));
    if (n >= 1) {
      const max = Math.max(1, ...demand, ...sold);
      const x = (i) => (n === 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (n - 1));
      const y = (v) => H - pad - (v / max) * (H - pad - 14);
      const pts = (xs) => xs.map((v, i) => x(i).toFixed(1) + "," + y(v).toFixed(1)).join(" ");
      // Demand on top, dashed: where the room sold what was asked for, the two lines are one.
      svg.append(s("polyline", { points: pts(sold), fill: "none", stroke: "#0072B2", "stroke-width": "4", "stroke-linejoin": "round" }));
      svg.append(s("polyline", { points: pts(demand), fill: "none", stroke: "#E69F00", "stroke-width": "2", "stroke-dasharray": "6 4" }));
      for (const [xs, colour] of [[sold, "#0072B2"], [demand, "#E69F00"]]) {
        if (xs.length) svg.append(s("circle", { cx: x(xs.length - 1), cy: y(xs[xs.length - 1]), r: "3", fill: colour }));
      }
      const label = (text, attrs) => {
        const e = s("text", Object.assign({ fill: "#5b6470", "font-size": "10" }, attrs));
        e.textContent = text;
        svg.append(e);
      };
      label(fmt(max) + " units", { x: pad + 2, y: 10 });
      label("week 1", { x: pad, y: H + 12 });
      if (n > 1) label("week " + n, { x: W - pad, y: H + 12, "text-anchor": "end" });
    } else {
      const t = s("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#666", "font-size": "12" });
      t.textContent = "the line starts after week 1";
      svg.append(t);
    }
    box.append(svg, h("figcaption", {},
      h("span", { class: "key sold" }), "sell-out ",
      h("span", { class: "key demand" }), "consumer demand"));
    return box;
  }

  /** A network team's orders by point, with the customers' demand dashed. */
  function chainSpark(line, W, H, pad) {
    const colours = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
    const points = Object.keys(line.orders);
    const all = [line.demand, ...points.map((p) => line.orders[p])];
    const n = line.demand.length;
    const box = h("figure", { class: "spark", "data-spark": String(line.team) });
    const svg = s("svg", { viewBox: "0 0 " + W + " " + (H + 14), width: String(W), height: String(H + 14), role: "img", "aria-label": "weekly orders by stock point against the customers' demand" });
    svg.append(s("line", { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: "#bbb", "stroke-width": "1" }));
    if (n >= 1) {
      const max = Math.max(1, ...all.flat());
      const min = Math.min(0, ...all.flat());
      const x = (i) => (n === 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (n - 1));
      const y = (v) => H - pad - ((v - min) / (max - min)) * (H - pad - 14);
      const pts = (xs) => xs.map((v, i) => x(i).toFixed(1) + "," + y(v).toFixed(1)).join(" ");
      points.forEach((p, k) => svg.append(s("polyline", { points: pts(line.orders[p]), fill: "none", stroke: colours[k % colours.length], "stroke-width": "2.5", "stroke-linejoin": "round" })));
      svg.append(s("polyline", { points: pts(line.demand), fill: "none", stroke: "#E69F00", "stroke-width": "2", "stroke-dasharray": "6 4" }));
      const e = s("text", { fill: "#5b6470", "font-size": "10", x: pad + 2, y: 10 });
      e.textContent = fmt(max) + " units";
      svg.append(e);
    }
    const key = [h("span", { class: "key demand" }), "customers "];
    points.forEach((p, k) => key.push(h("span", { class: "key", style: "background:" + colours[k % colours.length] }), words(p) + " "));
    box.append(svg, h("figcaption", {}, ...key));
    return box;
  }

  // ------------------------------------------------------------------ the debrief

  function debriefPage() {
    const code = cleanCode(params.get("code"));
    if (!code) {
      show("debrief-pick", true);
      $("debrief-pick").addEventListener("submit", (ev) => {
        ev.preventDefault();
        const c = cleanCode($("debrief-code-input").value);
        if (c) location.search = "?code=" + c;
      });
      return;
    }
    let waiting = null;
    let tries = 0;
    const started = Date.now();

    function status(text, cls) {
      const e = $("debrief-status");
      e.textContent = text || "";
      e.hidden = !text;
      e.className = "status" + (cls ? " " + cls : "");
    }

    async function load() {
      tries++;
      let d;
      try {
        d = await api("GET", sessionPath(code) + "/debrief");
      } catch (e) {
        if (e.status === 503) {
          const secs = Math.round((Date.now() - started) / 1000);
          status("Simulating the plays this session is compared with… (" + secs + " s; the page opens the debrief when they are done)", "busy");
          setTimeout(load, 2000);
        } else if (e.status === 409) {
          status("The debrief opens when the session has ended. This page will show it then.", "busy");
          if (!waiting) {
            waiting = live(code, null, (b) => {
              if (b.phase === "ended") {
                waiting.close();
                load();
              }
            });
          }
        } else if (e.status === 0 && tries < 30) {
          status(capital(e.message) + " (retrying)", "bad");
          setTimeout(load, 3000);
        } else status(e.status === 404 ? "No session has the code " + code + "." : capital(e.message), "bad");
        return;
      }
      status("");
      render(d);
    }

    function render(d) {
      document.title = "Debrief · " + d.title;
      setText("debrief-title", d.title);
      const base = sessionPath(code);
      $("dl-html").href = base + "/debrief.html";
      $("dl-decisions").href = base + "/decisions.csv";
      $("dl-results").href = base + "/results.csv";
      $("acts").replaceChildren(...d.acts.map(actSection));
      show("debrief", true);
    }

    function actSection(a) {
      const n = a.act;
      const teams = a.metrics.length ? a.metrics[0].teams.length : a.claims.length;
      const intro = h("p", { class: "muted" },
        "Each team against " + Number(a.plays).toLocaleString("en-GB") + " simulated plays of the same scenario (seed " + a.seed + "), every seat played by the model's robots. ",
        a.plays_with_divergence !== undefined
          ? "Coordinated divergence (every role meeting its own scorecard while the organisation misses) in " + pct(a.plays_with_divergence) + " of the plays."
          : "");
      const ended = a.ended_at_week ? h("p", { class: "notice warn", text: "The session was ended in week " + a.ended_at_week + ": robots played the weeks left." }) : null;

      const claims = h("div", { class: "claims", id: "claims-" + n },
        ...a.claims.map((c) => h("p", {
          class: "claim " + (c.strategy_met ? "met" : c.claimed.length ? "missed claimed" : "missed"),
          "data-team": String(c.team),
          text: c.sentence,
        })));

      const chart = h("figure", { class: "chart", id: "chart-" + n });
      chart.innerHTML = a.chart_svg || ""; // the server's own SVG, drawn by orgsim

      const head = h("tr", {}, h("th", { text: "" }), h("th", { class: "num", text: "Plays: 10th – 90th percentile (median)" }),
        ...Array.from({ length: teams }, (_, t) => h("th", { class: "num", text: "Team " + (t + 1) })));
      const rows = a.metrics.map((m) => h("tr", { "data-metric": m.key },
        h("th", { scope: "row", text: capital(m.label) }),
        h("td", { class: "num range", text: fmt(m.p10) + " – " + fmt(m.p90) + " (" + fmt(m.p50) + ")" }),
        ...m.teams.map((t) => {
          let cls = "neutral";
          if (m.more_is_better === true || m.more_is_better === false) {
            const good = m.more_is_better ? t.percentile : 100 - t.percentile;
            cls = good >= 60 ? "good" : good <= 40 ? "bad" : "neutral";
          }
          return h("td", { class: "num team-value " + cls },
            h("span", { class: "value", text: fmt(t.value) }),
            h("span", { class: "percentile", text: percentileText(t.percentile) }));
        })));
      const metrics = h("div", { class: "table-wrap" }, h("table", { class: "metrics", id: "metrics-" + n }, h("thead", {}, head), h("tbody", {}, ...rows)));

      const differs = a.decisions.filter((d) => !d.same).length;
      const only = h("input", { type: "checkbox", id: "only-diff-" + n });
      const dhead = h("tr", {}, ...["Team", "Week", "Who", "Lever", "Chose", "The model", "Why the model chose that"].map((t) => h("th", { text: t })));
      const drows = a.decisions.map((d) => h("tr", { class: d.same ? "same" : "differs", "data-team": String(d.team), "data-week": String(d.week), "data-lever": d.lever, "data-role": d.role },
        h("td", { class: "num", text: String(d.team) }),
        h("td", { class: "num", text: String(d.week) }),
        h("td", { text: d.who }),
        h("td", { text: words(d.lever) }),
        h("td", { class: "chosen" }, h("span", { class: "asked", text: d.chosen }), d.note ? h("span", { class: "note", text: "played: " + d.played }) : null),
        h("td", { class: "model", text: d.model + (d.same ? "" : " ≠") }),
        h("td", { class: "why" }, d.why, d.note ? h("span", { class: "note", text: capital(d.note) + "." }) : null)));
      const dtable = h("table", { class: "decisions", id: "decisions-" + n }, h("thead", {}, dhead), h("tbody", {}, ...drows));
      only.addEventListener("change", () => dtable.classList.toggle("only-diff", only.checked));
      const decisions = a.decisions.length
        ? h("div", {},
            h("p", {}, plural(a.decisions.length, "decision") + " by the room; " + differs + " differ from what the model's role would have chosen there (highlighted). ",
              h("label", { class: "inline-check" }, only, " show only those")),
            h("div", { class: "table-wrap" }, dtable))
        : h("p", { class: "muted", id: "decisions-" + n, text: "Nobody in the room decided in this act: robots played every seat." });

      return h("section", { class: "act card", "data-act": String(n) },
        h("h2", { text: capital(a.label) }),
        intro, ended,
        h("h3", { text: "Who claimed success while the organisation missed" }), claims,
        chart,
        h("h3", { text: "Where each team landed among the plays" }), metrics,
        h("h3", { text: "Decisions: the room against the model" }), decisions);
    }

    load();
  }

  // ------------------------------------------------------------------ which page

  const pages = { play: playPage, facilitate: facilitatePage, wall: wallPage, debrief: debriefPage };
  const page = pages[document.body.dataset.page];
  if (page) page();
})();
