// The menu editor's model: the platform's button list, edited in place by small operations on paths.
//
// A path is [i] for a top-level button or [i, j] for sub-button j of button i. The model is the very JSON the
// API stores, so what is validated live (menu-rules.js) is what is saved. No DOM here.

import { MAX_BUTTONS, MAX_SUB_BUTTONS, REQUIRED_ATTRIBUTES } from "./menu-rules.js";

/** A new leaf: a click button waiting for its name and key. */
export function newButton() {
  return { type: "click", name: "", key: "" };
}

export function isParent(button) {
  return Array.isArray(button.sub_button) && button.sub_button.length > 0;
}

export function buttonAt(buttons, path) {
  const top = buttons[path[0]];
  return path.length === 1 || !top ? top : (top.sub_button || [])[path[1]];
}

/** The list holding the button at `path` and its index there. */
function siblings(buttons, path) {
  return path.length === 1 ? [buttons, path[0]] : [buttons[path[0]].sub_button, path[1]];
}

export function canAddButton(buttons) {
  return buttons.length < MAX_BUTTONS;
}

export function canAddSubButton(buttons, index) {
  const subs = buttons[index]?.sub_button;
  return !Array.isArray(subs) || subs.length < MAX_SUB_BUTTONS;
}

/** Append a top-level button; its path. */
export function addButton(buttons) {
  buttons.push(newButton());
  return [buttons.length - 1];
}

/** Append a sub-button to button `index` (a leaf becomes a parent: its type and attributes stop mattering). */
export function addSubButton(buttons, index) {
  const parent = buttons[index];
  if (!isParent(parent)) {
    buttons[index] = { name: parent.name ?? "", sub_button: [] };
  }
  buttons[index].sub_button.push(newButton());
  return [index, buttons[index].sub_button.length - 1];
}

/** Remove the button at `path`; a parent left without sub-buttons becomes a click button again. */
export function removeButton(buttons, path) {
  const [list, index] = siblings(buttons, path);
  list.splice(index, 1);
  if (path.length === 2 && list.length === 0) {
    buttons[path[0]] = { ...newButton(), name: buttons[path[0]].name ?? "" };
  }
}

/** Move the button at `path` by `delta` among its siblings; its new path (the same when it cannot move). */
export function moveButton(buttons, path, delta) {
  const [list, index] = siblings(buttons, path);
  const target = index + delta;
  if (target < 0 || target >= list.length) return path;
  [list[index], list[target]] = [list[target], list[index]];
  return path.length === 1 ? [target] : [path[0], target];
}

/** The attributes a type needs besides name, in the order the form shows them. */
export function fieldsFor(type) {
  return REQUIRED_ATTRIBUTES[type] || [];
}

/** Change a leaf's type: keep the name and the attributes both types share, add the new ones empty. */
export function setType(button, type) {
  const kept = { type, name: button.name ?? "" };
  for (const attribute of fieldsFor(type)) kept[attribute] = button[attribute] ?? "";
  for (const name of Object.keys(button)) delete button[name];
  Object.assign(button, kept);
}

/**
 * The buttons as the editor shows them: a parent keeps its name and sub-buttons, a leaf its type, name and the
 * attributes its type needs (menu/get answers carry `sub_button: []` on every leaf; unknown types stay for the
 * validation to name). A copy: the argument is left alone.
 */
export function normalize(buttons) {
  if (!Array.isArray(buttons)) return [];
  return buttons.map((button) => {
    if (isParent(button)) {
      return { name: button.name ?? "", sub_button: button.sub_button.map((sub) => normalizeLeaf(sub)) };
    }
    return normalizeLeaf(button);
  });
}

function normalizeLeaf(button) {
  if (button === null || typeof button !== "object") return button;
  const { sub_button: subs, ...rest } = button;
  if (!(rest.type in REQUIRED_ATTRIBUTES)) return Array.isArray(subs) && subs.length ? button : rest;
  const leaf = { type: rest.type, name: rest.name ?? "" };
  for (const attribute of fieldsFor(rest.type)) leaf[attribute] = rest[attribute] ?? "";
  return leaf;
}

/**
 * Problems ({field, message}, paths as menu-rules.js or the API's 422 details give them) grouped for display:
 * `menu` for the whole list, `buttons` by path key ("1" or "1.0") then attribute ("" for the button itself),
 * `form` for the draft's other fields (name, remark). The API prefixes button paths with "buttons.".
 */
export function groupProblems(problems) {
  const grouped = { menu: [], buttons: {}, form: {} };
  for (const { field = "", message } of problems) {
    if (field === "" || field === "buttons") {
      grouped.menu.push(message);
      continue;
    }
    const path = field.startsWith("buttons.") ? field.slice(8) : /^\d/.test(field) ? field : null;
    if (path === null) {
      (grouped.form[field] ??= []).push(message);
      continue;
    }
    const parts = path.split(".");
    let key = parts[0];
    let rest = parts.slice(1);
    if (rest[0] === "sub_button" && /^\d+$/.test(rest[1] ?? "")) {
      key = `${parts[0]}.${rest[1]}`;
      rest = rest.slice(2);
    }
    const attribute = rest.join(".");
    ((grouped.buttons[key] ??= {})[attribute] ??= []).push(message);
  }
  return grouped;
}

/** The key `groupProblems` files a button's problems under. */
export function pathKey(path) {
  return path.join(".");
}

/** How many problems a button has, its sub-buttons' included (for the badge on a top-level button). */
export function problemCount(grouped, path) {
  const key = pathKey(path);
  return Object.entries(grouped.buttons)
    .filter(([k]) => k === key || (path.length === 1 && k.startsWith(`${key}.`)))
    .reduce((sum, [, byAttribute]) => sum + Object.values(byAttribute).flat().length, 0);
}

/** The words describePath uses; the page passes its locale's (this module stays free of the DOM and i18n). */
export const PATH_WORDS = { menu: "the menu", button: (n) => `button ${n}`, sub: (n) => `sub-button ${n}` };

/** A diff path of the API ("buttons.1.sub_button.0.url") in words, named after the buttons of `buttons`. */
export function describePath(path, buttons, vocabulary = PATH_WORDS) {
  const parts = path.replace(/^buttons\.?/, "").split(".").filter(Boolean);
  if (!parts.length) return vocabulary.menu;
  const words = [];
  const top = buttons?.[Number(parts[0])];
  words.push(`${vocabulary.button(Number(parts[0]) + 1)}${top?.name ? ` “${top.name}”` : ""}`);
  let rest = parts.slice(1);
  if (rest[0] === "sub_button" && rest.length > 1) {
    const sub = top?.sub_button?.[Number(rest[1])];
    words.push(`${vocabulary.sub(Number(rest[1]) + 1)}${sub?.name ? ` “${sub.name}”` : ""}`);
    rest = rest.slice(2);
  }
  if (rest.length) words.push(rest.join("."));
  return words.join(" › ");
}
