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
 * A <select> of the Official Accounts (GET /api/v1/accounts?platform=wechat), set to the chosen one; choosing
 * another remembers it and calls `onChange` (the section reloads). A chosen account that is gone falls back to
 * the default.
 */
export function accountSwitcher(onChange, { signal } = {}) {
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
  api("GET", "accounts", undefined, { query: { platform: "wechat" }, signal }).then(({ items }) => {
    const others = items.filter((a) => a.code !== "default");
    select.append(...others.map((a) => h("option", { value: a.code }, a.name ? `${a.code} · ${a.name}` : a.code)));
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
