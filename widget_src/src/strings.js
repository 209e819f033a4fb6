/**
 * The widget's words: every string it shows comes from the catalogue the server sends in
 * the public config (`strings`, in the widget's language), so the bundle carries none.
 * `{name}` in a string is filled from `vars`.
 */
let words = {};

export const setStrings = (strings) => (words = strings || {});

export const t = (key, vars) => (words[key] || key).replace(/\{(\w+)\}/g, (_, name) => vars[name]);

/** "Monday 9:00" (or only "9:00" with `day` false) in the visitor's language and clock. */
export const when = (config, iso, day = 1) =>
  new Date(iso).toLocaleString(config.locale, { weekday: day ? "long" : undefined, hour: "numeric", minute: "2-digit" });
