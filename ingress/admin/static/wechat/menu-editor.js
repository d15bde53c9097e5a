// The visual editor of one menu draft: its name and remark, a phone preview of the 3 x 5 tree, the selected
// button's fields, and every problem at its place (live as typed, or the API's 422 until the next edit).
import { api, fill, h, t } from "../app.js";
import { accountQuery } from "./account.js";

/**
 * The menu rules' messages (menu-rules.js and the API's 422 details say them alike, in English) in the page's
 * language: each known sentence -> its catalogue key, its numbers and names as parameters; others as they are.
 */
const RULE_MESSAGES = [
  [/^a menu is a list of buttons$/, "menuRule.list", []],
  [/^a menu has 1 to (\d+) top-level buttons, not (\d+)$/, "menuRule.topCount", ["max", "n"]],
  [/^a button is an object$/, "menuRule.object", []],
  [/^sub_button is a list of buttons$/, "menuRule.subList", []],
  [/^at most (\d+) sub-buttons, not (\d+)$/, "menuRule.subCount", ["max", "n"]],
  [/^sub-buttons cannot have sub-buttons$/, "menuRule.nested", []],
  [/^not a button attribute$/, "menuRule.unknownAttribute", []],
  [/^a button needs a name$/, "menuRule.needsName", []],
  [/^at most (\d+) bytes \(UTF-8\), not (\d+)$/, "menuRule.bytes", ["max", "n"]],
  [/^must be a string$/, "menuRule.string", []],
  [/^a button without sub-buttons needs a type$/, "menuRule.needsType", []],
  [/^unknown type (.+); one of (.+)$/, "menuRule.unknownType", ["type", "types"]],
  [/^a (\w+) button needs (\w+)$/, "menuRule.needsAttribute", ["type", "attribute"]],
];

export function ruleMessage(message) {
  for (const [pattern, key, names] of RULE_MESSAGES) {
    const match = pattern.exec(message);
    if (match) return t(key, Object.fromEntries(names.map((name, i) => [name, match[i + 1]])));
  }
  return message;
}

/** The draft's own fields, as the problem list names them. */
const FORM_FIELDS = { name: t("menuEditor.draftName"), remark: t("robots.remark") };

/** describePath's words in the page's language. */
export const PATH_WORDS = { menu: t("menuEditor.theMenu"), button: (n) => t("menuEditor.buttonN", { n }), sub: (n) => t("menuEditor.subN", { n }) };
import {
  BUTTON_TYPES, MAX_NAME_BYTES, MAX_SUB_NAME_BYTES, buttonProblems, byteLength,
} from "./menu-rules.js";
import {
  addButton, addSubButton, buttonAt, canAddButton, canAddSubButton, describePath, fieldsFor, groupProblems,
  isParent, moveButton, pathKey, problemCount, removeButton, setType,
} from "./menu-tree.js";

const TYPE_LABELS = Object.fromEntries(BUTTON_TYPES.map((type) => [type, t(`menuType.${type}`)]));
const ATTRIBUTE_LABELS = Object.fromEntries(["key", "url", "appid", "pagepath", "media_id", "article_id"]
  .map((attribute) => [attribute, [t(`menuAttr.${attribute}`), t(`menuAttr.${attribute}.help`)]]));

/** A labelled control with an error line, in the shell's field style; `key` is the problem path it shows. */
function field(label, input, key, required = false, help = "") {
  const error = h("span", { class: "field-error", role: "alert" });
  const helpLine = h("span", { class: "help" }, help);
  const element = h("label", { class: "field", dataset: { field: key } },
    h("span", { class: "label" }, label, required ? h("span", { class: "req" }, " *") : null), input, helpLine, error);
  return { element, error, help: helpLine, key };
}

function showAt(target, messages) {
  target.error.textContent = (messages || []).join("; ");
  target.element.classList.toggle("invalid", Boolean(messages && messages.length));
}

/** Edits `draft` ({name, remark, buttons}) in place; `element` is what to show. */
export class MenuEditor {
  constructor(draft, { signal } = {}) {
    this.draft = draft;
    this.signal = signal;
    this.selected = draft.buttons.length ? [0] : null;
    this.serverError = null;
    this.buttonFields = [];
    const text = (name, placeholder, property) => h("input", { name, value: draft[property] ?? "", placeholder,
      oninput: (event) => { draft[property] = event.target.value; this.edited(); } });
    this.nameField = field(t("menuEditor.draftName"), text("menu-name", t("menuEditor.namePlaceholder"), "name"), "name", true);
    this.remarkField = field(t("robots.remark"), text("menu-remark", t("menuEditor.optional"), "remark"), "remark");
    this.phone = h("div", { class: "menu-phone" });
    this.buttonForm = h("div", { class: "menu-button-form", id: "menu-button-form" });
    this.summary = h("div", { class: "menu-problems", role: "alert" });
    this.element = h("div", { class: "menu-editor-body" },
      h("div", { class: "form-fields" }, this.nameField.element, this.remarkField.element),
      h("div", { class: "menu-workspace" }, this.phone, this.buttonForm), this.summary);
    this.select(this.selected);
  }

  /** Every problem shown: the API's last 422 until the next edit, else the live rules (and a missing name). */
  problems() {
    const found = this.serverError ? [...this.serverError.fieldErrors] : buttonProblems(this.draft.buttons);
    if (!this.serverError && !this.draft.name.trim()) found.push({ field: "name", message: t("menuEditor.needsName") });
    return found.map((problem) => ({ ...problem, message: ruleMessage(problem.message) }));
  }

  /** Show the API's 422 (an ApiError) in the same places as the live problems. */
  showServerError(err) {
    this.serverError = err;
    this.renderPreview();
    this.renderProblems();
  }

  select(path) {
    this.selected = path;
    this.renderPreview();
    this.renderButtonForm();
    this.renderProblems();
  }

  /** The tree's shape changed (a button added, removed, moved, retyped): select `path`, show everything anew. */
  restructured(path) {
    this.serverError = null;
    this.select(path);
  }

  /** A value was typed: the inputs stay (and keep the focus), the preview and problems follow. */
  edited() {
    this.serverError = null;
    this.renderPreview();
    this.renderProblems();
  }

  renderPreview() {
    const { buttons } = this.draft;
    const grouped = groupProblems(this.problems());
    const cell = (path, button) => {
      const count = problemCount(grouped, path);
      const active = this.selected && pathKey(this.selected) === pathKey(path);
      return h("button", { type: "button", class: `menu-cell${active ? " selected" : ""}${count ? " has-problems" : ""}`,
        dataset: { path: pathKey(path) }, onclick: () => this.select(path) },
      h("span", { class: "menu-cell-name" }, button.name || h("em", { class: "muted" }, t("menuEditor.unnamed"))),
      isParent(button) ? h("span", { class: "menu-cell-mark", "aria-hidden": "true" }, "≡") : null,
      count ? h("span", { class: "menu-cell-count", title: t(count > 1 ? "menuEditor.problems" : "menuEditor.problem", { count }) }, count) : null);
    };
    const columns = buttons.map((button, i) => h("div", { class: "menu-column" },
      h("div", { class: "menu-subs" },
        (isParent(button) ? button.sub_button : []).map((sub, j) => cell([i, j], sub)),
        this.selected?.[0] === i && canAddSubButton(buttons, i) ? h("button", { type: "button", class: "menu-add-sub",
          dataset: { parent: i }, title: t("menuEditor.addSubTitle"), onclick: () => this.restructured(addSubButton(buttons, i)) }, t("menuEditor.addSubShort")) : null),
      cell([i], button)));
    if (canAddButton(buttons)) {
      columns.push(h("div", { class: "menu-column" }, h("div", { class: "menu-subs" }),
        h("button", { type: "button", class: "menu-add", title: t("menuEditor.addButtonTitle"), onclick: () => this.restructured(addButton(buttons)) }, t("menuEditor.addButtonShort"))));
    }
    fill(this.phone, h("div", { class: "menu-screen" }, h("span", { class: "muted small" }, this.draft.name || t("menuEditor.preview"))),
      h("div", { class: "menu-bar" }, h("span", { class: "menu-keyboard", "aria-hidden": "true" }, "⌨"), columns));
  }

  renderButtonForm() {
    const { buttons } = this.draft;
    const path = this.selected;
    const button = path && buttonAt(buttons, path);
    if (!button) {
      this.buttonFields = [];
      fill(this.buttonForm, h("p", { class: "muted" }, t("menuEditor.select")));
      return;
    }
    const isSub = path.length === 2;
    const limit = isSub ? MAX_SUB_NAME_BYTES : MAX_NAME_BYTES;
    const counter = () => t("menuEditor.bytes", { used: byteLength(button.name), limit });
    const nameField = field(t("robots.name"), h("input", { name: "name", value: button.name ?? "", oninput: (event) => {
      button.name = event.target.value;
      nameField.help.textContent = counter();
      nameField.help.classList.toggle("over", byteLength(button.name) > limit);
      this.edited();
    } }), "name", true, counter());
    const fields = [nameField];
    if (!isParent(button)) {
      fields.push(field(t("notifications.type"), h("select", { name: "type", onchange: (event) => { setType(button, event.target.value); this.restructured(path); } },
        BUTTON_TYPES.map((type) => h("option", { value: type, selected: button.type === type }, `${TYPE_LABELS[type]} (${type})`)),
        BUTTON_TYPES.includes(button.type) ? null : h("option", { value: button.type ?? "", selected: true }, button.type ?? t("menuEditor.chooseType"))),
      "type", true));
      for (const attribute of fieldsFor(button.type)) {
        const [label, help] = ATTRIBUTE_LABELS[attribute];
        fields.push(field(label, h("input", { name: attribute, value: button[attribute] ?? "",
          list: attribute === "media_id" ? this.mediaChoices() : undefined,
          oninput: (event) => { button[attribute] = event.target.value; this.edited(); } }), attribute, true, help));
      }
    }
    // Problems of the button with no field of their own (too many sub-buttons, unknown attributes) go here.
    const rest = h("span", { class: "field-error", role: "alert" });
    fields.push({ element: h("div", { class: "field field-rest" }, rest), error: rest, key: "sub_button" });
    this.buttonFields = fields;
    fill(this.buttonForm,
      h("div", { class: "row" }, h("h3", {}, isSub ? t("menuEditor.subHeading", { sub: path[1] + 1, button: path[0] + 1 }) : t("menuEditor.buttonHeading", { button: path[0] + 1 })),
        h("span", { class: "spacer" }),
        h("button", { type: "button", class: "small", title: t("menuEditor.moveBack"), onclick: () => this.move(-1) }, isSub ? "↑" : "←"),
        h("button", { type: "button", class: "small", title: t("menuEditor.moveOn"), onclick: () => this.move(1) }, isSub ? "↓" : "→"),
        h("button", { type: "button", class: "small danger", onclick: () => this.remove() }, t("menuEditor.remove"))),
      isParent(button) ? h("p", { class: "muted small" }, t("menuEditor.opensSubs", { n: button.sub_button.length })) : null,
      h("div", { class: "button-fields" }, fields.map((f) => f.element)),
      !isSub && canAddSubButton(buttons, path[0]) ? h("button", { type: "button", class: "small",
        onclick: () => this.restructured(addSubButton(buttons, path[0])) }, t("menuEditor.addSub")) : null);
  }

  /** The id of a datalist of the account's permanent material, loaded once per editor (a media_id is long). */
  mediaChoices() {
    if (!this.mediaList) {
      this.mediaList = h("datalist", { id: "menu-media-ids" });
      this.element.append(this.mediaList);
      api("GET", "wechat/media", undefined,
        { query: accountQuery({ permanent: true, status: "ready", limit: 200 }), signal: this.signal })
        .then(({ items }) => fill(this.mediaList, items.map((m) => h("option", { value: m.mediaId }, `${m.type} · ${m.name || m.title || ""}`))))
        .catch(() => {});
    }
    return "menu-media-ids";
  }

  move(delta) {
    this.restructured(moveButton(this.draft.buttons, this.selected, delta));
  }

  remove() {
    const { buttons } = this.draft;
    const [i, j] = this.selected;
    const sub = this.selected.length === 2;
    removeButton(buttons, this.selected);
    this.restructured(sub && isParent(buttons[i]) ? [i, Math.max(0, j - 1)]
      : sub ? [i] : buttons.length ? [Math.min(i, buttons.length - 1)] : null);
  }

  renderProblems() {
    const found = this.problems();
    const grouped = groupProblems(found);
    showAt(this.nameField, grouped.form.name);
    showAt(this.remarkField, grouped.form.remark);
    const byAttribute = this.selected ? grouped.buttons[pathKey(this.selected)] || {} : {};
    for (const f of this.buttonFields) showAt(f, byAttribute[f.key]);
    // The selected button's problems with no field of their own (the button itself, unknown attributes).
    const keys = new Set(this.buttonFields.map((f) => f.key));
    const other = Object.entries(byAttribute).filter(([attribute]) => !keys.has(attribute));
    if (other.length && this.buttonFields.length) {
      showAt(this.buttonFields.at(-1), other.flatMap(([attribute, messages]) => messages.map((m) => (attribute ? `${attribute}: ${m}` : m))));
    }
    const items = found.map((problem) => {
      const path = problem.field.replace(/^buttons\.?/, "");
      const onButton = /^\d/.test(path);
      const target = onButton ? path.split(".").filter((part) => /^\d+$/.test(part)).slice(0, 2).map(Number) : null;
      const label = path === "" ? t("menuEditor.menu") : onButton ? describePath(problem.field, this.draft.buttons, PATH_WORDS)
        : FORM_FIELDS[problem.field] || problem.field;
      return h("li", {}, target ? h("button", { type: "button", class: "link", onclick: () => this.select(target) }, label)
        : h("strong", {}, label), `: ${problem.message}`);
    });
    fill(this.summary,
      this.serverError ? h("strong", { class: "server-error" }, t("menuEditor.apiSaid", { message: this.serverError.message })) : null,
      found.length ? h("ul", {}, items) : h("span", { class: "ok-line" }, `✓ ${t("menuEditor.ok")}`));
    this.summary.className = `menu-problems${found.length ? " has-problems" : ""}`;
  }
}
