// Classic JSX (`h(type, props, ...children)`) is a little smaller than the automatic runtime.
export { Fragment, h } from "preact";
