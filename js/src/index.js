// Entry of the one bundle shared by every bayescale view; dispatches on the `_view` trait.
import "./style.css";
import { renderCrossover } from "./crossover.js";
import { renderExtrapolation } from "./extrapolation.js";
import { renderPassUntil } from "./passuntil.js";

/** @type {Record<string, (ctx: { model: any, el: HTMLElement }) => () => void>} */
export const VIEWS = {
  extrapolation: renderExtrapolation,
  passuntil: renderPassUntil,
  crossover: renderCrossover,
};

/**
 * anywidget render: draw the view named by `_view` into `el`, return its cleanup.
 * @param {{ model: any, el: HTMLElement }} ctx
 * @returns {() => void}
 */
function render({ model, el }) {
  const name = model.get("_view");
  const view = VIEWS[name];
  if (!view) {
    const msg = el.ownerDocument.createElement("div");
    msg.className = "bs-error";
    msg.textContent = `bayescale: unknown view ${JSON.stringify(name)}; this bundle has ${Object.keys(VIEWS).join(", ")}`;
    el.appendChild(msg);
    return () => msg.remove();
  }
  return view({ model, el });
}

export default { render };
