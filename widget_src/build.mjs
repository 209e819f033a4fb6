// Builds the widget into ../static/: `aurion.js` is the embed script (a minified IIFE).
// esbuild bundles and minifies; a terser pass then saves another 2 % gzipped, which
// matters under the 12 KB budget.
// Code that only some visitors need gets its own entry here and is built to
// `../static/aurion-<name>.js`, which the server serves beside aurion.js and the widget
// loads only when it is needed: the voice call (voice.js, with its embedded transport)
// where the widget offers voice, the LiveKit transport (livekit.js) for LiveKit calls, and
// the microphone's AudioWorklet module (capture-worklet.js) for embedded calls.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { build, transform } from "esbuild";
import { minify } from "terser";

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

// livekit-client (about 140 KB gzipped) is loaded by the voice part only for LiveKit calls.
const ENTRIES = {
  aurion: "src/index.js",
  "aurion-voice": "src/voice.js",
  "aurion-livekit": "src/livekit.js",
  // The rating and the away hand-off's email form, shown at the end of some conversations.
  "aurion-followup": "src/followup.jsx",
  // The visitor's earlier conversations, shown only when they ask for them.
  "aurion-past": "src/past.jsx",
  // Uploads and a message's files: loaded when the visitor adds a file or a message has one.
  "aurion-files": "src/files.jsx",
};
// The voice call's microphone capture is an AudioWorklet module, run in the audio thread's
// own scope: built alone, without Preact's JSX shim.
const WORKLETS = { "aurion-capture-worklet": "src/capture-worklet.js" };

const options = {
  outdir: "../static",
  write: false,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2022"],
  legalComments: "none",
  logLevel: "info",
};
const widget = await build({
  ...options,
  entryPoints: ENTRIES,
  jsxFactory: "h",
  jsxFragment: "Fragment",
  inject: ["src/jsx-shim.js"],
  plugins: [cssAsText],
});
const worklets = await build({ ...options, entryPoints: WORKLETS });
const outputFiles = [...widget.outputFiles, ...worklets.outputFiles];

await mkdir("../static", { recursive: true });
for (const file of outputFiles) {
  const { code } = await minify(file.text, { ecma: 2022, compress: { passes: 3 } });
  await writeFile(file.path, code);
  console.log(`  ${file.path}  ${code.length} bytes`);
}
