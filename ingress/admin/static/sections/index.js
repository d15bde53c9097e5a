// The admin's sections, in navigation order. Each module: export default { id, title, group?, render(root, ctx) }.
import notifications from "./notifications.js";
import robots from "./robots.js";
import wechatTemplates from "./wechat-templates.js";
import wechatSubscribeTemplates from "./wechat-subscribe-templates.js";
import wechatMenus from "./wechat-menus.js";
import wechatMedia from "./wechat-media.js";
import wechatMass from "./wechat-mass.js";
import wechatArticles from "./wechat-articles.js";
import wechatFollowers from "./wechat-followers.js";
import inbound from "./inbound.js";
import webhooks from "./webhooks.js";
import system from "./system.js";
import systemHandlers from "./system-handlers.js";
import users from "./users.js";
import accounts from "./accounts.js";

export default [notifications, robots, wechatTemplates, wechatSubscribeTemplates, wechatMenus, wechatMedia, wechatMass, wechatArticles, wechatFollowers, inbound, webhooks, system, systemHandlers, users, accounts];
