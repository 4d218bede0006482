// convnet dashboard: plain JavaScript, no build step, no network beyond the
// server that embeds it. Data comes from /api/state, then server-sent
// events (/api/events); pictures are drawn on canvases from the quantized
// tensors the server sends (value = min + byte/255 * (max - min)).
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// ---- colour scales (the same control points as probe/colormap.go) ----
const PALETTES = {
  viridis: [[68,1,84],[72,40,120],[62,74,137],[49,104,142],[38,130,142],[31,158,137],[53,183,121],[109,205,89],[180,222,44],[253,231,37]],
  coolwarm: [[59,76,192],[98,130,234],[141,176,254],[184,208,249],[221,221,221],[245,196,173],[244,154,123],[222,96,77],[180,4,38]],
  inferno: [[0,0,4],[40,11,84],[101,21,110],[159,42,99],[212,72,66],[245,125,21],[250,193,39],[252,255,164]],
  grey: [[0,0,0],[255,255,255]],
  blues: [[255,255,255],[198,219,239],[107,174,214],[33,113,181],[8,48,107]],
};
function paletteAt(name, t) {
  const pts = PALETTES[name];
  if (!(t > 0)) t = 0;
  t = Math.min(t, 1) * (pts.length - 1);
  const i = Math.min(Math.floor(t), pts.length - 2), f = t - i;
  const a = pts[i], b = pts[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k])));
}
const css = (rgb) => `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;

// A quantized tensor decoded: {shape, min, max, bytes}.
function decodeQ(q) {
  const s = atob(q.data || "");
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return { shape: q.shape, min: q.min, max: q.max, bytes };
}
const valueOf = (q, b) => q.min + (b / 255) * (q.max - q.min);

// scaleFor picks a layer's scale as probe.ScaleFor does: blue-white-red
// symmetric about 0 for values of both signs, viridis otherwise.
function scaleFor(q) {
  if (q.min < 0 && q.max > 0) {
    const m = Math.max(-q.min, q.max);
    return { lo: -m, hi: m, pal: "coolwarm" };
  }
  return { lo: q.min, hi: q.max, pal: "viridis" };
}
function colourOf(scale, v) {
  if (scale.hi <= scale.lo) return paletteAt(scale.pal, 0.5);
  return paletteAt(scale.pal, (v - scale.lo) / (scale.hi - scale.lo));
}

// paint draws n = h*w values of q starting at offset into a canvas.
function paint(canvas, q, offset, h, w, scale) {
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  const lut = [];
  for (let b = 0; b < 256; b++) lut.push(colourOf(scale, valueOf(q, b)));
  for (let i = 0; i < h * w; i++) {
    const c = lut[q.bytes[offset + i]];
    img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function paintBar(canvas, scale) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  for (let x = 0; x < w; x++) {
    ctx.fillStyle = css(colourOf(scale, scale.lo + ((scale.hi - scale.lo) * x) / (w - 1)));
    ctx.fillRect(x, 0, 1, h);
  }
}

function fmt(v) {
  const a = Math.abs(v);
  if (v === 0) return "0";
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  if (a >= 100) return v.toFixed(0);
  return v.toPrecision(3);
}
const pct = (v, d = 1) => (100 * v).toFixed(d) + "%";

// ---- state ----
const S = {
  model: null, status: {}, points: [], epochs: [], health: [],
  version: 0, eval: 0, lastStep: 0, image: 0, metric: "sparsity",
  mapsBusy: false, mapsAgain: false, evalBusy: false,
};
const MAX_POINTS = 4000;

function addPoints(pts) {
  for (const p of pts) S.points.push(p);
  if (S.points.length > MAX_POINTS) {
    // Keep the curve short: average neighbours pairwise.
    const out = [];
    for (let i = 0; i + 1 < S.points.length; i += 2) {
      const a = S.points[i], b = S.points[i + 1];
      out.push({ ...b, l: (a.l + b.l) / 2, a: (a.a + b.a) / 2 });
    }
    if (S.points.length % 2) out.push(S.points[S.points.length - 1]);
    S.points = out;
  }
  if (pts.length) S.lastStep = pts[pts.length - 1].s;
}

function apply(u) {
  if (u.points) addPoints(u.points);
  if (u.epochs) S.epochs.push(...u.epochs);
  if (u.health) S.health.push(...u.health);
  if (u.status) S.status = u.status;
  if (u.points || u.epochs) drawCurves();
  if (u.health) drawHealth();
  drawStatus();
  if (u.version && u.version !== S.version) { S.version = u.version; loadMaps(); }
  if (u.eval && u.eval !== S.eval) { S.eval = u.eval; loadEval(); }
}

function drawStatus() {
  const st = S.status, s = $("status");
  const last = S.points[S.points.length - 1];
  s.className = "status";
  if (st.error) { s.textContent = "stopped: " + st.error; s.classList.add("error"); return; }
  if (!st.training) { s.textContent = "trained model" + (S.epochs.length ? ` · ${S.epochs.length} epochs of history` : ""); return; }
  if (st.done) { s.textContent = `done · ${st.epochs} epochs · ${st.step} steps`; s.classList.add("done"); return; }
  s.classList.add("training");
  s.textContent = `training · epoch ${st.epoch}/${st.epochs} · step ${st.step}` + (last ? ` · ${Math.round(last.ips)} img/s` : "");
}

// ---- line charts ----
// series: {name, colour, pts: [[x, y]], dots, faint, width}
function lineChart(canvas, series, o) {
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth || 640, H = Math.round(W * 0.4);
  canvas.width = W * dpr; canvas.height = H * dpr;
  canvas.style.height = H + "px";
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  ctx.clearRect(0, 0, W, H);
  ctx.font = "12px system-ui, sans-serif";
  const L = 52, R = 12, T = 22, B = 34;
  let xs = [], ys = [];
  for (const s of series) for (const p of s.pts) { xs.push(p[0]); ys.push(p[1]); }
  let n = 0;
  for (const s of series) n += s.pts.length;
  canvas.dataset.points = String(n);
  if (!xs.length) {
    ctx.fillStyle = "#6b7480";
    ctx.fillText(o.empty || "waiting for the first steps…", L, T + 20);
    return;
  }
  let x0 = 0, x1 = Math.max(...xs, 1);
  let y0 = o.yMin !== undefined ? o.yMin : Math.min(...ys), y1 = o.yMax !== undefined ? o.yMax : Math.max(...ys);
  if (o.fitY) { y0 = Math.min(...ys); y1 = Math.max(...ys); const pad = (y1 - y0) * 0.08 || 0.01; y0 = Math.max(o.yMin ?? -Infinity, y0 - pad); y1 = Math.min(o.yMax ?? Infinity, y1 + pad); }
  if (y1 <= y0) y1 = y0 + 1;
  const X = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const Y = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  // grid and ticks
  ctx.strokeStyle = "#eceef2"; ctx.fillStyle = "#6b7480"; ctx.lineWidth = 1;
  const yt = ticks(y0, y1, 5);
  for (const t of yt) {
    ctx.beginPath(); ctx.moveTo(L, Y(t)); ctx.lineTo(W - R, Y(t)); ctx.stroke();
    const lab = o.pct ? (100 * t).toFixed(t * 100 % 1 ? 1 : 0) + "%" : fmt(t);
    ctx.fillText(lab, L - 6 - ctx.measureText(lab).width, Y(t) + 4);
  }
  for (const t of ticks(x0, x1, 6)) {
    ctx.beginPath(); ctx.moveTo(X(t), T); ctx.lineTo(X(t), H - B); ctx.stroke();
    const lab = fmt(t);
    ctx.fillText(lab, X(t) - ctx.measureText(lab).width / 2, H - B + 15);
  }
  ctx.fillText(o.xLabel || "step", W - R - ctx.measureText(o.xLabel || "step").width, H - 4);
  ctx.strokeStyle = "#b8c0cc";
  ctx.beginPath(); ctx.moveTo(L, T); ctx.lineTo(L, H - B); ctx.lineTo(W - R, H - B); ctx.stroke();
  ctx.save();
  ctx.beginPath(); ctx.rect(L, T - 4, W - L - R, H - T - B + 8); ctx.clip();
  for (const s of series) {
    if (!s.pts.length) continue;
    ctx.strokeStyle = s.colour; ctx.fillStyle = s.colour;
    ctx.globalAlpha = s.faint ? 0.22 : 1;
    ctx.lineWidth = s.width || 1.6;
    if (!s.dotsOnly) {
      ctx.beginPath();
      s.pts.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), Y(p[1])) : ctx.moveTo(X(p[0]), Y(p[1]))));
      ctx.stroke();
    }
    if (s.dots) for (const p of s.pts) { ctx.beginPath(); ctx.arc(X(p[0]), Y(p[1]), 3.2, 0, 7); ctx.fill(); }
  }
  ctx.restore();
  ctx.globalAlpha = 1;
  // legend
  let lx = L + 4;
  for (const s of series) {
    if (!s.name) continue;
    ctx.fillStyle = s.colour; ctx.fillRect(lx, 6, 12, 3);
    ctx.fillStyle = "#1d232b"; ctx.fillText(s.name, lx + 16, 12);
    lx += 28 + ctx.measureText(s.name).width;
  }
}

function ticks(lo, hi, n) {
  const span = hi - lo, step0 = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(+t.toFixed(10));
  return out;
}

function smooth(pts, key) {
  let m = null;
  const out = [];
  const a = Math.min(0.1, 20 / Math.max(pts.length, 1) + 0.02);
  for (const p of pts) { m = m === null ? p[key] : m + a * (p[key] - m); out.push([p.s, m]); }
  return out;
}

function drawCurves() {
  const P = S.points;
  const ep = S.epochs;
  const hasTest = ep.some((e) => e.test_acc > 0 || e.test_loss > 0);
  lineChart($("loss-chart"), [
    { name: "", colour: "#2563eb", pts: P.map((p) => [p.s, p.l]), faint: true, width: 1 },
    { name: "train", colour: "#2563eb", pts: smooth(P, "l"), width: 2 },
    { name: "", colour: "#2563eb", pts: ep.map((e) => [e.step, e.train_loss]), dots: true, dotsOnly: true },
    ...(hasTest ? [{ name: "test", colour: "#dc6b19", pts: ep.map((e) => [e.step, e.test_loss]), dots: true, width: 2 }] : []),
  ], { fitY: true, yMin: 0 });
  lineChart($("acc-chart"), [
    { name: "train", colour: "#2563eb", pts: smooth(P, "a"), width: 2 },
    { name: "", colour: "#2563eb", pts: ep.map((e) => [e.step, e.train_acc]), dots: true, dotsOnly: true },
    ...(hasTest ? [{ name: "test", colour: "#dc6b19", pts: ep.map((e) => [e.step, e.test_acc]), dots: true, width: 2 }] : []),
  ], { fitY: true, yMin: 0, yMax: 1, pct: true });
  const last = ep[ep.length - 1];
  if (last) $("acc-note").textContent = `epoch ${last.epoch}: train ${pct(last.train_acc, 2)}` + (hasTest ? `, test ${pct(last.test_acc, 2)}` : "") + ` · ${Math.round(last.images_per_s)} img/s`;
}

// ---- activation maps ----
async function loadMaps() {
  if (S.mapsBusy) { S.mapsAgain = true; return; }
  S.mapsBusy = true;
  try {
    const r = await fetch(`/api/maps?image=${S.image}`);
    if (!r.ok) throw new Error(await r.text());
    const m = await r.json();
    renderMaps($("maps"), m, `test image ${m.image}, label ${m.label}`);
    $("maps-when").textContent = m.step ? `weights of step ${m.step} (epoch ${m.epoch})` : (S.status.training ? "initial weights" : "");
  } catch (e) {
    $("maps").replaceChildren(el("p", "muted", "cannot load the maps: " + e.message));
  } finally {
    S.mapsBusy = false;
    if (S.mapsAgain) { S.mapsAgain = false; loadMaps(); }
  }
}

// tileSize is the on-screen side of one map tile.
function tileSize(h, w, count) {
  const side = Math.max(h, w);
  let px = count > 32 ? 36 : count > 8 ? 48 : 64;
  if (side <= 2) px = 22;
  return Math.max(px, side);
}

// renderMaps draws the input, the top classes and every layer's maps; with
// imagesOnly, flat layers (dense) are left out.
function renderMaps(root, m, caption, imagesOnly) {
  const frag = document.createDocumentFragment();
  const head = el("div", "input-row");
  const inBox = el("div");
  const inQ = decodeQ(m.input);
  const inCanvas = el("canvas");
  const [ic, ih, iw] = inQ.shape.length === 3 ? inQ.shape : [1, 1, inQ.bytes.length];
  paintInput(inCanvas, inQ, ic, ih, iw);
  inCanvas.style.width = inCanvas.style.height = "112px";
  inBox.append(inCanvas, el("p", "note", caption));
  head.append(inBox, probBars(m, 5));
  frag.append(head);
  for (const l of m.layers) if (!imagesOnly || l.maps.shape.length === 3) frag.append(layerRow(l));
  root.replaceChildren(frag);
}

function paintInput(canvas, q, c, h, w) {
  if (c !== 3) { paint(canvas, q, 0, h, w, { lo: q.min, hi: q.max, pal: "grey" }); return; }
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
  const hw = h * w, span = q.max - q.min || 1;
  for (let i = 0; i < hw; i++) {
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = Math.round((valueOf(q, q.bytes[k * hw + i]) - q.min) / span * 255);
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function probBars(m, k) {
  const box = el("div", "bars");
  const classes = S.model.classes;
  const order = m.probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, k);
  order.forEach(([p, i], j) => {
    const name = el("span", j === 0 ? "top" : "", classes[i] ?? String(i));
    const bar = el("span", "bar" + (j === 0 ? " top" : ""));
    const fill = el("i"); fill.style.width = pct(p, 2); bar.append(fill);
    const wrap = el("span", j === 0 ? "top" : ""); wrap.append(bar);
    box.append(name, wrap, el("span", "", pct(p)));
  });
  return box;
}

function layerRow(l) {
  const q = decodeQ(l.maps);
  const scale = scaleFor(q);
  const row = el("div", "layer");
  row.dataset.layer = l.name;
  const meta = el("div", "layer-meta");
  meta.append(el("b", "", l.name), el("code", "", l.desc), el("div", "muted", "output " + q.shape.join("×")));
  const sc = el("span", "scale");
  const bar = el("canvas"); bar.width = 120; bar.height = 8; paintBar(bar, scale);
  const labs = el("span"); labs.append(el("i", "", fmt(scale.lo)), el("i", "", fmt(scale.hi)));
  sc.append(bar, labs); meta.append(sc);
  row.append(meta);
  const tiles = el("div", "tiles");
  tiles.dataset.layer = l.name;
  if (q.shape.length === 3 && q.shape[1] * q.shape[2] > 1) {
    const [c, h, w] = q.shape;
    const px = tileSize(h, w, c);
    for (let i = 0; i < c; i++) {
      const cv = el("canvas", "tile");
      paint(cv, q, i * h * w, h, w, scale);
      cv.style.width = cv.style.height = px + "px";
      cv.title = `${l.name} #${i}`;
      cv.addEventListener("click", () => zoom(`${l.name} #${i}`, q, i * h * w, h, w, scale));
      tiles.append(cv);
    }
  } else {
    // flat outputs (dense, or 1×1 maps): one cell per unit, in one strip
    const n = q.bytes.length, cols = Math.min(n, 64), rows = Math.ceil(n / cols);
    const cv = el("canvas", "tile");
    const padded = { ...q, bytes: new Uint8Array(rows * cols) };
    padded.bytes.set(q.bytes);
    paint(cv, padded, 0, rows, cols, scale);
    cv.style.width = Math.min(cols * 12, 760) + "px";
    cv.style.height = rows * Math.min(12, 760 / cols) + "px";
    cv.title = `${l.name}: ${n} units`;
    cv.addEventListener("click", () => zoom(`${l.name}: ${n} units, row by row`, padded, 0, rows, cols, scale));
    tiles.append(cv);
  }
  row.append(tiles);
  if (l.filters) row.append(filterBox(l));
  return row;
}

function filterBox(l) {
  const q = decodeQ(l.filters);
  const [f, c, kh, kw] = q.shape;
  const s = scaleFor(q);
  const scale = s.pal === "coolwarm" ? s : { lo: -Math.max(Math.abs(q.min), Math.abs(q.max)), hi: Math.max(Math.abs(q.min), Math.abs(q.max)), pal: "coolwarm" };
  const box = el("div", "filters-box");
  const shownF = Math.min(f, 32), shownC = Math.min(c, 16);
  box.append(el("p", "note", `filters ${q.shape.join("×")}` + (shownF < f || shownC < c ? `, first ${shownF}×${shownC}` : "")));
  const grid = el("div", "filters");
  const px = c === 1 ? Math.min(32, Math.max(16, kw * 6)) : Math.min(18, Math.max(10, kw * 3));
  // One input channel: one row of filters; otherwise a row per filter.
  grid.style.gridTemplateColumns = `repeat(${c === 1 ? shownF : shownC}, ${px}px)`;
  for (let i = 0; i < shownF; i++) for (let j = 0; j < shownC; j++) {
    const cv = el("canvas");
    paint(cv, q, (i * c + j) * kh * kw, kh, kw, scale);
    cv.style.width = cv.style.height = px + "px";
    cv.title = `${l.name} filter #${i}, input channel ${j}`;
    cv.addEventListener("click", () => zoom(`${l.name} filter #${i}, input channel ${j}`, q, (i * c + j) * kh * kw, kh, kw, scale));
    grid.append(cv);
  }
  box.append(grid);
  return box;
}

// ---- enlarged map ----
function zoom(title, q, offset, h, w, scale) {
  $("zoom-title").textContent = `${title} (${h}×${w})`;
  const cv = $("zoom-canvas");
  paint(cv, q, offset, h, w, scale);
  const side = 320;
  cv.style.width = (w >= h ? side : (side * w) / h) + "px";
  cv.style.height = (h >= w ? side : (side * h) / w) + "px";
  paintBar($("zoom-bar"), scale);
  $("zoom-min").textContent = fmt(scale.lo);
  $("zoom-mid").textContent = scale.lo < 0 && scale.hi > 0 ? "0" : fmt((scale.lo + scale.hi) / 2);
  $("zoom-max").textContent = fmt(scale.hi);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < h * w; i++) { const v = valueOf(q, q.bytes[offset + i]); lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const range = `this map: ${fmt(lo)} to ${fmt(hi)}`;
  $("zoom-value").textContent = range;
  cv.onmousemove = (e) => {
    const r = cv.getBoundingClientRect();
    const x = Math.floor(((e.clientX - r.left) / r.width) * w), y = Math.floor(((e.clientY - r.top) / r.height) * h);
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    $("zoom-value").textContent = `(${y}, ${x}) = ${fmt(valueOf(q, q.bytes[offset + y * w + x]))} · ${range}`;
  };
  $("zoom").hidden = false;
}

// ---- health ----
const METRICS = {
  sparsity: { get: (l) => l.sparsity, fmt: (v) => pct(v, 0), max: 1, note: "fraction of outputs exactly 0" },
  dead: { get: (l) => l.dead_fraction, fmt: (v) => pct(v, 0), max: 1, note: "channels or units that were 0 for every example" },
  saturation: { get: (l) => (l.type === "sigmoid" || l.type === "tanh" ? l.saturation : undefined), fmt: (v) => pct(v, 0), max: 1, note: "sigmoid/tanh outputs within 0.01 of their bounds" },
  grad: { get: (l) => l.grad_norm || undefined, fmt: (v) => v.toExponential(1), log: true, note: "L2 norm of the loss gradient w.r.t. the weights (log colour scale)" },
  update: { get: (l) => l.update_ratio || undefined, fmt: (v) => v.toExponential(1), log: true, note: "‖ΔW‖/‖W‖ of the epoch's last step; about 1e-3 is healthy" },
};

function drawHealth() {
  const H = S.health, box = $("health");
  if (!H.length) return;
  const met = METRICS[S.metric];
  const names = H[H.length - 1].layers.map((l) => l.layer);
  const rows = names.map((n) => H.map((h) => { const l = h.layers.find((x) => x.layer === n); return l ? met.get(l) : undefined; }));
  const keep = names.map((_, i) => rows[i].some((v) => v !== undefined));
  let lo = Infinity, hi = -Infinity;
  rows.forEach((r, i) => keep[i] && r.forEach((v) => { if (v !== undefined && (!met.log || v > 0)) { const t = met.log ? Math.log10(v) : v; lo = Math.min(lo, t); hi = Math.max(hi, t); } }));
  if (!met.log) { lo = 0; hi = met.max; }
  const t = el("table", "heat");
  t.id = "health-table";
  const cols = H.length > 14 ? H.filter((_, i) => i % Math.ceil(H.length / 14) === 0 || i === H.length - 1) : H;
  const hr = el("tr"); hr.append(el("th", "", "layer \\ epoch"));
  cols.forEach((h) => hr.append(el("th", "", String(h.epoch))));
  t.append(hr);
  let shown = 0;
  names.forEach((n, i) => {
    if (!keep[i]) return;
    shown++;
    const tr = el("tr"); tr.append(el("th", "", n));
    cols.forEach((h) => {
      const v = rows[i][H.indexOf(h)];
      const td = el("td", "", v === undefined ? "" : met.fmt(v));
      if (v !== undefined) {
        const x = met.log ? (v > 0 ? (Math.log10(v) - lo) / (hi - lo || 1) : 0) : (v - lo) / (hi - lo || 1);
        const c = paletteAt("viridis", x);
        td.style.background = css(c);
        td.style.color = x > 0.55 ? "#111" : "#fff";
      }
      tr.append(td);
    });
    t.append(tr);
  });
  const cap = el("caption", "", shown ? `${met.note}; measured on ${H[H.length - 1].examples} training images after each epoch` : `no layer has ${S.metric} to show (${met.note})`);
  t.append(cap);
  box.replaceChildren(t);
  const adv = $("advice");
  adv.replaceChildren(...(H[H.length - 1].advice || []).map((a) => el("li", "", a)));
}

// ---- confusion matrix and most-wrong images ----
async function loadEval() {
  if (S.evalBusy) return;
  S.evalBusy = true;
  try {
    const r = await fetch("/api/eval");
    if (!r.ok) throw new Error(await r.text());
    renderEval(await r.json());
  } catch (e) {
    $("confusion").replaceChildren(el("p", "muted", "cannot load: " + e.message));
  } finally { S.evalBusy = false; }
}

function renderEval(ev) {
  const k = ev.classes.length;
  $("confusion-when").textContent = `on ${ev.examples} of ${ev.total} test images · accuracy ${pct(ev.accuracy, 2)}` + (ev.step ? ` · step ${ev.step}` : "");
  const t = el("table", "heat");
  t.id = "confusion-table";
  const hr = el("tr"); hr.append(el("th", "", "true \\ predicted"));
  ev.classes.forEach((c) => hr.append(el("th", "", c)));
  t.append(hr);
  for (let i = 0; i < k; i++) {
    const tr = el("tr"); tr.append(el("th", "", ev.classes[i]));
    const total = ev.confusion[i].reduce((a, b) => a + b, 0) || 1;
    for (let j = 0; j < k; j++) {
      const n = ev.confusion[i][j];
      const td = el("td", "", n ? String(n) : "");
      const f = n / total;
      if (i === j) { td.style.background = css(paletteAt("blues", 0.2 + 0.8 * f)); td.style.color = f > 0.5 ? "#fff" : "#111"; }
      else if (n) { td.style.background = `rgba(220, 38, 38, ${Math.min(0.85, 0.12 + 4 * f)})`; td.style.color = f > 0.12 ? "#fff" : "#111"; }
      td.title = `${n} images of ${ev.classes[i]} predicted ${ev.classes[j]} (${pct(f)} of the row)`;
      tr.append(td);
    }
    t.append(tr);
  }
  t.append(el("caption", "", "rows: true class; columns: predicted. Diagonal in blue (shade: recall), mistakes in red (shade: share of the row)."));
  $("confusion").replaceChildren(t);
  const w = $("wrong");
  if (!ev.wrong || !ev.wrong.length) { w.replaceChildren(el("p", "muted", "no mistakes among these test images")); return; }
  w.replaceChildren(...ev.wrong.map((x) => {
    const f = el("figure");
    const img = el("img"); img.src = `/api/testimage/${x.index}.png`; img.alt = `test image ${x.index}`;
    const cap = el("figcaption");
    cap.append(el("span", "", `${x.label} → ${x.pred} `), el("span", "p", pct(x.p_pred, 0)));
    f.title = `test image ${x.index}: true ${x.label} (p ${pct(x.p_true)}), predicted ${x.pred} (p ${pct(x.p_pred)})`;
    f.append(img, cap);
    f.addEventListener("click", () => { chooseImage(x.index); $("card-maps").scrollIntoView({ behavior: "smooth" }); });
    return f;
  }));
}

function chooseImage(i) {
  const n = S.model.test_size;
  S.image = ((i % n) + n) % n;
  $("image-index").value = S.image;
  loadMaps();
}

// ---- drawing ----
function setupDraw() {
  const cv = $("draw-canvas"), ctx = cv.getContext("2d");
  const clear = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, cv.width, cv.height); };
  clear();
  let drawing = false, last = null, busy = false, again = false, dirty = false;
  const send = async (blob) => {
    if (busy) { again = true; return; }
    busy = true;
    const t0 = performance.now();
    try {
      const body = blob || (await new Promise((res) => cv.toBlob(res, "image/png")));
      const r = await fetch("/api/predict", { method: "POST", body, headers: { "Content-Type": body.type || "image/png" } });
      if (!r.ok) throw new Error(await r.text());
      showPrediction(await r.json());
      $("draw-time").textContent = `answered in ${Math.round(performance.now() - t0)} ms`;
    } catch (e) {
      $("draw-top").textContent = "–";
      $("draw-time").textContent = "error: " + e.message;
    } finally {
      busy = false;
      if (again) { again = false; send(); }
    }
  };
  const pos = (e) => { const r = cv.getBoundingClientRect(); return [((e.clientX - r.left) * cv.width) / r.width, ((e.clientY - r.top) * cv.height) / r.height]; };
  const line = (a, b) => {
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 22; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
  };
  cv.addEventListener("pointerdown", (e) => { drawing = true; last = pos(e); line(last, last); cv.setPointerCapture(e.pointerId); dirty = true; });
  cv.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const p = pos(e); line(last, p); last = p; dirty = true;
    if (!busy) send();
  });
  const end = () => { if (drawing) { drawing = false; if (dirty) send(); dirty = false; } };
  cv.addEventListener("pointerup", end);
  cv.addEventListener("pointercancel", end);
  $("draw-clear").addEventListener("click", () => { clear(); $("draw-top").textContent = "–"; $("draw-probs").replaceChildren(); $("draw-maps").replaceChildren(); $("draw-time").textContent = ""; });
  $("upload").addEventListener("change", (e) => { const f = e.target.files[0]; if (f) send(f); e.target.value = ""; });
}

function showPrediction(m) {
  const top = m.top[0];
  $("draw-top").textContent = `${top.class} · ${pct(top.probability)}`;
  $("draw-top").dataset.class = top.class;
  const all = probBars(m, m.probs.length);
  $("draw-probs").replaceChildren(...all.childNodes);
  if (m.saliency) {
    const q = decodeQ(m.saliency);
    paint($("draw-saliency"), q, 0, q.shape[0], q.shape[1], { lo: 0, hi: 1, pal: "inferno" });
    $("draw-saliency-note").textContent = `saliency for class ${m.saliency_class}: |∂ score / ∂ pixel|`;
  }
  renderMaps($("draw-maps"), m, m.inverted ? "your image as the model sees it (inverted: light background)" : "your drawing as the model sees it", true);
}

// connect opens the event stream from where the page is, and again after
// an error (a restarted server, a dropped connection) from where it got to.
function connect() {
  const q = `step=${S.lastStep}&epochs=${S.epochs.length}&health=${S.health.length}&version=${S.version}&eval=${S.eval}`;
  const es = new EventSource(`/api/events?${q}`);
  es.addEventListener("update", (e) => apply(JSON.parse(e.data)));
  es.onerror = () => {
    es.close();
    if (S.status.training && !S.status.done) setTimeout(connect, 2000);
  };
}

// ---- start ----
async function start() {
  $("zoom-close").addEventListener("click", () => ($("zoom").hidden = true));
  $("zoom").addEventListener("click", (e) => { if (e.target === $("zoom")) $("zoom").hidden = true; });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("zoom").hidden = true; });
  $("image-index").addEventListener("change", (e) => chooseImage(parseInt(e.target.value, 10) || 0));
  $("image-prev").addEventListener("click", () => chooseImage(S.image - 1));
  $("image-next").addEventListener("click", () => chooseImage(S.image + 1));
  for (const b of $("health-metric").querySelectorAll("button")) {
    b.addEventListener("click", () => {
      S.metric = b.dataset.metric;
      for (const o of $("health-metric").querySelectorAll("button")) o.classList.toggle("on", o === b);
      drawHealth();
    });
  }
  setupDraw();
  const r = await fetch("/api/state");
  const st = await r.json();
  S.model = st.model;
  S.version = st.version || 0;
  S.eval = st.eval || 0;
  apply(st);
  drawCurves();
  loadMaps();
  if (!st.status.training || S.eval) loadEval();
  connect();
  let resizeTimer = 0;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawCurves, 150); });
}

document.addEventListener("DOMContentLoaded", start);
