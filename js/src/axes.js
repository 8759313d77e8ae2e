// Axes shared by the views: gridlines, bottom/left axes and axis labels of one plot group.
import { axisBottom, axisLeft } from "d3-axis";

/**
 * Tick values with their printed labels (see scales.js `ticks`).
 * @typedef {{ values: number[], labels: string[] }} TickSet
 */

/**
 * A d3-axis tick formatter that prints the precomputed label of each tick value.
 * @param {TickSet} t
 * @returns {(v: any) => string}
 */
export function tickLabel(t) {
  return (v) => t.labels[t.values.indexOf(v)] ?? "";
}

/**
 * Size `svg` to `w` × `height` with the matching viewBox.
 * @param {any} svg d3 selection of the <svg>
 * @param {number} w
 * @param {number} height
 */
export function sizeSvg(svg, w, height) {
  svg.attr("width", w).attr("height", height).attr("viewBox", `0 0 ${w} ${height}`);
}

/**
 * Append gridlines, the x and y axes and their labels to the plot group `g`, in that
 * order (g.bs-gridlines, g.bs-axis.bs-x-axis, g.bs-axis.bs-y-axis, text.bs-x-label,
 * text.bs-y-label).
 * @param {any} g d3 selection of the plot group
 * @returns {{ draw: (xs: any, ys: any, o: { pw: number, ph: number, xt: TickSet,
 *   yt: TickSet, xText: string, yText: string, xLabelGap: number }) => void }}
 *   `draw` lays the axes out on a pw × ph plot; the x label sits xLabelGap below it
 */
export function createAxes(g) {
  const grid = g.append("g").attr("class", "bs-gridlines");
  const xAxis = g.append("g").attr("class", "bs-axis bs-x-axis");
  const yAxis = g.append("g").attr("class", "bs-axis bs-y-axis");
  const xLabel = g.append("text").attr("class", "bs-axis-label bs-x-label").attr("text-anchor", "middle");
  const yLabel = g.append("text").attr("class", "bs-axis-label bs-y-label").attr("text-anchor", "middle");
  return {
    draw(xs, ys, o) {
      xAxis.attr("transform", `translate(0,${o.ph})`)
        .call(axisBottom(xs).tickValues(o.xt.values).tickFormat(tickLabel(o.xt)));
      yAxis.call(axisLeft(ys).tickValues(o.yt.values).tickFormat(tickLabel(o.yt)));
      grid.call(axisLeft(ys).tickValues(o.yt.values).tickSize(-o.pw).tickFormat(() => ""));
      xLabel.attr("x", o.pw / 2).attr("y", o.ph + o.xLabelGap).text(o.xText);
      yLabel.attr("transform", `translate(${-46},${o.ph / 2}) rotate(-90)`).text(o.yText);
    },
  };
}
