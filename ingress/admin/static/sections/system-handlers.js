// Handlers & plugins: which handler plugins loaded, which failed (and why), and what every portal handler matches,
// in the order the portal tries them; QR-scene handlers and follow-ups too. Read-only: GET /api/v1/system/handlers.
import { api, h, pageHead, t, table, toastError } from "../app.js";

/** The app's name in the page's language (`platform.<name>`), else as the API names it. */
function platformLabel(name) {
  const text = t(`platform.${name}`);
  return text === `platform.${name}` ? name : text;
}

function condition(label, ...value) {
  return h("li", {}, h("span", { class: "muted" }, `${label} `), value);
}

const codes = (values) => values.map((value, i) => [i ? ", " : null, h("code", {}, value)]);

/** What a handler matches, one line per declared condition; "everything" when it declares none. */
export function matchList(handler) {
  const items = [
    handler.platforms.length ? condition(t("handlers.platforms"), handler.platforms.map(platformLabel).join(", ")) : null,
    handler.accounts.length ? condition(t("handlers.accounts"), codes(handler.accounts)) : null,
    handler.msgTypes.length ? condition(t("handlers.msgTypes"), codes(handler.msgTypes)) : null,
    handler.events.length ? condition(t("handlers.events"), codes(handler.events)) : null,
    handler.eventKeyPrefix !== null ? condition(t("handlers.eventKeyPrefix"), h("code", {}, handler.eventKeyPrefix)) : null,
    handler.eventKeyPattern !== null ? condition(t("handlers.eventKeyPattern"), h("code", {}, handler.eventKeyPattern)) : null,
    handler.contentPattern !== null ? condition(t("handlers.contentPattern"), h("code", {}, handler.contentPattern)) : null,
    handler.customMatch ? h("li", { class: "muted" }, t("handlers.customMatch")) : null,
  ].filter(Boolean);
  return h("ul", { class: "match-list" }, items.length ? items : h("li", { class: "muted" }, t("handlers.everything")));
}

/** Where it came from: built in, a plugin (by name), or a module of its own. */
function origin(item) {
  if (item.builtIn) return h("span", { class: "badge badge-disabled" }, t("handlers.builtIn"));
  if (item.plugin) return h("span", { class: "badge badge-ok", title: item.plugin, "data-data": "" }, item.plugin);
  return h("span", { class: "muted small" }, t("handlers.noPlugin"));
}

function failureBanner(failure) {
  return h("div", { class: "alert-banner plugin-failed", role: "alert", dataset: { plugin: failure.name } },
    h("strong", {}, t("handlers.failedBanner", { name: failure.name })),
    h("code", { class: "small" }, failure.error));
}

export default {
  id: "system-handlers",
  title: t("nav.handlers"),
  group: t("nav.groupSystem"),
  async render(root, ctx) {
    const body = h("div", { class: "handlers-report" });
    root.append(pageHead(t("nav.handlers"), { help: t("handlers.help"),
      actions: [h("button", { type: "button", onclick: () => load().catch(toastError) }, t("common.refresh"))] }), body);

    async function load() {
      const report = await api("GET", "system/handlers", undefined, { signal: ctx.signal });
      const { loaded, failed } = report.plugins;
      const plugins = [...failed.map((p) => ({ ...p, failed: true })), ...loaded];
      const counts = (name) => report.handlers.filter((item) => item.plugin === name).length;
      body.replaceChildren(
        ...failed.map(failureBanner),
        h("h2", {}, t("handlers.plugins")),
        table([
          { label: t("handlers.plugin"), render: (p) => h("strong", { "data-data": "" }, p.name) },
          { label: t("notifications.status"), render: (p) => h("span", { class: `badge ${p.failed ? "badge-failed" : "badge-ok"}` },
            p.failed ? t("handlers.failed") : t("handlers.loaded")) },
          { label: t("handlers.source"), render: (p) => (p.failed ? null : p.source === "config"
            ? [t("handlers.fromConfig"), " ", h("code", {}, "portal.handler-modules")] : t("handlers.fromEntryPoint")) },
          { label: t("handlers.module"), class: "wrap-anywhere", render: (p) => (p.module ? h("code", {}, p.module) : null) },
          { label: t("handlers.handlerCount"), class: "num", render: (p) => (p.failed ? null : String(counts(p.name))) },
          { label: t("system.error"), class: "wrap-anywhere", render: (p) => (p.error ? h("span", { class: "job-error" }, p.error) : null) },
        ], plugins, { empty: t("handlers.noPlugins") }),
        h("h2", {}, t("handlers.handlers")),
        h("p", { class: "muted" }, t("handlers.orderHelp")),
        table([
          { label: "#", key: "order", class: "num" },
          { label: t("handlers.handler"), render: (item) => h("div", {}, h("strong", { "data-data": "" }, item.name), item.fallback ? [" ", h("span", { class: "badge badge-queued" }, t("handlers.fallback"))] : null,
            h("div", { class: "muted small mono" }, item.module)) },
          { label: t("handlers.matches"), render: matchList },
          { label: t("handlers.priority"), key: "priority", class: "num" },
          { label: t("handlers.origin"), render: origin },
        ], report.handlers, { empty: t("handlers.noHandlers") }),
        h("div", { class: "grid" },
          h("div", {}, h("h2", {}, t("handlers.scenes")), table([
            { label: t("handlers.scenePrefix"), render: (s) => h("code", {}, s.prefix) },
            { label: t("handlers.handler"), render: (s) => h("div", {}, h("strong", { "data-data": "" }, s.name), h("div", { class: "muted small mono" }, s.module)) },
            { label: t("handlers.origin"), render: origin },
          ], report.scenes, { empty: t("handlers.noScenes") })),
          h("div", {}, h("h2", {}, t("handlers.followUps")), table([
            { label: t("handlers.followUp"), class: "nowrap", render: (f) => h("code", { class: "follow-up-name" }, f.name) },
            { label: t("handlers.function"), class: "wrap-anywhere", render: (f) => h("code", { class: "small" }, f.function) },
            { label: t("handlers.origin"), render: (f) => origin({ ...f, builtIn: false }) },
          ], report.followUps, { empty: t("handlers.noFollowUps") }))));
    }

    await load();
  },
};
