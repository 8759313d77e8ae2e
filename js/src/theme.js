// Light/dark detection and live theme following.
// Order: explicit model theme, nearest [data-jp-theme-light] (JupyterLab), VS Code body
// classes, then prefers-color-scheme. Colours themselves live in style.css (CSS classes
// over --jp-* variables); JS only toggles the root's bs-light / bs-dark class.

/** @typedef {"light" | "dark"} Theme */

/**
 * Work out the theme that applies to `el`.
 * @param {Element} el
 * @param {string} [requested] "auto", "light" or "dark" (the Python `theme` trait)
 * @returns {Theme}
 */
export function detectTheme(el, requested = "auto") {
  if (requested === "light" || requested === "dark") return requested;
  const doc = el.ownerDocument ?? document;
  const jp = el.closest?.("[data-jp-theme-light]") ?? doc.body?.closest?.("[data-jp-theme-light]");
  if (jp) return jp.getAttribute("data-jp-theme-light") === "false" ? "dark" : "light";
  const cls = doc.body?.classList;
  if (cls?.contains("vscode-dark") || cls?.contains("vscode-high-contrast")) return "dark";
  if (cls?.contains("vscode-light") || cls?.contains("vscode-high-contrast-light")) return "light";
  const view = doc.defaultView;
  if (view?.matchMedia?.("(prefers-color-scheme: dark)").matches) return "dark";
  return "light";
}

/**
 * Set the theme class on `root`.
 * @param {HTMLElement} root
 * @param {Theme} theme
 */
export function applyTheme(root, theme) {
  root.classList.toggle("bs-dark", theme === "dark");
  root.classList.toggle("bs-light", theme !== "dark");
  root.dataset.theme = theme;
}

/**
 * Keep `root`'s theme class in step with the page. Returns a cleanup that disconnects
 * the observer and removes the media-query listener.
 * @param {HTMLElement} root
 * @param {() => string} requested returns the model's `theme` trait
 * @param {(theme: Theme) => void} [onChange]
 * @returns {{ update: () => void, dispose: () => void }}
 */
export function followTheme(root, requested, onChange) {
  const doc = root.ownerDocument ?? document;
  let current = /** @type {Theme | null} */ (null);
  const update = () => {
    const next = detectTheme(root, requested());
    if (next === current) return;
    current = next;
    applyTheme(root, next);
    onChange?.(next);
  };
  const observer = new MutationObserver(update);
  const opts = { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name", "class"] };
  if (doc.body) observer.observe(doc.body, opts);
  if (doc.documentElement) observer.observe(doc.documentElement, opts);
  const mq = doc.defaultView?.matchMedia?.("(prefers-color-scheme: dark)");
  mq?.addEventListener?.("change", update);
  update();
  return {
    update,
    dispose() {
      observer.disconnect();
      mq?.removeEventListener?.("change", update);
    },
  };
}
