/**
 * The widget's look: one constructed stylesheet for the layout and one for the
 * widget's colour and side. Constructed sheets (`adoptedStyleSheets`) are not
 * `<style>` elements or style attributes, so a strict Content-Security-Policy
 * without 'unsafe-inline' does not block them.
 */
import BASE_CSS from "./widget.css";

const DEFAULT_COLOR = "#6366F1";
const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/** Relative luminance (WCAG 2.2) of a #rrggbb colour. */
function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** Black or white, whichever reads better on `hex`. */
export function textOn(hex) {
  const l = luminance(hex);
  return contrast(l, 1) >= contrast(l, 0) ? "#fff" : "#000";
}

function sheet(css) {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

/** The stylesheets for a widget with this public config. */
export function styleSheets(config) {
  const color = HEX_COLOR.test(config.primary_color) ? config.primary_color : DEFAULT_COLOR;
  // Links and focus rings sit on white: use the colour there only if it is readable (4.5:1).
  const accent = contrast(luminance(color), 1) >= 4.5 ? color : "#1f2937";
  const side = config.position === "bottom-left" ? "left" : "right";
  return [sheet(BASE_CSS), sheet(`:host{--p:${color};--on-p:${textOn(color)};--accent:${accent};${side}:20px}.panel{${side}:0}`)];
}
