// Builds the widget into ../static/: `aurion.js` is the embed script (a minified IIFE).
// Code that only some visitors need (voice, later) gets its own entry here and is built
// to `../static/aurion-<name>.js`, which the server serves beside aurion.js and the
// widget loads only when it is needed.
import { readFile } from "node:fs/promises";
import { build, transform } from "esbuild";

/** CSS is imported as a minified string, for constructed stylesheets. */
const cssAsText = {
  name: "css-as-text",
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { code } = await transform(await readFile(path, "utf8"), { loader: "css", minify: true });
      return { contents: code, loader: "text" };
    });
  },
};

const ENTRIES = { aurion: "src/index.js" };

await build({
  entryPoints: ENTRIES,
  outdir: "../static",
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2022"],
  jsxFactory: "h",
  jsxFragment: "Fragment",
  inject: ["src/jsx-shim.js"],
  legalComments: "none",
  plugins: [cssAsText],
  logLevel: "info",
});
