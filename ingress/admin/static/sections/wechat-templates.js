// Templates: a placeholder until its section is built.
import { h, pageHead } from "../app.js";

export default {
  id: "wechat-templates",
  title: "Templates",
  group: "WeChat",
  render(root) {
    root.append(pageHead("Templates"), h("p", { class: "card muted" }, "Not built yet."));
  },
};
