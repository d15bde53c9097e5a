// Menus: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "wechat-menus",
  title: "Menus",
  group: "WeChat",
  render(root) {
    root.append(pageHead("Menus"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
