// JSDoc types of the widget models. Each mirrors the synced traits of a Python class:
// ExtrapolationModel <-> src/bayescale/widgets/extrapolation.py (ExtrapolationWidget).
// Keep both sides in step when a trait is added or renamed.

/**
 * One nested credible band over `grid_x`.
 * @typedef {{ level: number, lower: number[], upper: number[] }} Band
 */

/**
 * An observed or held-out point.
 * @typedef {{ x: number, y: number }} Point
 */

/**
 * One extra quantity of a read-out (e.g. N_opt on the compute-optimal path).
 * @typedef {{ name: string, median: number, lower: number, upper: number }} ReadoutDetail
 */

/**
 * The predicted interval at the target (empty object when there is none).
 * @typedef {{ x?: number, median?: number, lower?: number, upper?: number, level?: number,
 *   kind?: string, details?: ReadoutDetail[] }} Readout
 */

/**
 * Synced traits of ExtrapolationWidget.
 * @typedef {Object} ExtrapolationModel
 * @property {"extrapolation"} _view
 * @property {string} x_label
 * @property {string} y_label
 * @property {string} [band_label] what the bands are ("new observation + discrepancy"...)
 * @property {string} [band_kind] "predictive" | "mean", either + "+discrepancy"; "" for raw draws
 * @property {string[]} [band_kinds] the kinds the fit can draw (a menu when two or more)
 * @property {boolean} log_x
 * @property {boolean} log_y
 * @property {number[]} grid_x
 * @property {number[]} median
 * @property {Band[]} bands
 * @property {number[]} ci_levels
 * @property {Point[]} points
 * @property {Point[]} heldout_points
 * @property {number | null} target_x
 * @property {Readout} target_readout
 * @property {number[]} x_domain visible x range [lo, hi]; written back after zoom/pan
 * @property {number[]} y_domain visible y range [lo, hi]; written back after zoom/pan
 * @property {"auto" | "light" | "dark"} theme
 * @property {number} height
 * @property {number} [width] 0: fill the output area
 * @property {string[]} inputs the law's inputs (two for N, D laws)
 * @property {"" | "fixed" | "compute_optimal"} slice_mode
 * @property {string} slice_input the input held fixed when slice_mode is "fixed"
 * @property {number | null} slice_value
 * @property {string} status a short message from Python (e.g. "fitting…")
 */

/**
 * The part of anywidget's model that the views use.
 * @template T
 * @typedef {Object} AnyModel
 * @property {<K extends keyof T>(key: K) => T[K]} get
 * @property {<K extends keyof T>(key: K, value: T[K]) => void} set
 * @property {() => void} save_changes
 * @property {(name: string, cb: Function) => void} on
 * @property {(name?: string | null, cb?: Function | null) => void} off
 * @property {(content: any, callbacks?: any, buffers?: any[]) => void} send
 */

export {};
