// What the two synced-template screens share (private templates, subscription templates): the dialog that edits a
// template's local fields (code, name, enabled: what the API's PATCH takes) and the "Sync from WeChat" action that
// runs the sync job with its progress and counts.
import { api, Form, h, modal, t, toast, toastError, watchJob } from "../app.js";

/** Edit ``template``'s local fields through ``PATCH <path>``; ``onSaved`` after a save. */
export function editLocalFields(template, path, onSaved, { codePlaceholder = "login" } = {}) {
  const form = new Form({
    fields: [
      { name: "code", label: t("robots.code"), placeholder: codePlaceholder, help: t("templates.codeHelp") },
      { name: "name", label: t("robots.name"), required: true },
      { name: "enabled", label: t("templates.enabledLabel"), type: "checkbox" },
    ],
    values: template,
    submitLabel: t("common.save"),
    cancel: () => handle.close(),
    onSubmit: async (values) => {
      // Blank code means "remove it": the API takes null for that (an empty string is not a valid code).
      const saved = await api("PATCH", path, { code: values.code ?? null, name: values.name ?? "", enabled: values.enabled });
      toast(t("templates.savedToast", { name: saved.name }), "success");
      handle.close();
      onSaved();
    },
  });
  const handle = modal(t("templates.editTitle", { title: template.title }), [
    h("p", { class: "muted" }, t("templates.editHelp")), form.element]);
}

/** A "Sync from WeChat" button: POST ``path`` (a job), its progress in ``progress``, then ``reload()``.
 * ``query``: a function giving the call's query when clicked (the chosen account's). */
export function syncButton(path, { progress, jobLabel, signal, reload, query = () => ({}) }) {
  const button = h("button", { type: "button", class: "primary", onclick: sync }, t("wechat.sync"));
  async function sync() {
    button.disabled = true;
    try {
      const { jobId } = await api("POST", path, undefined, { query: query() });
      progress.replaceChildren();
      const job = await watchJob(jobId, { container: progress, label: jobLabel, signal });
      if (job.result) progress.append(h("p", { class: "muted small" }, t("templates.syncResult", job.result)));
      await reload();
    } catch (err) {
      toastError(err, t("wechat.syncShort"));
    } finally {
      button.disabled = false;
    }
  }
  return button;
}
