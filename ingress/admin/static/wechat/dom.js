// What the WeChat and Inbound sections add to app.js's DOM helpers.

/** Replace `element`'s children, skipping null/false and flattening arrays as h() does (replaceChildren
 * alone would show "null"). */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}
