// Bundle js/src/index.js into one minified ESM (+ its CSS) for the Python package.
//   node build.mjs          -> ../src/bayescale/static/widget.js, widget.css
//   node build.mjs --watch  -> unminified, inline source maps, rebuilt on change
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const watch = process.argv.includes("--watch");
const outdir = fileURLToPath(new URL("../src/bayescale/static/", import.meta.url));

/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: { widget: fileURLToPath(new URL("./src/index.js", import.meta.url)) },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  outdir,
  legalComments: "eof",
  logLevel: "info",
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
