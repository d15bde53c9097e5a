// A follower as WeChat last answered (GET /api/v1/wechat/followers...): shown by the Followers section and wherever
// a record names an openid (messages & events). WeChat gives no nicknames any more: the remark is the operator's.
import { api, fmtTime, h, t, toastError, watchJob } from "../app.js";
import { accountQuery } from "./account.js";

/** The tag chips of a follower (a tag WeChat no longer lists shows by its id). */
export function tagChips(tags) {
  return (tags || []).map((tag) => h("span", { class: "tag-chip", dataset: { tag: tag.id, data: "" } }, tag.name ?? `#${tag.id}`));
}

/** "following" / "not following" as a pill. */
export function followingBadge(follower) {
  return h("span", { class: `badge ${follower.subscribed ? "badge-ok" : "badge-disabled"}`, dataset: { subscribed: String(follower.subscribed) } },
    follower.subscribed ? t("followers.following") : t("followers.notFollowing"));
}

/** How they came: WeChat's ADD_SCENE_* word in the page's language, and the QR scene if any. */
export function sceneText(follower) {
  if (!follower.subscribeScene) return null;
  const key = `followers.scene.${follower.subscribeScene}`;
  const text = t(key);
  const scene = text === key ? follower.subscribeScene : text;
  return follower.qrScene ? [scene, " · ", h("span", { dataset: { data: "" } }, follower.qrScene)] : scene;
}

/** A short line for a table cell: remark, tags, and "not following" (also "following" with `always`). */
export function followerLine(follower, { always = false } = {}) {
  return h("span", { class: "follower-line", dataset: { openid: follower.openid } },
    follower.remark ? h("strong", { dataset: { data: "" } }, follower.remark) : null,
    tagChips(follower.tags), follower.subscribed && !always ? null : followingBadge(follower));
}

/** Every field, as `[label, value]` pairs for a `dl.kv`. */
export function followerFields(follower) {
  return [
    [t("followers.openid"), h("code", {}, follower.openid)],
    [t("followers.status"), followingBadge(follower)],
    [t("followers.remark"), follower.remark ? h("span", { dataset: { data: "" } }, follower.remark) : "—"],
    [t("followers.tags"), follower.tags?.length ? h("span", {}, tagChips(follower.tags)) : "—"],
    [t("followers.subscribedAt"), fmtTime(follower.subscribedAt)],
    [t("followers.scene"), sceneText(follower) || "—"],
    [t("followers.language"), follower.language || "—"],
    ["UnionID", follower.unionid ? h("code", {}, follower.unionid) : "—"],
    [t("followers.fetchedAt"), fmtTime(follower.fetchedAt)],
  ];
}

/**
 * A `dl.kv` of the follower, or (never fetched) a line saying so with a button that fetches them from WeChat.
 * `account`: the Official Account the openid is of (a record's `account`; omitted: the switcher's).
 */
export function followerPanel(openid, follower, { onFetched, account } = {}) {
  const query = account === undefined ? accountQuery() : account === "default" ? {} : { account };
  const panel = h("div", { class: "follower-panel", dataset: { openid } });
  const progress = h("div", { class: "progress-area" });
  async function fetchNow(button) {
    button.disabled = true;
    try {
      const { jobId } = await api("POST", "wechat/followers/fetch", { openids: [openid] }, { query });
      const job = await watchJob(jobId, { container: progress, label: t("followers.fetchJob") });
      if (job.status === "succeeded") {
        const fetched = await api("GET", `wechat/followers/${encodeURIComponent(openid)}`, undefined, { query });
        panel.replaceChildren(...followerPanel(openid, fetched, { onFetched, account }).childNodes);
        onFetched?.(fetched);
      }
    } finally {
      button.disabled = false;
    }
  }
  if (!follower) {
    const button = h("button", { type: "button", class: "small", onclick: (event) => fetchNow(event.currentTarget).catch(toastError) },
      t("followers.fetchOne"));
    panel.append(h("p", { class: "muted" }, t("followers.notFetched"), " ", button), progress);
    return panel;
  }
  panel.append(h("dl", { class: "kv" }, followerFields(follower).map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
    h("p", { class: "small" }, h("a", { href: `#/wechat-followers/${encodeURIComponent(openid)}${account ? `?account=${encodeURIComponent(account)}` : ""}` },
      t("followers.open"))));
  return panel;
}
