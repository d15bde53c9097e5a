// Media: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "wechat-media",
  title: "Media",
  group: "WeChat",
  render(root) {
    root.append(pageHead("Media"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
