// Users & bindings: the users who log in through WeChat (QR code, mini-program, website), WeCom or DingTalk, and the accounts
// bound to each; a bound WeChat openid shows as the follower WeChat describes (remark, tags, following).
import {
  api, badge, confirmDialog, fill, Form, h, modal, pagedTable, pageHead, t, table, toast, toastError, watchJob,
} from "../app.js";
import { followerLine } from "../wechat/followers.js";

const PLATFORMS = ["wechat", "wechat_applet", "wechat_open", "wecom", "dingtalk"];

/** What a binding is to: the Official Account (QR login), the mini-program, website sign-in, WeCom or DingTalk. */
const platformLabel = (name) => (PLATFORMS.includes(name) ? t(`users.platform.${name}`) : name);

function userDialog(existing, onSaved) {
  const form = new Form({
    fields: [
      { name: "username", label: t("users.username"), required: true, placeholder: "zhangsan", help: t("users.usernameHelp") },
      { name: "displayName", label: t("users.displayName"), placeholder: "张三", keepEmpty: Boolean(existing) },
      { name: "enabled", label: t("robots.enabled"), type: "checkbox", help: t("users.enabledHelp") },
    ],
    values: existing || { enabled: true },
    submitLabel: existing ? t("common.save") : t("common.create"),
    cancel: () => handle.close(),
    onSubmit: async (values) => {
      const saved = existing ? await api("PATCH", `users/${existing.id}`, values) : await api("POST", "users", values);
      toast(t("users.savedToast", { name: saved.username }), "success");
      handle.close();
      onSaved(saved);
    },
  });
  const handle = modal(existing ? t("users.editTitle", { name: existing.username }) : t("users.new"), form.element);
}

function listView(root, ctx) {
  let q = ctx.query.q || "";
  const list = pagedTable({
    limit: 25,
    load: async (page, limit) => ({ ...(await api("GET", "users", undefined,
      { query: { q, limit, offset: (page - 1) * limit }, signal: ctx.signal })), page }),
    empty: t("users.empty"),
    onRow: (user) => ctx.navigate(`users/${user.id}`),
    columns: [
      { label: "#", key: "id", class: "num" },
      { label: t("users.username"), render: (u) => h("a", { href: `#/users/${u.id}`, dataset: { data: "" } }, u.username) },
      { label: t("users.displayName"), render: (u) => (u.displayName ? h("span", { dataset: { data: "" } }, u.displayName) : null) },
      { label: t("robots.enabled"), render: (u) => badge(u.enabled ? "enabled" : "disabled") },
    ],
  });
  const search = h("input", { type: "search", name: "q", value: q, placeholder: t("users.search"), "aria-label": t("users.search") });
  const searchForm = h("form", { class: "row users-search", onsubmit: (event) => { event.preventDefault(); q = search.value.trim(); list.reload(1); } },
    search, h("button", { type: "submit" }, t("inbound.searchButton")));
  root.append(pageHead(t("nav.users"), { help: t("users.help"),
    actions: [h("button", { type: "button", class: "primary", id: "add-user",
      onclick: () => userDialog(null, (user) => ctx.navigate(`users/${user.id}`)) }, t("users.new"))] }),
  searchForm, list.element);
}

/** A binding's follower column: what WeChat said about the openid, or a button that asks it (a job). */
function followerCell(binding, reload) {
  if (binding.platform !== "wechat") return null;
  if (binding.follower) {
    return h("span", {}, followerLine(binding.follower, { always: true }), " ",
      h("a", { class: "small", href: `#/wechat-followers/${encodeURIComponent(binding.openid)}` }, t("users.followerData")));
  }
  const cell = h("div", {});
  const button = h("button", { type: "button", class: "small", onclick: async () => {
    button.disabled = true;
    try {
      const { jobId } = await api("POST", "wechat/followers/fetch", { openids: [binding.openid] });
      const job = await watchJob(jobId, { container: cell, label: t("followers.fetchJob") });
      if (job.status === "succeeded") reload();
    } catch (err) {
      toastError(err, t("followers.fetchJob"));
    } finally {
      button.disabled = false;
    }
  } }, t("followers.fetchOne"));
  cell.append(h("span", { class: "muted small" }, t("followers.notFetched")), " ", button);
  return cell;
}

async function detailView(root, ctx, id) {
  const bindings = h("div", { class: "user-bindings" });
  const facts = h("dl", { class: "kv card" });
  const heading = h("h1", {});
  let user;

  async function load() {
    user = await api("GET", `users/${encodeURIComponent(id)}`, undefined, { signal: ctx.signal });
    fill(heading, h("span", { dataset: { data: "" } }, user.displayName ? `${user.displayName} (${user.username})` : user.username));
    fill(facts, h("dt", {}, t("users.username")), h("dd", { dataset: { data: "" } }, user.username),
      h("dt", {}, t("users.displayName")), h("dd", { dataset: { data: "" } }, user.displayName || "—"),
      h("dt", {}, t("robots.enabled")), h("dd", {}, badge(user.enabled ? "enabled" : "disabled")));
    fill(bindings, table([
      { label: t("users.platform"), render: (b) => platformLabel(b.platform) },
      { label: t("users.account"), class: "wrap-anywhere", render: (b) => h("code", { class: "small" }, b.openid) },
      { label: t("users.appAccount"), render: (b) => h("code", { class: "small" }, b.account || "default") },
      { label: "UnionID", class: "wrap-anywhere", render: (b) => (b.unionid ? h("code", { class: "small" }, b.unionid) : null) },
      { label: t("followers.heading"), class: "binding-follower", render: (b) => followerCell(b, () => load().catch(toastError)) },
      { label: "", class: "actions-cell", render: (b) => h("button", { type: "button", class: "small danger", onclick: () => unbind(b) }, t("users.unbind")) },
    ], user.bindings, { empty: t("users.noBindings") }));
  }

  async function unbind(binding) {
    if (!(await confirmDialog(t("users.unbindAsk", { account: binding.openid, name: user.username }), { confirm: t("users.unbind") }))) return;
    try {
      await api("DELETE", `users/${user.id}/bindings/${binding.id}`);
      toast(t("users.unbound"), "success");
      await load();
    } catch (err) {
      toastError(err, t("users.unbind"));
    }
  }

  const bindForm = new Form({
    className: "filters-form",
    fields: [
      { name: "platform", label: t("users.platform"), type: "select", options: PLATFORMS.map((value) => ({ value, label: platformLabel(value) })) },
      { name: "openid", label: t("users.account"), required: true, placeholder: "oDemoFollower000000000000001", help: t("users.accountHelp") },
      { name: "unionid", label: "UnionID", help: t("users.unionidHelp") },
      { name: "account", label: t("users.appAccount"), placeholder: "default", help: t("users.appAccountHelp"),
        when: (v) => v.platform === "wechat" || v.platform === "wechat_applet" },
    ],
    submitLabel: t("users.bind"),
    onSubmit: async (values) => {
      await api("POST", `users/${user.id}/bindings`, values);
      bindForm.element.reset();
      toast(t("users.bound"), "success");
      await load();
    },
  });

  // The user is read before the page shows: its Edit and Bind act on it, and a click that came first would find none.
  await load();
  root.append(h("header", { class: "page-head" },
    h("div", {}, heading, h("p", { class: "muted" }, t("users.detailHelp"))),
    h("div", { class: "page-actions" },
      h("button", { type: "button", onclick: () => ctx.navigate("users") }, t("users.all")),
      h("button", { type: "button", onclick: () => userDialog(user, () => load().catch(toastError)) }, t("common.edit")))),
  facts, h("h2", {}, t("users.bindings")), bindings,
  h("div", { class: "card" }, h("h2", {}, t("users.bindHeading")), bindForm.element));
}

export default {
  id: "users",
  title: t("nav.users"),
  group: t("nav.groupSystem"),
  render(root, ctx) {
    return ctx.params[0] ? detailView(root, ctx, ctx.params[0]) : listView(root, ctx);
  },
};
