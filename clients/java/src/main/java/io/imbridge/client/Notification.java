package io.imbridge.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A notification request: where it goes ({@code channel} plus {@code robot} or {@code to}) and the message in the
 * platform's own shape. The common messages have builders; any other goes in as a map with {@link #message(Map)}.
 *
 * <pre>{@code
 * Notification.dingtalkRobot("ops").markdown("Deploy", "**crm** is live");
 * Notification.wecomApp(List.of("zhangsan")).textcard("Leave approved", "2 days", "https://oa.example/l/42");
 * }</pre>
 */
public final class Notification {
    private final Map<String, Object> target;
    private Map<String, Object> message;
    private Map<String, Object> template;

    private Notification(Map<String, Object> target) {
        this.target = target;
    }

    public static Notification dingtalkRobot(String robot) {
        return new Notification(map("channel", "dingtalk_robot", "robot", robot));
    }

    public static Notification wecomRobot(String robot) {
        return new Notification(map("channel", "wecom_robot", "robot", robot));
    }

    /** A DingTalk work notification to these user ids. */
    public static Notification dingtalkWork(List<String> users) {
        return new Notification(map("channel", "dingtalk_work", "to", map("users", users)));
    }

    /** A WeCom app message to these user ids. */
    public static Notification wecomApp(List<String> users) {
        return new Notification(map("channel", "wecom_app", "to", map("users", users)));
    }

    /** A WeChat template message to one follower: the template by the operator's code, its data by key. */
    public static Notification wechatTemplate(String openid, String templateCode, Map<String, ?> data) {
        Notification n = new Notification(map("channel", "wechat_template"));
        return n.message(map("touser", openid, "template_code", templateCode, "data", data));
    }

    public Notification text(String content) {
        return message(map("msgtype", "text", "text", map("content", content)));
    }

    /** Markdown; {@code title} is what DingTalk lists (WeCom has no title: it is left out there). */
    public Notification markdown(String title, String text) {
        String channel = (String) target.get("channel");
        Map<String, Object> body = channel.startsWith("dingtalk") ? map("title", title, "text", text)
                : map("content", text);
        return message(map("msgtype", "markdown", "markdown", body));
    }

    /** A WeCom app text card. */
    public Notification textcard(String title, String description, String url) {
        return message(map("msgtype", "textcard", "textcard",
                map("title", title, "description", description, "url", url)));
    }

    /** Any message the platform takes, in its own shape ({@code msgtype} and its object). */
    public Notification message(Map<String, ?> message) {
        this.message = new LinkedHashMap<>(message);
        return this;
    }

    /** Fill the message's text from the stored message template {@code code}. */
    public Notification template(String code, Map<String, ?> variables) {
        this.template = map("code", code, "variables", variables);
        return this;
    }

    /** Where it goes, as a fan-out target. */
    public Map<String, Object> target() {
        return new LinkedHashMap<>(target);
    }

    /** The REST body. */
    public Map<String, Object> toRequest() {
        Map<String, Object> request = target();
        request.put("message", message);
        if (template != null) request.put("template", template);
        return request;
    }

    /** A map of alternating keys and values, in order. */
    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) map.put((String) pairs[i], pairs[i + 1]);
        return map;
    }
}
