// The Official Account the WeChat sections work on: a switcher in their header, remembered for the tab.
// Sections pass `accountQuery()` with every call that acts for one account (`?account=`; the default: none).
import { api, h, t } from "../app.js";

const STORAGE = "imbridge.admin.wechatAccount";

/** The chosen account's code (`default` until another is chosen). */
export function currentAccount() {
  return sessionStorage.getItem(STORAGE) || "default";
}

/** The query of a call for the chosen account: `{ account }`, or nothing for the default. */
export function accountQuery(query = {}) {
  const account = currentAccount();
  return account === "default" ? query : { ...query, account };
}

/**
 * A <select> of the accounts of `platforms` (GET /api/v1/accounts; by default the Official Accounts), set to the
 * chosen one; choosing another remembers it and calls `onChange` (the section reloads). A chosen account that is
 * gone falls back to the default. A code that names an account on several of `platforms` is listed once.
 */
export function accountSwitcher(onChange, { signal, platforms = ["wechat"] } = {}) {
  const select = h("select", { class: "account-select", "aria-label": t("accounts.switch"),
    title: t("accounts.switch"), dataset: { account: currentAccount() } },
  h("option", { value: "default" }, t("accounts.default")));
  select.value = currentAccount();
  select.addEventListener("change", () => {
    if (select.value === "default") sessionStorage.removeItem(STORAGE);
    else sessionStorage.setItem(STORAGE, select.value);
    select.dataset.account = select.value;
    onChange(select.value);
  });
  const query = platforms.length === 1 ? { platform: platforms[0] } : {};
  api("GET", "accounts", undefined, { query, signal }).then(({ items }) => {
    const others = new Map();
    for (const a of items) {
      if (a.code !== "default" && platforms.includes(a.platform) && !others.has(a.code)) others.set(a.code, a);
    }
    select.append(...[...others.values()].map((a) =>
      h("option", { value: a.code }, a.name ? `${a.code} · ${a.name}` : a.code)));
    if (![...select.options].some((o) => o.value === currentAccount())) {
      sessionStorage.removeItem(STORAGE);
      onChange("default");
    }
    select.value = currentAccount();
    select.dataset.ready = "true";
  }).catch((err) => {
    if (err?.name !== "AbortError") select.title = `${t("accounts.switch")}: ${err.message}`;
  });
  return h("label", { class: "account-switcher" }, h("span", { class: "muted small" }, t("accounts.label")), select);
}

/** Make `code` the chosen account (a link that names its account, e.g. a message's sender, opens on it). */
export function chooseAccount(code) {
  if (!code || code === "default") sessionStorage.removeItem(STORAGE);
  else sessionStorage.setItem(STORAGE, code);
}
