// WeChat menus: drafts edited in a visual 3 x 5 editor with live validation, published, imported, cleared,
// compared with the live menu. The rules (wechat/menu-rules.js) mirror the server's; its 422 is shown the same way.
import {
  api, ApiError, badge, confirmDialog, fill, fmtTime, h, modal, pageHead, table, toast, toastError, watchJob,
} from "../app.js";
import {
  BUTTON_TYPES, MAX_BUTTONS, MAX_NAME_BYTES, MAX_SUB_BUTTONS, MAX_SUB_NAME_BYTES, buttonProblems, byteLength,
} from "../wechat/menu-rules.js";
import {
  addButton, addSubButton, buttonAt, canAddButton, canAddSubButton, describePath, fieldsFor, groupProblems,
  isParent, moveButton, normalize, pathKey, problemCount, removeButton, setType,
} from "../wechat/menu-tree.js";

const TYPE_LABELS = {
  click: "Click: sends a key",
  view: "Open a web page",
  miniprogram: "Open a mini program",
  scancode_push: "Scan a code",
  scancode_waitmsg: "Scan a code, wait for a reply",
  pic_sysphoto: "Take a photo",
  pic_photo_or_album: "Photo or album",
  pic_weixin: "Pick from WeChat album",
  location_select: "Send a location",
  media_id: "Send material (media_id)",
  view_limited: "Open material (view_limited)",
  article_id: "Send a published article",
  article_view_limited: "Open a published article",
};
const ATTRIBUTE_LABELS = {
  key: ["Key", "Sent back in the click event; at most 128 bytes."],
  url: ["URL", "At most 1024 bytes. For a mini program: the page opened where mini programs are not supported."],
  appid: ["Mini program appid", ""],
  pagepath: ["Mini program page path", "e.g. pages/index"],
  media_id: ["Media id", "A permanent material's media_id (see Media)."],
  article_id: ["Article id", "A published article's article_id."],
};

const snapshot = (draft) => JSON.stringify({ name: draft.name, remark: draft.remark || "", buttons: draft.buttons });

export default {
  id: "wechat-menus",
  title: "Menus",
  group: "WeChat",
  async render(root, ctx) {
    let menus = [];
    let draft = null; // {id, name, remark, buttons, published}
    let saved = "";
    let selected = null; // a path
    let serverError = null; // the last 422 (ApiError), shown until the next edit

    const drafts = h("div", { class: "menu-drafts" });
    const progress = h("div", { class: "progress-area" });
    const editor = h("div", { class: "menu-editor" });
    const importButton = h("button", { type: "button", onclick: importLive }, "Import live menu");
    const clearButton = h("button", { type: "button", class: "danger", onclick: clearLive }, "Clear live menu");

    root.append(pageHead("Menus", {
      help: `The custom menu: ${MAX_BUTTONS} buttons of up to ${MAX_SUB_BUTTONS} sub-buttons. Edit a draft, compare it with live, publish.`,
      actions: [importButton, clearButton] }),
    progress, h("div", { class: "menu-layout" }, drafts, editor));

    // ------------------------------------------------------------------------------------------ drafts list

    async function loadList() {
      ({ items: menus } = await api("GET", "wechat/menus", undefined, { signal: ctx.signal }));
      renderList();
    }

    function renderList() {
      drafts.replaceChildren(h("div", { class: "card" },
        h("div", { class: "row" }, h("h2", {}, "Drafts"), h("span", { class: "spacer" }),
          h("button", { type: "button", class: "small primary", onclick: () => guard(() => open(null)) }, "New draft")),
        menus.length ? h("ul", { class: "draft-list" }, [...menus].reverse().map((menu) => h("li", {
          class: draft && draft.id === menu.id ? "active" : undefined, dataset: { menu: menu.id } },
        h("button", { type: "button", class: "link draft-open", onclick: () => guard(() => open(menu.id)) }, menu.name),
        menu.published ? badge("live") : null,
        h("div", { class: "muted small" }, `#${menu.id} · ${fmtTime(menu.updatedAt)}`))))
          : h("p", { class: "muted" }, "No drafts yet.")));
    }

    async function guard(action) {
      if (draft && snapshot(draft) !== saved
        && !(await confirmDialog("This draft has unsaved changes. Leave it?", { confirm: "Leave" }))) return;
      await action();
    }

    async function open(menuId) {
      if (menuId === null) {
        draft = { id: null, name: "", remark: "", buttons: [], published: false };
        addButton(draft.buttons);
        selected = [0];
        saved = "";
      } else {
        const menu = await api("GET", `wechat/menus/${menuId}`);
        draft = { id: menu.id, name: menu.name, remark: menu.remark || "", buttons: normalize(menu.buttons), published: menu.published };
        saved = snapshot(draft);
        selected = draft.buttons.length ? [0] : null;
      }
      serverError = null;
      renderList();
      renderEditor();
    }

    // ------------------------------------------------------------------------------------------ editor

    const parts = {};

    function problems() {
      if (serverError) return serverError.fieldErrors;
      const found = buttonProblems(draft.buttons);
      if (!draft.name.trim()) found.push({ field: "name", message: "a draft needs a name" });
      return found;
    }

    function edited() {
      serverError = null;
      renderPreview();
      renderProblems();
    }

    function renderEditor() {
      if (!draft) {
        editor.replaceChildren(h("div", { class: "card empty muted" }, "Pick a draft, import the live menu, or start a new draft."));
        return;
      }
      const nameInput = h("input", { name: "menu-name", value: draft.name, placeholder: "spring campaign",
        oninput: (e) => { draft.name = e.target.value; edited(); } });
      const remarkInput = h("input", { name: "menu-remark", value: draft.remark, placeholder: "optional",
        oninput: (e) => { draft.remark = e.target.value; edited(); } });
      parts.nameField = field("Draft name", nameInput, "name", true);
      parts.remarkField = field("Remark", remarkInput, "remark");
      parts.phone = h("div", { class: "menu-phone" });
      parts.buttonForm = h("div", { class: "menu-button-form", id: "menu-button-form" });
      parts.summary = h("div", { class: "menu-problems", role: "alert" });
      parts.saveButton = h("button", { type: "button", class: "primary", onclick: () => save() }, draft.published ? "Save as new draft" : "Save draft");
      editor.replaceChildren(h("div", { class: "card" },
        draft.published ? h("p", { class: "notice" }, "This is the live menu. It is not edited in place: saving makes a new draft.") : null,
        h("div", { class: "form-fields" }, parts.nameField.element, parts.remarkField.element),
        h("div", { class: "menu-workspace" }, parts.phone, parts.buttonForm),
        parts.summary,
        h("div", { class: "actions" },
          draft.id && !draft.published ? h("button", { type: "button", class: "danger", onclick: deleteDraft }, "Delete draft") : null,
          h("span", { class: "spacer" }),
          draft.id ? h("button", { type: "button", onclick: diff }, "Compare with live") : null,
          parts.saveButton,
          !draft.published ? h("button", { type: "button", class: "primary", onclick: publish }, "Publish") : null)));
      renderPreview();
      renderButtonForm();
      renderProblems();
    }

    /** A labelled control with an error line, in the shell's field style. */
    function field(label, input, problemKey, required = false, help = "") {
      const error = h("span", { class: "field-error", role: "alert" });
      const helpLine = h("span", { class: "help" }, help);
      const element = h("label", { class: "field", dataset: { field: problemKey } },
        h("span", { class: "label" }, label, required ? h("span", { class: "req" }, " *") : null), input, helpLine, error);
      return { element, error, help: helpLine, key: problemKey };
    }

    function select(path) {
      selected = path;
      renderPreview();
      renderButtonForm();
      renderProblems();
    }

    /** The tree's shape changed (a button added, removed, moved, retyped): select `path`, show everything anew. */
    function restructured(path) {
      serverError = null;
      select(path);
    }

    function renderPreview() {
      const grouped = groupProblems(problems());
      const cell = (path, button) => {
        const count = problemCount(grouped, path);
        const active = selected && pathKey(selected) === pathKey(path);
        return h("button", { type: "button", class: `menu-cell${active ? " selected" : ""}${count ? " has-problems" : ""}`,
          dataset: { path: pathKey(path) }, onclick: () => select(path) },
        h("span", { class: "menu-cell-name" }, button.name || h("em", { class: "muted" }, "unnamed")),
        isParent(button) ? h("span", { class: "menu-cell-mark", "aria-hidden": "true" }, "≡") : null,
        count ? h("span", { class: "menu-cell-count", title: `${count} problem${count > 1 ? "s" : ""}` }, count) : null);
      };
      const columns = draft.buttons.map((button, i) => h("div", { class: "menu-column" },
        h("div", { class: "menu-subs" },
          (isParent(button) ? button.sub_button : []).map((sub, j) => cell([i, j], sub)),
          selected?.[0] === i && canAddSubButton(draft.buttons, i) ? h("button", { type: "button", class: "menu-add-sub", dataset: { parent: i },
            title: "add a sub-button", onclick: () => restructured(addSubButton(draft.buttons, i)) }, "+ sub-button") : null),
        cell([i], button)));
      if (canAddButton(draft.buttons)) {
        columns.push(h("div", { class: "menu-column" }, h("div", { class: "menu-subs" }),
          h("button", { type: "button", class: "menu-add", title: "add a button",
            onclick: () => restructured(addButton(draft.buttons)) }, "+ button")));
      }
      parts.phone.replaceChildren(h("div", { class: "menu-screen" }, h("span", { class: "muted small" }, draft.name || "menu preview")),
        h("div", { class: "menu-bar" }, h("span", { class: "menu-keyboard", "aria-hidden": "true" }, "⌨"), columns));
    }

    function renderButtonForm() {
      const box = parts.buttonForm;
      const button = selected && buttonAt(draft.buttons, selected);
      if (!button) {
        box.replaceChildren(h("p", { class: "muted" }, "Select a button in the preview, or add one."));
        parts.buttonFields = [];
        return;
      }
      const path = selected;
      const isSub = path.length === 2;
      const limit = isSub ? MAX_SUB_NAME_BYTES : MAX_NAME_BYTES;
      const fields = [];
      const nameInput = h("input", { name: "name", value: button.name ?? "", oninput: (e) => {
        button.name = e.target.value;
        nameField.help.textContent = `${byteLength(button.name)} / ${limit} bytes`;
        nameField.help.classList.toggle("over", byteLength(button.name) > limit);
        edited();
      } });
      const nameField = field("Name", nameInput, "name", true, `${byteLength(button.name)} / ${limit} bytes`);
      fields.push(nameField);
      if (!isParent(button)) {
        const typeSelect = h("select", { name: "type", onchange: (e) => { setType(button, e.target.value); restructured(path); } },
          BUTTON_TYPES.map((type) => h("option", { value: type, selected: button.type === type }, `${TYPE_LABELS[type]} (${type})`)),
          BUTTON_TYPES.includes(button.type) ? null : h("option", { value: button.type ?? "", selected: true }, `${button.type ?? "choose a type"}`));
        fields.push(field("Type", typeSelect, "type", true));
        for (const attribute of fieldsFor(button.type)) {
          const [label, help] = ATTRIBUTE_LABELS[attribute];
          const input = h("input", { name: attribute, value: button[attribute] ?? "",
            list: attribute === "media_id" ? mediaChoices() : undefined,
            oninput: (e) => { button[attribute] = e.target.value; edited(); } });
          fields.push(field(label, input, attribute, true, help));
        }
      }
      // Problems of the button with no field of their own (too many sub-buttons, unknown attributes) go here.
      const rest = h("span", { class: "field-error", role: "alert" });
      fields.push({ element: h("div", { class: "field field-rest" }, rest), error: rest, key: "sub_button" });
      parts.buttonFields = fields;
      const where = isSub ? `Sub-button ${path[1] + 1} of button ${path[0] + 1}` : `Button ${path[0] + 1}`;
      fill(box,
        h("div", { class: "row" }, h("h3", {}, where), h("span", { class: "spacer" }),
          h("button", { type: "button", class: "small", title: "move left / up", onclick: () => move(-1) }, isSub ? "↑" : "←"),
          h("button", { type: "button", class: "small", title: "move right / down", onclick: () => move(1) }, isSub ? "↓" : "→"),
          h("button", { type: "button", class: "small danger", onclick: remove }, "Remove")),
        isParent(button) ? h("p", { class: "muted small" }, `Opens its ${button.sub_button.length} sub-button(s); a button with sub-buttons has no type of its own.`) : null,
        h("div", { class: "button-fields" }, fields.map((f) => f.element)),
        !isSub && canAddSubButton(draft.buttons, path[0]) ? h("button", { type: "button", class: "small",
          onclick: () => restructured(addSubButton(draft.buttons, path[0])) }, "+ Add a sub-button") : null);
    }

    /** The id of a datalist of the account's permanent material, filled once per visit (a media_id is long). */
    function mediaChoices() {
      if (!parts.mediaList) {
        parts.mediaList = h("datalist", { id: "menu-media-ids" });
        root.append(parts.mediaList);
        api("GET", "wechat/media", undefined, { query: { permanent: true, status: "ready", limit: 200 }, signal: ctx.signal })
          .then(({ items }) => fill(parts.mediaList, items.map((m) => h("option", { value: m.mediaId }, `${m.type} · ${m.name || m.title || ""}`))))
          .catch(() => {});
      }
      return "menu-media-ids";
    }

    function move(delta) {
      restructured(moveButton(draft.buttons, selected, delta));
    }

    function remove() {
      removeButton(draft.buttons, selected);
      const [i, j] = selected;
      restructured(selected.length === 2 && isParent(draft.buttons[i]) ? [i, Math.max(0, j - 1)]
        : selected.length === 2 ? [i] : draft.buttons.length ? [Math.min(i, draft.buttons.length - 1)] : null);
    }

    function renderProblems() {
      const found = problems();
      const grouped = groupProblems(found);
      const showAt = (f, messages) => {
        f.error.textContent = (messages || []).join("; ");
        f.element.classList.toggle("invalid", Boolean(messages && messages.length));
      };
      showAt(parts.nameField, grouped.form.name);
      showAt(parts.remarkField, grouped.form.remark);
      const byAttribute = selected ? grouped.buttons[pathKey(selected)] || {} : {};
      const shown = new Set();
      for (const f of parts.buttonFields || []) {
        showAt(f, byAttribute[f.key]);
        shown.add(f.key);
      }
      // Problems of the selected button with no field of their own (the button itself, unknown attributes).
      const other = Object.entries(byAttribute).filter(([attribute]) => !shown.has(attribute));
      if (other.length && parts.buttonFields?.length) {
        const last = parts.buttonFields.at(-1);
        showAt(last, other.map(([attribute, messages]) => messages.map((m) => (attribute ? `${attribute}: ${m}` : m))).flat());
      }
      const items = found.map((p) => {
        const path = p.field.replace(/^buttons\.?/, "");
        const target = /^\d/.test(path) ? path.split(".").filter((x) => /^\d+$/.test(x)).slice(0, 2).map(Number) : null;
        const label = p.field === "" || p.field === "buttons" ? "menu" : /^\d|^buttons/.test(p.field) ? describePath(p.field, draft.buttons) : p.field;
        return h("li", {}, target ? h("button", { type: "button", class: "link", onclick: () => select(target) }, label) : h("strong", {}, label),
          `: ${p.message}`);
      });
      fill(parts.summary,
        serverError ? h("strong", { class: "server-error" }, `${serverError.message} (the API said)`) : null,
        found.length ? h("ul", {}, items) : h("span", { class: "ok-line" }, "✓ The menu follows every WeChat rule."));
      parts.summary.className = `menu-problems${found.length ? " has-problems" : ""}`;
    }

    // ------------------------------------------------------------------------------------------ actions

    function body() {
      return { name: draft.name, remark: draft.remark || null, buttons: draft.buttons };
    }

    /** Save the draft (a new row when it has none or is the live one); true when saved. */
    async function save({ quiet = false } = {}) {
      parts.saveButton.disabled = true;
      try {
        const menu = draft.id && !draft.published
          ? await api("PUT", `wechat/menus/${draft.id}`, body())
          : await api("POST", "wechat/menus", body());
        draft = { id: menu.id, name: menu.name, remark: menu.remark || "", buttons: normalize(menu.buttons), published: menu.published };
        saved = snapshot(draft);
        serverError = null;
        if (!quiet) toast(`Draft “${menu.name}” saved`, "success");
        await loadList();
        renderEditor();
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          serverError = err;
          renderPreview();
          renderProblems();
        } else {
          toastError(err, "Save");
        }
        return false;
      } finally {
        if (parts.saveButton) parts.saveButton.disabled = false;
      }
    }

    async function saveIfChanged() {
      return snapshot(draft) === saved && draft.id ? true : save({ quiet: true });
    }

    async function publish() {
      if (!(await saveIfChanged())) return;
      const menuId = draft.id;
      try {
        const { jobId } = await api("POST", `wechat/menus/${menuId}/publish`);
        progress.replaceChildren();
        const job = await watchJob(jobId, { container: progress, label: `Publishing “${draft.name}”`, signal: ctx.signal });
        await loadList();
        if (job.status === "succeeded") await open(menuId);
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          serverError = err;
          renderPreview();
          renderProblems();
        } else toastError(err, "Publish");
      }
    }

    async function diff() {
      if (!(await saveIfChanged())) return;
      try {
        const answer = await api("GET", `wechat/menus/${draft.id}/diff`);
        const value = (v) => (v === null || v === undefined ? "—" : typeof v === "object" ? h("code", { class: "small" }, JSON.stringify(v)) : String(v));
        modal(`“${draft.name}” against the live menu`, [
          answer.publishedId === null ? h("p", { class: "muted" }, "No menu is live: publishing adds every button.") : null,
          answer.same ? h("p", { class: "ok-line" }, "No changes: this draft is what is live.")
            : table([
              { label: "Where", render: (c) => describePath(c.path, draft.buttons) },
              { label: "Change", render: (c) => h("span", { class: `change change-${c.change}` }, c.change) },
              { label: "Live", render: (c) => value(c.published) },
              { label: "Draft", render: (c) => value(c.draft) },
            ], answer.changes),
        ], { wide: true });
      } catch (err) {
        toastError(err, "Compare");
      }
    }

    async function deleteDraft() {
      if (!(await confirmDialog(`Delete the draft “${draft.name}”?`, { confirm: "Delete" }))) return;
      try {
        await api("DELETE", `wechat/menus/${draft.id}`);
        toast("Draft deleted", "success");
        draft = null;
        saved = "";
        await loadList();
        renderEditor();
      } catch (err) {
        toastError(err, "Delete");
      }
    }

    async function runJob(button, path, label) {
      button.disabled = true;
      try {
        const { jobId } = await api("POST", path);
        progress.replaceChildren();
        return await watchJob(jobId, { container: progress, label, signal: ctx.signal });
      } catch (err) {
        toastError(err, label);
        return null;
      } finally {
        button.disabled = false;
      }
    }

    async function importLive() {
      await guard(async () => {
        const job = await runJob(importButton, "wechat/menus/import", "Importing the live menu");
        await loadList();
        if (job?.status === "succeeded" && job.result?.menuId) await open(job.result.menuId);
        else if (job?.status === "succeeded") toast(job.result?.detail || "No menu is live", "info");
      });
    }

    async function clearLive() {
      if (!(await confirmDialog("Remove the live menu from the Official Account? Followers will see no menu.", { confirm: "Clear" }))) return;
      await runJob(clearButton, "wechat/menus/clear", "Clearing the live menu");
      await loadList();
      if (draft?.published) await open(draft.id);
    }

    await loadList();
    const wanted = Number(ctx.params[0]);
    const initial = menus.find((m) => m.id === wanted) || menus.find((m) => !m.published) || menus.find((m) => m.published);
    if (initial) await open(initial.id);
    else renderEditor();
    const beforeUnload = (event) => { if (draft && snapshot(draft) !== saved) event.preventDefault(); };
    window.addEventListener("beforeunload", beforeUnload);
    return () => window.removeEventListener("beforeunload", beforeUnload);
  },
};
