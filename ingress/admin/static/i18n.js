// The page's language: 简体中文 or English, every visible text looked up by key in i18n/<locale>.json.
//
// Chosen once per load: the operator's earlier choice (localStorage), else the first of the browser's languages
// that we have (zh* -> zh-CN, en* -> en), else English. Switching stores the choice and reloads the page, so
// every section renders again in the new language (the API key lives in sessionStorage and survives).
// tests/admin/test_i18n_catalogues.py checks both catalogues have the same keys and placeholders.

export const LOCALES = { "zh-CN": "简体中文", en: "English" };
const STORAGE = "imbridge.locale";

/** The locale for `preferred` (a stored choice, then the browser's languages in order); "en" when none fits. */
export function pickLocale(stored, languages) {
  if (stored && stored in LOCALES) return stored;
  for (const tag of languages || []) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

function storedChoice() {
  try { return localStorage.getItem(STORAGE); } catch { return null; }
}

export const locale = pickLocale(storedChoice(), navigator.languages?.length ? navigator.languages : [navigator.language]);

async function loadCatalogue(name) {
  const response = await fetch(new URL(`./i18n/${name}.json`, import.meta.url));
  if (!response.ok) throw new Error(`catalogue ${name}: HTTP ${response.status}`);
  return response.json();
}

// English is the fallback for a key the chosen catalogue lacks (the test keeps that from happening).
const [english, chosen] = await Promise.all([loadCatalogue("en"), locale === "en" ? null : loadCatalogue(locale)]);
const catalogue = chosen || english;

/** The text for `key` with `{name}` placeholders filled from `params`; the key itself when unknown. */
export function t(key, params = {}) {
  const template = catalogue[key] ?? english[key];
  if (template === undefined) {
    console.warn(`i18n: no text for ${key}`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Store the operator's choice and show the page again in it. */
export function switchLocale(next) {
  if (!(next in LOCALES) || next === locale) return;
  try { localStorage.setItem(STORAGE, next); } catch { /* private mode: this load only */ }
  location.reload();
}

/** A <select> of the page's languages, set to the current one; changing it switches. */
export function localeSelect(h) {
  return h("select", { class: "locale-select", "aria-label": t("shell.language"), dataset: { locale },
    onchange: (event) => switchLocale(event.target.value) },
  Object.entries(LOCALES).map(([value, label]) => h("option", { value, selected: value === locale, lang: value }, label)));
}

/** Fill the static page's elements marked data-i18n (text), data-i18n-placeholder, data-i18n-title. */
export function translateDocument(root = document) {
  document.documentElement.lang = locale;
  document.title = `imbridge ${t("shell.admin")}`;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  for (const element of root.querySelectorAll("[data-i18n-aria-label]")) element.setAttribute("aria-label", t(element.dataset.i18nAriaLabel));
}

const pad = (n) => String(n).padStart(2, "0");
const DATE_TIME = new Intl.DateTimeFormat(locale === "zh-CN" ? "zh-CN" : "en", {
  year: "numeric", month: locale === "zh-CN" ? "2-digit" : "short", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const TIME = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const HOUR_MINUTE = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A date and time in the locale's way, 24-hour: zh-CN "2026-11-28 13:20:55", en "Nov 28, 2026, 13:20:55". */
export function formatDateTime(date) {
  if (locale !== "zh-CN") return DATE_TIME.format(date);
  const part = Object.fromEntries(DATE_TIME.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.year}-${pad(part.month)}-${pad(part.day)} ${part.hour}:${part.minute}:${part.second}`;
}

/** A time of day, 24-hour ("13:20:55"). */
export function formatTime(date) {
  return TIME.format(date);
}

/** Hours and minutes, 24-hour ("13:20"), for chart axes. */
export function formatHourMinute(date) {
  return HOUR_MINUTE.format(date);
}

/** A count in the locale's digits grouping. */
export function formatNumber(value) {
  return new Intl.NumberFormat(locale).format(value);
}
