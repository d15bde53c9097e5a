package io.imbridge.client;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A notification request: where it goes (a channel and its robot, recipients, follower, chat or the inbound message
 * it answers) and the message in the platform's own shape, so the platform's docs still apply. Start with the
 * channel's factory, then pick the message type; any other message goes in as a map with {@link #message(Map)}.
 *
 * <pre>{@code
 * Notification.dingtalkRobot("ops").markdown("Deploy", "**crm** is live");
 * Notification.wecomApp(List.of("zhangsan")).textcard("Leave approved", "2 days", "https://oa.example/l/42");
 * Notification.dingtalkGroup("cidXXXX").text("部署完成");
 * Notification.wechatSubscribe("oOpenid", "ticket", Map.of("thing1", "打印机")).page("https://crm.example/t/1");
 * Notification.replyTo(inboundId).text("已为您办理退货");
 * }</pre>
 *
 * A message type the channel does not take is refused at once ({@link UnsupportedOperationException}); the rest
 * (limits, known robots, chats and templates) is the server's to check: its 422 names the field. A builder is
 * changed by its methods (not thread-safe): make one per notification.
 */
public final class Notification {
    /** A button of an action card: its title and the URL it opens. */
    public record Button(String title, String url) {}

    /** One link of a DingTalk robot feed card. */
    public record FeedLink(String title, String messageUrl, String picUrl) {}

    /** One choice of a WeChat customer-service menu: {@code id} comes back in the follower's tap. */
    public record MenuItem(String id, String content) {}

    private static final Set<String> ENTERPRISE_ROBOT = Set.of("sampleText", "sampleMarkdown", "sampleLink");
    private static final Set<String> WECOM_CHAT = Set.of("text", "markdown", "image", "voice", "video", "file",
            "textcard", "news", "mpnews");
    /** The message types each channel's builders make (what {@link #message(Map)} may send is the server's call). */
    private static final Map<String, Set<String>> MESSAGE_TYPES = Map.ofEntries(
            Map.entry("dingtalk_robot", Set.of("text", "markdown", "link", "actionCard", "feedCard")),
            Map.entry("wecom_robot", Set.of("text", "markdown", "markdown_v2", "image", "news", "file", "voice",
                    "template_card")),
            Map.entry("dingtalk_work", Set.of("text", "markdown", "image", "voice", "file", "link", "oa",
                    "action_card")),
            Map.entry("wecom_app", union(WECOM_CHAT, Set.of("template_card"))),
            Map.entry("wecom_appchat", WECOM_CHAT),
            Map.entry("wechat_custom", Set.of("text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu",
                    "miniprogrampage")),
            Map.entry("dingtalk_group", ENTERPRISE_ROBOT),
            Map.entry("dingtalk_robot_users", ENTERPRISE_ROBOT),
            Map.entry("wechat_template", Set.of()),
            Map.entry("wechat_subscribe", Set.of()),
            Map.entry("applet_subscribe", Set.of()));
    /** A reply's channel comes from the inbound message: WeChat or WeCom, whose text messages look alike. */
    private static final Set<String> REPLY_TYPES = Set.of("text");

    /** The channel; null for a reply (the server picks it from the inbound message). */
    private final String channel;
    private final Map<String, Object> target;
    private final Long replyTo;
    /** The WeChat follower of a customer-service message: the message's {@code touser}. */
    private final String touser;
    private final Map<String, Object> options = new LinkedHashMap<>();
    private Map<String, Object> message;
    private Map<String, Object> template;
    /** The code of the account that sends it; null: the default. */
    private String account;

    private Notification(String channel, Map<String, Object> target, Long replyTo, String touser) {
        this.channel = channel;
        this.target = target;
        this.replyTo = replyTo;
        this.touser = touser;
    }

    private static Notification to(String channel, Object... where) {
        Map<String, Object> target = map("channel", channel);
        target.putAll(map(where));
        return new Notification(channel, target, null, null);
    }

    // Where it goes

    /** A DingTalk group robot, by the code an operator gave it. */
    public static Notification dingtalkRobot(String robot) {
        return to("dingtalk_robot", "robot", robot);
    }

    /** A WeCom group robot, by the code an operator gave it. */
    public static Notification wecomRobot(String robot) {
        return to("wecom_robot", "robot", robot);
    }

    /** A DingTalk work notification to these user ids. */
    public static Notification dingtalkWork(List<String> users) {
        return dingtalkWork(Recipients.users(users));
    }

    /** A DingTalk work notification to users, departments or everyone. */
    public static Notification dingtalkWork(Recipients to) {
        return to("dingtalk_work", "to", to.json());
    }

    /** A WeCom app message to these user ids. */
    public static Notification wecomApp(List<String> users) {
        return wecomApp(Recipients.users(users));
    }

    /** A WeCom app message to users, departments, tags or everyone. */
    public static Notification wecomApp(Recipients to) {
        return to("wecom_app", "to", to.json());
    }

    /**
     * A WeChat template message to one follower (their openid): the template by the operator's code (or null and
     * {@link #templateId(String)}), its data by key, each value text or {@code {"value", "color"}}.
     */
    public static Notification wechatTemplate(String openid, String templateCode, Map<String, ?> data) {
        return to("wechat_template").message(withoutNulls(map("touser", openid, "template_code", templateCode,
                "data", data)));
    }

    /**
     * A WeChat customer-service message to one follower (their openid), within 48 hours of the follower's last
     * message to the account; then pick its type ({@link #text}, {@link #image}, {@link #news(Article)}, ...).
     */
    public static Notification wechatCustom(String openid) {
        return new Notification("wechat_custom", map("channel", "wechat_custom"), null, openid);
    }

    /**
     * An Official Account subscription message ({@code bizsend}) to a user who subscribed: the template by the
     * operator's code (or null and {@link #templateId(String)}), {@code data} filling exactly its keys with text.
     * Add {@link #page(String)} (a web link) or {@link #miniprogram(String, String)}.
     */
    public static Notification wechatSubscribe(String openid, String templateCode, Map<String, ?> data) {
        return to("wechat_subscribe").message(withoutNulls(map("touser", openid, "template_code", templateCode,
                "data", data)));
    }

    /**
     * A mini-program subscription message ({@code subscribe/send}) to a user who subscribed; add
     * {@link #page(String)}, {@link #state(String)}, {@link #lang(String)} as needed.
     */
    public static Notification appletSubscribe(String openid, String templateCode, Map<String, ?> data) {
        return to("applet_subscribe").message(withoutNulls(map("touser", openid, "template_code", templateCode,
                "data", data)));
    }

    /** The app's enterprise robot (DingTalk v1.0) to a group chat, by its {@code openConversationId}. */
    public static Notification dingtalkGroup(String openConversationId) {
        return to("dingtalk_group", "to", map("group", openConversationId));
    }

    /** The app's enterprise robot (DingTalk v1.0) to up to 20 members, by user id. */
    public static Notification dingtalkRobotUsers(List<String> users) {
        return to("dingtalk_robot_users", "to", map("users", List.copyOf(users)));
    }

    /** A WeCom app chat the app created ({@code POST /api/v1/wecom/appchats}), by its chat id. */
    public static Notification wecomAppchat(String chatId) {
        return to("wecom_appchat", "to", map("chat", chatId));
    }

    /**
     * An answer to an inbound message ({@code GET /api/v1/inbound}): a WeChat follower gets a customer-service
     * message, a WeCom member an app message; the channel and the recipient come from the inbound message.
     */
    public static Notification replyTo(long inboundId) {
        return new Notification(null, map(), inboundId, null);
    }

    // The message

    public Notification text(String content) {
        if (isEnterpriseRobot()) return sample("sampleText", map("content", content));
        return put("text", map("content", content));
    }

    /** Markdown; {@code title} is what DingTalk lists (WeCom has no title: it is left out there). */
    public Notification markdown(String title, String text) {
        if (isEnterpriseRobot()) return sample("sampleMarkdown", map("title", title, "text", text));
        return put("markdown", isDingTalk() ? map("title", title, "text", text) : map("content", text));
    }

    /** WeCom markdown (robot, app, app chat): the content alone. DingTalk's needs a title. */
    public Notification markdown(String content) {
        if (isDingTalk() || isEnterpriseRobot()) {
            throw new UnsupportedOperationException(channel + " markdown needs a title: markdown(title, text)");
        }
        return put("markdown", map("content", content));
    }

    /** A WeCom robot's markdown_v2 (tables, code blocks). */
    public Notification markdownV2(String content) {
        return put("markdown_v2", map("content", content));
    }

    /** A link card (DingTalk robot, work notification, enterprise robot); {@code picUrl} may be null on a robot. */
    public Notification link(String title, String text, String messageUrl, String picUrl) {
        Map<String, Object> link = withoutNulls(map("title", title, "text", text, "messageUrl", messageUrl,
                "picUrl", picUrl));
        return isEnterpriseRobot() ? sample("sampleLink", link) : put("link", link);
    }

    /** An action card with one button (DingTalk robot or work notification; {@code text} is markdown). */
    public Notification actionCard(String title, String text, Button single) {
        Map<String, Object> card = card(title, text, true);
        if ("dingtalk_work".equals(channel)) {
            card.put("single_title", single.title());
            card.put("single_url", single.url());
            return put("action_card", card);
        }
        card.put("singleTitle", single.title());
        card.put("singleURL", single.url());
        return put("actionCard", card);
    }

    /** An action card with several buttons, stacked ({@code vertical}) or side by side. */
    public Notification actionCard(String title, String text, List<Button> buttons, boolean vertical) {
        Map<String, Object> card = card(title, text, vertical);
        List<Object> list = new ArrayList<>();
        boolean work = "dingtalk_work".equals(channel);
        for (Button b : buttons) list.add(work ? map("title", b.title(), "action_url", b.url())
                : map("title", b.title(), "actionURL", b.url()));
        card.put(work ? "btn_json_list" : "btns", list);
        return put(work ? "action_card" : "actionCard", card);
    }

    private Map<String, Object> card(String title, String text, boolean vertical) {
        String orientation = vertical ? "0" : "1";
        return "dingtalk_work".equals(channel)
                ? map("title", title, "markdown", text, "btn_orientation", orientation)
                : map("title", title, "text", text, "btnOrientation", orientation);
    }

    /** A DingTalk robot feed card: several links with pictures. */
    public Notification feedCard(List<FeedLink> links) {
        List<Object> list = new ArrayList<>();
        for (FeedLink l : links) list.add(map("title", l.title(), "messageURL", l.messageUrl(), "picURL", l.picUrl()));
        return put("feedCard", map("links", list));
    }

    /** An image; a WeCom robot takes at most 2 MB, sent as base64 and MD5 of the bytes. */
    public Notification image(Media image) {
        if ("wecom_robot".equals(channel) && image.content() != null) {
            byte[] bytes = image.content();
            return put("image", map("base64", Base64.getEncoder().encodeToString(bytes), "md5", md5(bytes)));
        }
        return put("image", "wecom_robot".equals(channel) ? map("media", image.ref()) : image.body());
    }

    /** A voice message (WeCom robot, app, app chat, WeChat customer service); DingTalk's needs its duration. */
    public Notification voice(Media voice) {
        if ("dingtalk_work".equals(channel)) {
            throw new UnsupportedOperationException("a dingtalk_work voice needs its duration: voice(media, seconds)");
        }
        return put("voice", voice.body());
    }

    /** A DingTalk work notification's voice message, {@code durationSeconds} long. */
    public Notification voice(Media voice, int durationSeconds) {
        require(Set.of("dingtalk_work"), "voice(media, seconds)");
        Map<String, Object> body = voice.body();
        body.put("duration", String.valueOf(durationSeconds));
        return put("voice", body);
    }

    public Notification file(Media file) {
        return put("file", file.body());
    }

    /** A WeCom app or app-chat video; {@code title} and {@code description} may be null. */
    public Notification video(Media video, String title, String description) {
        if ("wechat_custom".equals(channel)) {
            throw new UnsupportedOperationException("a WeChat customer-service video needs a thumbnail: "
                    + "video(media, thumb, title, description)");
        }
        Map<String, Object> body = video.body();
        body.putAll(withoutNulls(map("title", title, "description", description)));
        return put("video", body);
    }

    /** A WeChat customer-service video with its thumbnail. */
    public Notification video(Media video, Media thumb, String title, String description) {
        Map<String, Object> body = video.body();
        body.putAll(thumb.thumb());
        body.putAll(withoutNulls(map("title", title, "description", description)));
        return put("video", body);
    }

    /** A WeChat customer-service music message; {@code title} and {@code description} may be null. */
    public Notification music(String musicUrl, String hqMusicUrl, Media thumb, String title, String description) {
        Map<String, Object> body = map("musicurl", musicUrl, "hqmusicurl", hqMusicUrl);
        body.putAll(thumb.thumb());
        body.putAll(withoutNulls(map("title", title, "description", description)));
        return put("music", body);
    }

    /** A WeCom app text card; {@code button} (its link's text, null for WeCom's default) may be null. */
    public Notification textcard(String title, String description, String url, String button) {
        return put("textcard", withoutNulls(map("title", title, "description", description, "url", url,
                "btntxt", button)));
    }

    /** A WeCom app text card. */
    public Notification textcard(String title, String description, String url) {
        return textcard(title, description, url, null);
    }

    /** News articles (WeCom robot, app, app chat); a WeChat customer-service message takes exactly one. */
    public Notification news(List<Article> articles) {
        if ("wechat_custom".equals(channel) && articles.size() != 1) {
            throw new IllegalArgumentException("a WeChat customer-service news message has exactly one article");
        }
        List<Object> list = new ArrayList<>();
        for (Article a : articles) list.add(a.json());
        return put("news", map("articles", list));
    }

    /** One news article (a WeChat customer-service news message). */
    public Notification news(Article article) {
        return news(List.of(article));
    }

    /** WeCom mpnews articles (app, app chat), stored by WeCom and shown in its own page. */
    public Notification mpnews(List<MpArticle> articles) {
        List<Object> list = new ArrayList<>();
        for (MpArticle a : articles) list.add(a.json());
        return put("mpnews", map("articles", list));
    }

    /** A WeChat customer-service mpnews: a published article by its {@code media_id}. */
    public Notification mpnews(String mediaId) {
        if (!"wechat_custom".equals(channel)) {
            throw new UnsupportedOperationException(channel + " mpnews are articles: mpnews(List<MpArticle>)");
        }
        return put("mpnews", map("media_id", mediaId));
    }

    /** A WeCom template card in WeCom's shape ({@code card_type} text_notice, news_notice, ...). */
    public Notification templateCard(Map<String, ?> card) {
        return put("template_card", new LinkedHashMap<>(card));
    }

    /** A DingTalk OA work notification: {@code head} and {@code body} in DingTalk's shape; the link may be null. */
    public Notification oa(Map<String, ?> head, Map<String, ?> body, String messageUrl) {
        return put("oa", withoutNulls(map("message_url", messageUrl, "head", head, "body", body)));
    }

    /** A WeChat customer-service menu the follower taps; {@code head} and {@code tail} may be null. */
    public Notification msgmenu(List<MenuItem> items, String head, String tail) {
        List<Object> list = new ArrayList<>();
        for (MenuItem item : items) list.add(map("id", item.id(), "content", item.content()));
        return put("msgmenu", withoutNulls(map("head_content", head, "list", list, "tail_content", tail)));
    }

    /** A WeChat customer-service mini-program card. */
    public Notification miniprogrampage(String title, String appid, String pagepath, Media thumb) {
        Map<String, Object> page = map("title", title, "appid", appid, "pagepath", pagepath);
        page.putAll(thumb.thumb());
        return put("miniprogrampage", page);
    }

    /** Any message the platform takes, in its own shape ({@code msgtype} and its object). */
    public Notification message(Map<String, ?> message) {
        this.message = new LinkedHashMap<>(message);
        return this;
    }

    // Options of the message

    /** Mention people in a DingTalk robot's text or markdown (call after it): by mobile, by user id, or all. */
    public Notification at(List<String> mobiles, List<String> userIds, boolean everyone) {
        require(Set.of("dingtalk_robot"), "at");
        String type = message == null ? null : String.valueOf(message.get("msgtype"));
        if (!"text".equals(type) && !"markdown".equals(type)) {
            throw new IllegalStateException("at(...) follows text(...) or markdown(...)");
        }
        Map<String, Object> at = map();
        if (!mobiles.isEmpty()) at.put("atMobiles", List.copyOf(mobiles));
        if (!userIds.isEmpty()) at.put("atUserIds", List.copyOf(userIds));
        if (everyone) at.put("isAtAll", true);
        if (!at.isEmpty()) message.put("at", at);
        return this;
    }

    /** Mention members in a WeCom robot's text (call after it): by user id ({@code @all} for all), by mobile. */
    @SuppressWarnings("unchecked")
    public Notification mention(List<String> userIds, List<String> mobiles) {
        require(Set.of("wecom_robot"), "mention");
        if (message == null || !"text".equals(message.get("msgtype"))) {
            throw new IllegalStateException("mention(...) follows text(...)");
        }
        Map<String, Object> text = new LinkedHashMap<>((Map<String, Object>) message.get("text"));
        if (!userIds.isEmpty()) text.put("mentioned_list", List.copyOf(userIds));
        if (!mobiles.isEmpty()) text.put("mentioned_mobile_list", List.copyOf(mobiles));
        message.put("text", text);
        return this;
    }

    /**
     * A WeCom send option ({@code safe}, {@code enable_id_trans}, {@code enable_duplicate_check},
     * {@code duplicate_check_interval}); an app chat takes {@code safe} only.
     */
    public Notification option(String name, int value) {
        require(Set.of("wecom_app", "wecom_appchat"), "option");
        if ("wecom_appchat".equals(channel) && !"safe".equals(name)) {
            throw new IllegalArgumentException("a WeCom app chat takes the safe option only, not " + name);
        }
        options.put(name, value);
        return this;
    }

    /** The platform's template id (WeChat's), instead of or besides the operator's template code. */
    public Notification templateId(String templateId) {
        return field(Set.of("wechat_template", "wechat_subscribe", "applet_subscribe"), "templateId", "template_id", templateId);
    }

    /** The web page a WeChat template message opens. */
    public Notification url(String url) {
        return field(Set.of("wechat_template"), "url", "url", url);
    }

    /** A mini-program page the message opens instead (template and Official Account subscription messages). */
    public Notification miniprogram(String appid, String pagepath) {
        return field(Set.of("wechat_template", "wechat_subscribe"), "miniprogram", "miniprogram",
                withoutNulls(map("appid", appid, "pagepath", pagepath)));
    }

    /** WeChat's de-duplication id of a template message. */
    public Notification clientMsgId(String clientMsgId) {
        return field(Set.of("wechat_template"), "clientMsgId", "client_msg_id", clientMsgId);
    }

    /** What a subscription message opens: a web link (Official Account) or a mini-program page. */
    public Notification page(String page) {
        return field(Set.of("wechat_subscribe", "applet_subscribe"), "page", "page", page);
    }

    /** The mini-program version a subscription message opens: {@code developer}, {@code trial} or {@code formal}. */
    public Notification state(String state) {
        return field(Set.of("applet_subscribe"), "state", "miniprogram_state", state);
    }

    /** The language of a mini-program subscription message: zh_CN, en_US, zh_HK or zh_TW. */
    public Notification lang(String lang) {
        return field(Set.of("applet_subscribe"), "lang", "lang", lang);
    }

    /** Fill the message's main text from the stored message template {@code code}. */
    public Notification template(String code, Map<String, ?> variables) {
        return template(code, variables, null);
    }

    /** Fill {@code field} (a dotted path in the message, e.g. {@code textcard.description}) from a template. */
    public Notification template(String code, Map<String, ?> variables, String field) {
        this.template = withoutNulls(map("code", code, "variables", variables, "field", field));
        return this;
    }

    /**
     * Send it through another account of the channel's platform (an Official Account, WeCom app, mini-program or
     * DingTalk app of {@code third.accounts} or added by an operator), by its code, instead of the default. An
     * account the server does not know is a 422 naming {@code account}; robots carry their own credentials and take
     * none, and a reply goes through the account that received the message.
     */
    public Notification account(String code) {
        if (replyTo != null) {
            throw new IllegalStateException("a reply goes through the account that received the message: "
                    + "leave the account out");
        }
        this.account = code;
        return this;
    }

    // The request

    /**
     * Where it goes, as a fan-out target: the channel and its robot or {@code to} (and its {@code account}), or
     * {@code replyTo}.
     */
    public Map<String, Object> target() {
        if (replyTo != null) return map("replyTo", replyTo);
        Map<String, Object> where = new LinkedHashMap<>(target);
        if (account != null) where.put("account", account);
        return where;
    }

    /** The REST body. */
    public Map<String, Object> toRequest() {
        Map<String, Object> request = target();
        Map<String, Object> body = message;
        if (body != null && (touser != null || !options.isEmpty())) {
            body = touser != null && !body.containsKey("touser") ? map("touser", touser) : map();
            body.putAll(message);
            body.putAll(options);
        }
        request.put("message", body);
        if (template != null) request.put("template", template);
        return request;
    }

    private boolean isDingTalk() {
        return channel != null && channel.startsWith("dingtalk") && !isEnterpriseRobot();
    }

    private boolean isEnterpriseRobot() {
        return "dingtalk_group".equals(channel) || "dingtalk_robot_users".equals(channel);
    }

    private String where() {
        return channel != null ? channel : "a reply";
    }

    /** The message {@code {"msgtype": type, type: body}}, once the channel is known to take that type. */
    private Notification put(String type, Map<String, Object> body) {
        Set<String> types = channel == null ? REPLY_TYPES : MESSAGE_TYPES.getOrDefault(channel, Set.of());
        if (!types.contains(type)) {
            throw new UnsupportedOperationException(where() + " takes no " + type + " message"
                    + (types.isEmpty() ? " (its message is made by its factory)" : "; it takes " + types));
        }
        return message(map("msgtype", type, type, body));
    }

    /** An enterprise robot's message: a template {@code msgKey} and its {@code msgParam}. */
    private Notification sample(String key, Map<String, Object> param) {
        return message(map("msgKey", key, "msgParam", param));
    }

    private void require(Set<String> channels, String what) {
        if (!channels.contains(channel)) {
            String method = what.contains("(") ? what : what + "(...)";
            throw new UnsupportedOperationException(method + " is for " + channels + ", not " + where());
        }
    }

    /** Set {@code key} of the message the factory made, on the channels that have it ({@code what} is the method). */
    private Notification field(Set<String> channels, String what, String key, Object value) {
        require(channels, what);
        message.put(key, value);
        return this;
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** A map of alternating keys and values, in order. */
    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) map.put((String) pairs[i], pairs[i + 1]);
        return map;
    }

    /** {@code values} without its null entries (optional fields left out rather than sent as null). */
    static Map<String, Object> withoutNulls(Map<String, Object> values) {
        Map<String, Object> kept = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) kept.put(k, v);
        });
        return kept;
    }
}
