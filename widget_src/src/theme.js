/**
 * The widget's look: one constructed stylesheet for the layout and one for the
 * widget's colours and side. Constructed sheets (`adoptedStyleSheets`) are not
 * `<style>` elements or style attributes, so a strict Content-Security-Policy
 * without 'unsafe-inline' does not block them. The colours come checked and
 * contrast-matched in the public config (`aurion.services.colors`).
 */
import BASE_CSS from "./widget.css";

function sheet(css) {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

/** The stylesheets for a widget with this public config. */
export function styleSheets({ colors: c, position }) {
  const side = position === "bottom-left" ? "left" : "right";
  return [sheet(BASE_CSS), sheet(`:host{--p:${c.primary};--on-p:${c.on_primary};--accent:${c.accent};${side}:20px}.panel{${side}:0}`)];
}
