// Toolbar (target input, slice control, band kind, log-y toggle, reset), read-out line
// and legend of the extrapolation view. Plain DOM; listeners are registered through the view's Disposer.
import { formatNumber, formatInterval, formatLevel } from "./format.js";
import { h, parseNumber } from "./dom.js";

/** What each band kind (the `band_kind` trait) means, as the legend and menu say it. */
export const BAND_KIND_LABELS = {
  predictive: "new observation",
  mean: "mean curve",
  "predictive+discrepancy": "new observation + discrepancy",
  "mean+discrepancy": "mean curve + discrepancy",
};

/**
 * Build the toolbar. Callbacks fire on user input only.
 * @param {Document} doc
 * @param {import("./dom.js").Disposer} d
 * @param {{ onTarget: (x: number) => void, onReset: () => void, logX: () => boolean,
 *   onSlice: (mode: string, input: string, value: number | null) => void,
 *   onBandKind: (kind: string) => void, onLogY: (log: boolean) => void }} cb
 */
export function createToolbar(doc, d, cb) {
  const bar = h(doc, "div", "bs-toolbar");
  const targetLabel = h(doc, "label", "bs-field");
  const targetText = h(doc, "span", "bs-field-name", "target");
  const target = /** @type {HTMLInputElement} */ (h(doc, "input", "bs-target-input"));
  target.type = "text";
  target.spellcheck = false;
  target.setAttribute("aria-label", "extrapolation target");
  targetLabel.append(targetText, target);

  const slice = h(doc, "span", "bs-slice");
  const sliceSelect = /** @type {HTMLSelectElement} */ (h(doc, "select", "bs-slice-mode"));
  sliceSelect.setAttribute("aria-label", "slice");
  const sliceValue = /** @type {HTMLInputElement} */ (h(doc, "input", "bs-slice-value"));
  sliceValue.type = "text";
  sliceValue.setAttribute("aria-label", "slice value");
  slice.append(sliceSelect, sliceValue);

  const kindLabel = h(doc, "label", "bs-field bs-band-kind-field");
  const kindSelect = /** @type {HTMLSelectElement} */ (h(doc, "select", "bs-band-kind"));
  kindSelect.setAttribute("aria-label", "what the bands describe");
  kindLabel.append(h(doc, "span", "bs-field-name", "bands"), kindSelect);

  const logLabel = h(doc, "label", "bs-field bs-log-y-field");
  const logY = /** @type {HTMLInputElement} */ (h(doc, "input", "bs-log-y"));
  logY.type = "checkbox";
  logLabel.append(logY, h(doc, "span", "bs-field-name", "log y"));

  const reset = /** @type {HTMLButtonElement} */ (h(doc, "button", "bs-reset", "reset zoom"));
  reset.type = "button";
  const readout = h(doc, "span", "bs-readout");
  readout.setAttribute("aria-live", "polite");
  bar.append(targetLabel, slice, kindLabel, logLabel, reset, readout);

  d.listen(target, "change", () => {
    const v = parseNumber(target.value);
    const ok = Number.isFinite(v) && (!cb.logX() || v > 0);
    target.classList.toggle("bs-invalid", !ok);
    if (ok) cb.onTarget(v);
  });
  d.listen(target, "keydown", (/** @type {KeyboardEvent} */ ev) => {
    ev.stopPropagation(); // keep JupyterLab's command-mode shortcuts out of the input
    if (ev.key === "Enter") target.dispatchEvent(new (doc.defaultView ?? window).Event("change"));
  });
  // A new mode or held input: Python picks the held value; a typed value: keep the mode.
  d.listen(sliceSelect, "change", () => {
    const [mode, input] = sliceSelect.value.split(":");
    cb.onSlice(mode, input ?? "", null);
  });
  d.listen(sliceValue, "change", () => {
    const [mode, input] = sliceSelect.value.split(":");
    const v = parseNumber(sliceValue.value);
    const ok = Number.isFinite(v) && v > 0;
    sliceValue.classList.toggle("bs-invalid", !ok);
    if (ok) cb.onSlice(mode, input ?? "", v);
  });
  d.listen(sliceValue, "keydown", (/** @type {KeyboardEvent} */ ev) => ev.stopPropagation());
  d.listen(kindSelect, "change", () => cb.onBandKind(kindSelect.value));
  d.listen(logY, "change", () => cb.onLogY(logY.checked));
  d.listen(reset, "click", () => cb.onReset());

  return {
    el: bar,
    /**
     * Show the model's state in the controls.
     * @param {import("./model.js").ExtrapolationModel} m
     * @param {number | null} shownTarget
     */
    update(m, shownTarget) {
      if (doc.activeElement !== target) {
        target.value = shownTarget == null ? "" : formatNumber(shownTarget, 4);
        target.classList.remove("bs-invalid");
      }
      targetText.textContent = `target ${m.x_label || "x"}`;
      const twoInputs = m.inputs.length === 2 && m.slice_mode !== "";
      slice.hidden = !twoInputs;
      if (twoInputs) {
        const opts = [...m.inputs.map((i) => [`fixed:${i}`, `fix ${i}`]), ["compute_optimal", "compute-optimal path"]];
        if (sliceSelect.options.length !== opts.length) {
          sliceSelect.replaceChildren(...opts.map(([v, t]) => {
            const o = /** @type {HTMLOptionElement} */ (h(doc, "option", "", t));
            o.value = v;
            return o;
          }));
        }
        sliceSelect.value = m.slice_mode === "fixed" ? `fixed:${m.slice_input}` : "compute_optimal";
        sliceValue.hidden = m.slice_mode !== "fixed";
        if (doc.activeElement !== sliceValue) sliceValue.value = m.slice_value == null ? "" : formatNumber(m.slice_value, 4);
      }
      const kinds = m.band_kinds ?? [];
      kindLabel.hidden = kinds.length < 2;
      if ([...kindSelect.options].map((o) => o.value).join() !== kinds.join()) {
        kindSelect.replaceChildren(...kinds.map((k) => {
          const o = /** @type {HTMLOptionElement} */ (h(doc, "option", "", bandKindLabel(k)));
          o.value = k;
          return o;
        }));
      }
      if (kinds.includes(m.band_kind ?? "")) kindSelect.value = /** @type {string} */ (m.band_kind);
      logY.checked = !!m.log_y;
      readout.textContent = readoutText(m, shownTarget);
    },
  };
}

/**
 * The read-out line for the target.
 * @param {import("./model.js").ExtrapolationModel} m
 * @param {number | null} shownTarget
 * @returns {string}
 */
export function readoutText(m, shownTarget) {
  if (m.status) return m.status;
  const r = m.target_readout ?? {};
  if (shownTarget == null) return "";
  const at = `at ${m.x_label || "x"} = ${formatNumber(shownTarget)}`;
  if (r.x !== shownTarget || !Number.isFinite(r.median)) return `${at}: …`;
  let s = `${at}: ${m.y_label || "y"} ${formatNumber(/** @type {number} */ (r.median))}`;
  if (Number.isFinite(r.lower) && Number.isFinite(r.upper) && r.level) {
    s += ` (${formatLevel(r.level)}${r.kind ? ` ${r.kind}` : ""}: ${formatInterval(/** @type {number} */ (r.lower), /** @type {number} */ (r.upper))})`;
  }
  for (const det of r.details ?? []) {
    s += `; ${det.name} ${formatNumber(det.median)} (${formatInterval(det.lower, det.upper)})`;
  }
  return s;
}

/**
 * A band kind in words ("new observation + discrepancy"); unknown kinds as they are.
 * @param {string} kind
 * @returns {string}
 */
export function bandKindLabel(kind) {
  return /** @type {Record<string, string>} */ (BAND_KIND_LABELS)[kind] ?? kind;
}

/**
 * What the bands are, for the legend: the `band_label` trait, else the band kind in
 * words, else "credible" (bands of raw draws).
 * @param {import("./model.js").ExtrapolationModel} m
 * @returns {string}
 */
export function bandWhat(m) {
  return m.band_label || (m.band_kind ? bandKindLabel(m.band_kind) : "credible");
}

/**
 * The largest observed x a view's axis can show (null without points): the data end,
 * where extrapolation begins.
 * @param {import("./model.js").ExtrapolationModel} m
 * @returns {number | null}
 */
export function dataEnd(m) {
  const xs = m.points.map((p) => p.x).filter((x) => Number.isFinite(x) && (!m.log_x || x > 0));
  return xs.length ? Math.max(...xs) : null;
}

/**
 * The legend: median, one swatch per band (named by its level and kind), the region
 * beyond the data, observed, held-out, target.
 * @param {Document} doc
 * @param {HTMLElement} el
 * @param {import("./model.js").ExtrapolationModel} m
 */
export function renderLegend(doc, el, m) {
  /** @type {Array<[string, string]>} */
  const items = [];
  if (m.median.length) items.push(["bs-key-median", "median"]);
  [...m.bands].sort((a, b) => a.level - b.level).forEach((b, i, all) => {
    items.push([`bs-key-band bs-key-band-${all.length - 1 - i}`, `${formatLevel(b.level)} ${bandWhat(m)}`]);
  });
  if (dataEnd(m) != null && m.grid_x.length && m.grid_x[m.grid_x.length - 1] > /** @type {number} */ (dataEnd(m))) {
    items.push(["bs-key-beyond", "beyond the data"]);
  }
  if (m.points.length) items.push(["bs-key-point", "observed"]);
  if (m.heldout_points.length) items.push(["bs-key-heldout", "held out"]);
  if (m.target_x != null) items.push(["bs-key-target", "target"]);
  el.replaceChildren(...items.map(([cls, text]) => {
    const item = h(doc, "span", "bs-legend-item");
    item.append(h(doc, "span", `bs-key ${cls}`), h(doc, "span", "", text));
    return item;
  }));
}
