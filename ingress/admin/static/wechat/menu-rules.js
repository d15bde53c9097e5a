// The platform's menu rules, as platforms/wechat/menu_rules.py states them, for live validation in the editor.
//
// The server stays the judge (it checks again on save and on publish); this copy lets the operator see every
// problem while typing. Problems carry the server's field paths ("1.sub_button.0.key"), so live problems and a
// 422's details are shown the same way. tests/admin/test_wechat_menu_rules_js.py keeps both copies in step.

export const MAX_BUTTONS = 3;
export const MAX_SUB_BUTTONS = 5;
export const MAX_NAME_BYTES = 16;
export const MAX_SUB_NAME_BYTES = 60;
export const MAX_KEY_BYTES = 128;
export const MAX_URL_BYTES = 1024;

/** Button type -> the attributes it needs besides `name`. */
export const REQUIRED_ATTRIBUTES = {
  click: ["key"],
  view: ["url"],
  miniprogram: ["url", "appid", "pagepath"],
  scancode_push: ["key"],
  scancode_waitmsg: ["key"],
  pic_sysphoto: ["key"],
  pic_photo_or_album: ["key"],
  pic_weixin: ["key"],
  location_select: ["key"],
  media_id: ["media_id"],
  view_limited: ["media_id"],
  article_id: ["article_id"],
  article_view_limited: ["article_id"],
};
export const BUTTON_TYPES = Object.keys(REQUIRED_ATTRIBUTES);
/** Every attribute a button may carry. */
export const ATTRIBUTES = ["type", "name", "key", "url", "media_id", "article_id", "appid", "pagepath", "sub_button"];
/** Byte limits of attributes wherever they appear. */
export const BYTE_LIMITS = { key: MAX_KEY_BYTES, url: MAX_URL_BYTES };

const encoder = new TextEncoder();

/** UTF-8 length, as WeChat counts names and keys (a Chinese character is 3 bytes). */
export function byteLength(value) {
  return typeof value === "string" ? encoder.encode(value).length : 0;
}

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
// A value as the server's messages show it (Python's repr), so both name a wrong type the same way.
function pyRepr(value) {
  if (typeof value === "string") return `'${value}'`;
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  return String(value);
}

/** Every way `buttons` break the platform's rules, in the server's order: [{field, message}]; [] when none. */
export function buttonProblems(buttons) {
  if (!Array.isArray(buttons)) return [{ field: "", message: "a menu is a list of buttons" }];
  const problems = [];
  if (buttons.length < 1 || buttons.length > MAX_BUTTONS) {
    problems.push({ field: "", message: `a menu has 1 to ${MAX_BUTTONS} top-level buttons, not ${buttons.length}` });
  }
  buttons.forEach((button, i) => {
    if (!isObject(button)) {
      problems.push({ field: String(i), message: "a button is an object" });
      return;
    }
    let subs = button.sub_button;
    if (subs !== undefined && subs !== null && !Array.isArray(subs)) {
      problems.push({ field: `${i}.sub_button`, message: "sub_button is a list of buttons" });
      subs = null;
    }
    if (subs && subs.length) {
      problems.push(...attributeProblems(button, String(i), MAX_NAME_BYTES, true));
      if (subs.length > MAX_SUB_BUTTONS) {
        problems.push({ field: `${i}.sub_button`, message: `at most ${MAX_SUB_BUTTONS} sub-buttons, not ${subs.length}` });
      }
      subs.forEach((sub, j) => {
        const where = `${i}.sub_button.${j}`;
        if (!isObject(sub)) {
          problems.push({ field: where, message: "a button is an object" });
          return;
        }
        if (truthy(sub.sub_button)) {
          problems.push({ field: `${where}.sub_button`, message: "sub-buttons cannot have sub-buttons" });
        }
        problems.push(...attributeProblems(sub, where, MAX_SUB_NAME_BYTES, false));
      });
    } else {
      problems.push(...attributeProblems(button, String(i), MAX_NAME_BYTES, false));
    }
  });
  return problems;
}

// Python's truthiness for JSON values: empty strings, lists and objects are false.
function truthy(value) {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function attributeProblems(button, where, maxName, parent) {
  const at = (name) => `${where}.${name}`;
  const problems = Object.keys(button)
    .filter((name) => !ATTRIBUTES.includes(name))
    .map((name) => ({ field: at(name), message: "not a button attribute" }));
  const name = button.name;
  if (typeof name !== "string" || !name) {
    problems.push({ field: at("name"), message: "a button needs a name" });
  } else if (byteLength(name) > maxName) {
    problems.push({ field: at("name"), message: `at most ${maxName} bytes (UTF-8), not ${byteLength(name)}` });
  }
  for (const [attribute, value] of Object.entries(button)) {
    const checked = ATTRIBUTES.includes(attribute) && attribute !== "name" && attribute !== "sub_button";
    if (checked && typeof value !== "string") {
      problems.push({ field: at(attribute), message: "must be a string" });
    } else if (attribute in BYTE_LIMITS && byteLength(value) > BYTE_LIMITS[attribute]) {
      const limit = BYTE_LIMITS[attribute];
      problems.push({ field: at(attribute), message: `at most ${limit} bytes (UTF-8), not ${byteLength(value)}` });
    }
  }
  if (parent) return problems; // a button with sub-buttons only opens them: its type and attributes are unused
  const kind = button.type;
  if (kind === undefined || kind === null) {
    problems.push({ field: at("type"), message: "a button without sub-buttons needs a type" });
  } else if (!BUTTON_TYPES.includes(kind)) {
    problems.push({ field: at("type"), message: `unknown type ${pyRepr(kind)}; one of ${BUTTON_TYPES.join(", ")}` });
  } else {
    for (const attribute of REQUIRED_ATTRIBUTES[kind]) {
      if (button[attribute] === undefined || button[attribute] === null || button[attribute] === "") {
        problems.push({ field: at(attribute), message: `a ${kind} button needs ${attribute}` });
      }
    }
  }
  return problems;
}
