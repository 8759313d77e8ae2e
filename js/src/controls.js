// Toolbar (target input, slice control, reset), read-out line and legend of the
// extrapolation view. Plain DOM; listeners are registered through the view's Disposer.
import { formatNumber, formatInterval, formatLevel } from "./format.js";
import { h, parseNumber } from "./dom.js";

/**
 * Build the toolbar. Callbacks fire on user input only.
 * @param {Document} doc
 * @param {import("./dom.js").Disposer} d
 * @param {{ onTarget: (x: number) => void, onReset: () => void, logX: () => boolean,
 *   onSlice: (mode: string, input: string, value: number | null) => void }} cb
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

  const reset = /** @type {HTMLButtonElement} */ (h(doc, "button", "bs-reset", "reset zoom"));
  reset.type = "button";
  const readout = h(doc, "span", "bs-readout");
  readout.setAttribute("aria-live", "polite");
  bar.append(targetLabel, slice, reset, readout);

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
 * The legend: median, one swatch per band, observed, held-out, target.
 * @param {Document} doc
 * @param {HTMLElement} el
 * @param {import("./model.js").ExtrapolationModel} m
 */
export function renderLegend(doc, el, m) {
  /** @type {Array<[string, string]>} */
  const items = [];
  if (m.median.length) items.push(["bs-key-median", "median"]);
  [...m.bands].sort((a, b) => a.level - b.level).forEach((b, i, all) => {
    const what = m.band_label ? `: ${m.band_label}` : " credible";
    items.push([`bs-key-band bs-key-band-${all.length - 1 - i}`, `${formatLevel(b.level)}${what}`]);
  });
  if (m.points.length) items.push(["bs-key-point", "observed"]);
  if (m.heldout_points.length) items.push(["bs-key-heldout", "held out"]);
  if (m.target_x != null) items.push(["bs-key-target", "target"]);
  el.replaceChildren(...items.map(([cls, text]) => {
    const item = h(doc, "span", "bs-legend-item");
    item.append(h(doc, "span", `bs-key ${cls}`), h(doc, "span", "", text));
    return item;
  }));
}
