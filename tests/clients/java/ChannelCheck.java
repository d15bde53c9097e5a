import com.sun.net.httpserver.HttpServer;
import io.imbridge.client.Article;
import io.imbridge.client.Callbacks;
import io.imbridge.client.ImbridgeClient;
import io.imbridge.client.ImbridgeClient.Accepted;
import io.imbridge.client.ImbridgeException;
import io.imbridge.client.Json;
import io.imbridge.client.Media;
import io.imbridge.client.MpArticle;
import io.imbridge.client.Notification;
import io.imbridge.client.Notification.Button;
import io.imbridge.client.Notification.FeedLink;
import io.imbridge.client.Notification.MenuItem;
import io.imbridge.client.Recipients;
import io.imbridge.client.WaitTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives every builder of the Java client against a running imbridge and its sandbox: URL and notify key as
 * arguments, the fixtures the operator set up (inbound message ids, a chat, template codes) as JSON on stdin.
 * Prints what it saw as JSON, one entry per section; a section that throws reports the exception instead.
 */
public class ChannelCheck {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final byte[] PNG = HexFormat.of().parseHex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            + "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082");
    static final Media IMAGE = Media.of(PNG, "dot.png", "image/png");
    /** WeChat takes JPEG thumbnails only. */
    static final Media THUMB = Media.of(HexFormat.of().parseHex("ffd8ffe000104a46494600010100000100010000ffd9"),
            "thumb.jpg", "image/jpeg");
    static final Media PDF = Media.of("%PDF-1.4\n% a report\n".getBytes(StandardCharsets.US_ASCII), "report.pdf",
            "application/pdf");
    static final Media AMR = Media.of(concat("#!AMR\n".getBytes(StandardCharsets.US_ASCII), new byte[32]),
            "note.amr", "audio/amr");
    static final Media MP4 = Media.of(concat(HexFormat.of().parseHex("00000018667479706d703432"), new byte[16]),
            "clip.mp4", "video/mp4");
    static final Map<String, Object> TEXT_NOTICE = Map.of("card_type", "text_notice",
            "main_title", Map.of("title", "Alert"), "card_action", Map.of("type", 1, "url", "https://example.com"));

    final ImbridgeClient imbridge;
    final Map<String, Object> fixtures;
    final Map<String, Object> seen = new LinkedHashMap<>();

    ChannelCheck(ImbridgeClient imbridge, Map<String, Object> fixtures) {
        this.imbridge = imbridge;
        this.fixtures = fixtures;
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws IOException {
        Map<String, Object> fixtures = (Map<String, Object>) Json.read(
                new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        ChannelCheck check = new ChannelCheck(new ImbridgeClient(args[0], args[1]), fixtures);
        check.section("waitTimeout", check::waitTimeout);  // first: the sandbox holds the first WeCom app send
        check.section("newChannels", check::newChannels);
        check.section("customerService", check::customerService);
        check.section("messageTypes", check::messageTypes);
        check.section("replies", check::replies);
        check.section("fanOut", check::fanOut);
        check.section("statusBar", check::statusBar);
        check.section("recall", check::recall);
        check.section("callbacks", check::callbacks);
        check.section("refusedByTheClient", check::refusedByTheClient);
        check.section("refusedByTheServer", check::refusedByTheServer);
        check.section("retries", () -> retries());
        System.out.println(Json.write(check.seen));
    }

    void section(String name, Supplier<Object> run) {
        try {
            seen.put(name, run.get());
        } catch (ImbridgeException e) {
            seen.put(name, "threw " + e + " " + e.details());
        } catch (RuntimeException e) {
            seen.put(name, "threw " + e);
        }
    }

    String fixture(String name) {
        return String.valueOf(fixtures.get(name));
    }

    /** label -> final status, every notification sent in one batch and waited for. */
    Map<String, Object> sendAll(Map<String, Notification> notifications) {
        List<Accepted> accepted = imbridge.sendBatch(new ArrayList<>(notifications.values()));
        Map<String, Object> outcomes = new LinkedHashMap<>();
        int i = 0;
        for (String label : notifications.keySet()) {
            Map<String, Object> record = imbridge.waitFor(accepted.get(i++).id(), WAIT);
            Object status = record.get("status");
            outcomes.put(label, "sent".equals(status) ? status : status + ": " + record.get("lastError"));
        }
        return outcomes;
    }

    Object waitTimeout() {
        Accepted accepted = imbridge.send(Notification.wecomApp(List.of("zhangsan")).text("slow"));
        Map<String, Object> seenHere = new LinkedHashMap<>();
        try {
            imbridge.waitFor(accepted.id(), Duration.ofMillis(500));
            seenHere.put("timedOut", false);
        } catch (WaitTimeoutException e) {
            seenHere.put("timedOut", accepted.id().equals(e.last().get("id")));
            seenHere.put("lastStatus", e.last().get("status"));
        }
        seenHere.put("finally", imbridge.waitFor(accepted.id(), WAIT).get("status"));
        return seenHere;
    }

    Object newChannels() {
        Map<String, Notification> n = new LinkedHashMap<>();
        Map<String, Object> login = Map.of("first", "您的账号刚刚登录", "keyword1", Map.of("value", "admin",
                "color", "#173177"), "keyword2", "2024-05-01 10:00", "remark", "如非本人操作请修改密码");
        n.put("wechatTemplate", Notification.wechatTemplate("oJavaTemplate01", fixture("login"), login)
                .url("https://example.com/login").miniprogram("wxjavaapp", "pages/index")
                .clientMsgId("java-login-1001"));
        n.put("wechatTemplate.byId", Notification.wechatTemplate("oJavaTemplate02", null, login)
                .templateId(fixture("loginId")));
        n.put("wechatSubscribe", Notification.wechatSubscribe("oJavaSubscriber01", fixture("ticket"), Map.of(
                "thing1", "打印机故障", "phrase2", "已完成", "time3", "2024-05-01 10:00"))
                .miniprogram("wxjavaapp", "pages/ticket"));
        n.put("appletSubscribe", Notification.appletSubscribe("oJavaApplet01", fixture("order"), Map.of(
                "character_string1", "20240501001", "amount2", "¥99.00", "thing3", "年度会员",
                "date4", "2024年5月1日 10:00")).page("pages/order?id=1").state("trial").lang("zh_CN"));
        n.put("dingtalkGroup.text", Notification.dingtalkGroup("cidJavaGroup01").text("部署完成 / deploy done"));
        n.put("dingtalkGroup.markdown", Notification.dingtalkGroup("cidJavaGroup01").markdown("发布", "**v2** 已上线"));
        n.put("dingtalkGroup.link", Notification.dingtalkGroup("cidJavaGroup01").link("Report", "weekly",
                "https://example.com/r", "https://example.com/p.png"));
        List<String> members = List.of("manager01", "user02");
        n.put("dingtalkRobotUsers.text", Notification.dingtalkRobotUsers(members).text("请审批"));
        n.put("dingtalkRobotUsers.markdown", Notification.dingtalkRobotUsers(members).markdown("审批", "**请假** 2 天"));
        n.put("dingtalkRobotUsers.link", Notification.dingtalkRobotUsers(members).link("Report", "weekly",
                "https://example.com/r", "https://example.com/p.png"));
        String chat = fixture("chat");
        n.put("wecomAppchat.text", Notification.wecomAppchat(chat).option("safe", 0).text("值班交接"));
        n.put("wecomAppchat.markdown", Notification.wecomAppchat(chat).markdown("**值班** 交接"));
        n.put("wecomAppchat.textcard", Notification.wecomAppchat(chat).textcard("Leave", "2 days",
                "https://example.com/l", "More"));
        n.put("wecomAppchat.image", Notification.wecomAppchat(chat).image(IMAGE));
        n.put("wecomAppchat.file", Notification.wecomAppchat(chat).file(PDF));
        n.put("wecomAppchat.voice", Notification.wecomAppchat(chat).voice(AMR));
        n.put("wecomAppchat.video", Notification.wecomAppchat(chat).video(MP4, "Clip", null));
        n.put("wecomAppchat.news", Notification.wecomAppchat(chat).news(List.of(
                new Article("Story", "https://example.com/s", "desc", null))));
        n.put("wecomAppchat.mpnews", Notification.wecomAppchat(chat).mpnews(List.of(
                new MpArticle("Notice", "<p>body</p>", IMAGE, "ops", null, null))));
        return sendAll(n);
    }

    Object customerService() {
        String follower = fixture("follower");
        Map<String, Notification> n = new LinkedHashMap<>();
        n.put("text", Notification.wechatCustom(follower).text("您好，订单已发货"));
        n.put("image", Notification.wechatCustom(follower).image(IMAGE));
        n.put("voice", Notification.wechatCustom(follower).voice(AMR));
        n.put("video", Notification.wechatCustom(follower).video(MP4, THUMB, "Clip", "a short clip"));
        n.put("music", Notification.wechatCustom(follower).music("https://example.com/m.mp3",
                "https://example.com/m-hq.mp3", THUMB, "Song", null));
        n.put("news", Notification.wechatCustom(follower).news(Article.of("Shipped", "https://example.com/o/1")));
        n.put("msgmenu", Notification.wechatCustom(follower).msgmenu(List.of(new MenuItem("101", "满意"),
                new MenuItem("102", "不满意")), "这次服务如何？", null));
        n.put("miniprogrampage", Notification.wechatCustom(follower).miniprogrampage("Order", "wxjavaapp",
                "pages/order?id=1", THUMB));
        return sendAll(n);
    }

    /** The message types of the first channels that the Java client lacked until now. */
    Object messageTypes() {
        Map<String, Notification> n = new LinkedHashMap<>();
        n.put("dingtalkRobot.textAt", Notification.dingtalkRobot("demo-dingtalk").text("CPU 91%")
                .at(List.of("13800000000"), List.of(), false));
        n.put("dingtalkRobot.link", Notification.dingtalkRobot("demo-dingtalk").link("Report", "weekly numbers",
                "https://example.com/r", null));
        n.put("dingtalkRobot.actionCard", Notification.dingtalkRobot("demo-dingtalk").actionCard("Approve",
                "leave request", new Button("Open", "https://example.com/a")));
        n.put("dingtalkRobot.actionCardButtons", Notification.dingtalkRobot("demo-dingtalk").actionCard("Vote",
                "lunch", List.of(new Button("Noodles", "https://e.com/1"), new Button("Rice", "https://e.com/2")),
                false));
        n.put("dingtalkRobot.feedCard", Notification.dingtalkRobot("demo-dingtalk").feedCard(List.of(
                new FeedLink("Story", "https://example.com/s", "https://example.com/s.png"))));
        Supplier<Notification> wecom = () -> Notification.wecomRobot("demo-wecom");
        n.put("wecomRobot.textMention", wecom.get().text("hello").mention(List.of("zhangsan"), List.of()));
        n.put("wecomRobot.markdown", wecom.get().markdown("**bold**"));
        n.put("wecomRobot.markdownV2", wecom.get().markdownV2("# v2"));
        n.put("wecomRobot.image", wecom.get().image(IMAGE));
        n.put("wecomRobot.news", wecom.get().news(List.of(Article.of("Story", "https://example.com/s"))));
        n.put("wecomRobot.file", wecom.get().file(PDF));
        n.put("wecomRobot.voice", wecom.get().voice(AMR));
        n.put("wecomRobot.templateCard", wecom.get().templateCard(TEXT_NOTICE));
        Supplier<Notification> work = () -> Notification.dingtalkWork(Recipients.users("manager01"));
        n.put("dingtalkWork.image", work.get().image(IMAGE));
        n.put("dingtalkWork.file", work.get().file(PDF));
        n.put("dingtalkWork.voice", work.get().voice(AMR, 3));
        n.put("dingtalkWork.link", work.get().link("Report", "weekly", "https://example.com/r",
                "https://example.com/p.png"));
        n.put("dingtalkWork.oa", work.get().oa(Map.of("text", "OA", "bgcolor", "FFBBBBBB"),
                Map.of("content", "approve"), "https://example.com"));
        n.put("dingtalkWork.actionCard", work.get().actionCard("Approve", "**leave**",
                new Button("Open", "https://example.com/a")));
        n.put("dingtalkWork.departments", Notification.dingtalkWork(Recipients.users("manager01").departments("2"))
                .text("部门通知"));
        Supplier<Notification> app = () -> Notification.wecomApp(Recipients.users("zhangsan")).option("safe", 0);
        n.put("wecomApp.markdown", app.get().markdown("**hi**"));
        n.put("wecomApp.image", app.get().image(IMAGE));
        n.put("wecomApp.file", app.get().file(PDF));
        n.put("wecomApp.voice", app.get().voice(AMR));
        n.put("wecomApp.video", app.get().video(MP4, "Clip", "a clip"));
        n.put("wecomApp.textcardButton", app.get().textcard("Leave approved", "2 days", "https://example.com/l",
                "More"));
        n.put("wecomApp.news", app.get().news(List.of(new Article("Story", "https://example.com/s", "desc", null))));
        n.put("wecomApp.mpnews", app.get().mpnews(List.of(MpArticle.of("Notice", "<p>body</p>", IMAGE))));
        n.put("wecomApp.templateCard", app.get().templateCard(TEXT_NOTICE));
        return sendAll(n);
    }

    Object replies() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String platform : List.of("wechat", "wecom")) {
            long inbound = Long.parseLong(fixture(platform + "Inbound"));
            Accepted accepted = imbridge.send(Notification.replyTo(inbound).text("已为您办理 / done"));
            Map<String, Object> record = imbridge.waitFor(accepted.id(), WAIT);
            out.put(platform, Map.of("channel", record.get("channel"), "status", record.get("status"),
                    "target", record.get("target")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    Object fanOut() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> group = imbridge.sendGroup(List.of(Notification.dingtalkGroup("cidJavaGroup01"),
                        Notification.wecomAppchat(fixture("chat")),
                        Notification.wechatCustom(fixture("follower")).text("your own words, follower")),
                Map.of("format", "markdown", "title", "Deploy", "text", "**crm** is live"), null);
        Map<String, Object> done = imbridge.waitForGroup((String) group.get("id"), WAIT);
        List<Object> channels = new ArrayList<>();
        for (Object n : (List<Object>) done.get("notifications")) channels.add(((Map<String, Object>) n).get("channel"));
        out.put("group", done.get("status"));
        out.put("channels", channels);
        Map<String, Object> templated = imbridge.sendGroup(List.of(Notification.dingtalkRobotUsers(List.of("u1"))),
                Map.of("format", "text"), fixture("messageTemplate"), Map.of("app", "crm"), "java-release-8");
        Map<String, Object> finished = imbridge.waitForGroup((String) templated.get("id"), WAIT);
        String first = (String) ((Map<String, Object>) ((List<Object>) finished.get("notifications")).get(0)).get("id");
        out.put("templated", finished.get("status"));
        out.put("templatedMessage", imbridge.get(first).get("message"));
        Map<String, Object> again = imbridge.sendGroup(List.of(Notification.dingtalkRobotUsers(List.of("u1"))),
                Map.of("format", "text"), fixture("messageTemplate"), Map.of("app", "crm"), "java-release-8");
        out.put("sameGroupAgain", again.get("id").equals(templated.get("id")));
        return out;
    }

    @SuppressWarnings("unchecked")
    Object statusBar() {
        Map<String, Object> out = new LinkedHashMap<>();
        Accepted oa = imbridge.send(Notification.dingtalkWork(List.of("manager01")).oa(
                Map.of("bgcolor", "FFBBBBBB", "text", "审批"),
                Map.of("title", "请假", "form", List.of(Map.of("key", "姓名:", "value", "张三"))), "https://x/oa"));
        out.put("sent", imbridge.waitFor(oa.id(), WAIT).get("status"));
        out.put("answer", imbridge.statusBar(oa.id(), "已同意", "#78C06E").get("status"));
        Map<String, Object> record = until(() -> imbridge.get(oa.id()),
                r -> outcomes(r).contains("status_set") || outcomes(r).contains("status_failed"));
        out.put("history", outcomes(record));
        out.put("shown", ((Map<String, Object>) ((Map<String, Object>) record.get("answer")).get("statusBar"))
                .get("value"));
        Accepted text = imbridge.send(Notification.dingtalkWork(List.of("manager01")).text("no bar here"));
        imbridge.waitFor(text.id(), WAIT);
        out.put("onText", refusal(() -> imbridge.statusBar(text.id(), "已同意", null)));
        out.put("tooLong", refusal(() -> imbridge.statusBar(oa.id(), "x".repeat(21), null)));
        out.put("badColor", refusal(() -> imbridge.statusBar(oa.id(), "ok", "green")));
        return out;
    }

    Object recall() {
        Accepted sent = imbridge.send(Notification.dingtalkWork(List.of("manager01")).text("sent by mistake"));
        imbridge.waitFor(sent.id(), WAIT);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("answer", imbridge.recall(sent.id()).get("recallStatus"));
        out.put("finally", until(() -> imbridge.get(sent.id()),
                r -> !"requested".equals(r.get("recallStatus"))).get("recallStatus"));
        Accepted robot = imbridge.send(Notification.dingtalkRobot("demo-dingtalk").text("not recallable"));
        imbridge.waitFor(robot.id(), WAIT);
        out.put("robot", refusal(() -> imbridge.recall(robot.id())));
        return out;
    }

    Object callbacks() {
        LinkedBlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/outcomes", exchange -> {
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            received.add(Map.of("headers", headers, "body", exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/outcomes";
            Map<String, Object> callback = imbridge.subscribeOutcomes("java-crm", url, List.of("sent"), null);
            long id = ((Number) callback.get("id")).longValue();
            String secret = (String) callback.get("secret");
            try {
                out.putAll(outcomeCallback(id, secret, received));
            } finally {
                imbridge.unsubscribe(id);  // the suite's other tests expect this key to have no subscriptions
            }
            out.put("afterUnsubscribe", imbridge.callbacks().stream()
                    .anyMatch(c -> ((Number) c.get("id")).longValue() == id));
        } finally {
            server.stop(0);
        }
        return out;
    }

    /** Subscribed: the callback of a notification sent now arrives, checks out, and a forged one does not. */
    Map<String, Object> outcomeCallback(long id, String secret, LinkedBlockingQueue<Map<String, Object>> received) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            out.put("listed", imbridge.callbacks().stream().anyMatch(c -> ((Number) c.get("id")).longValue() == id));
            Accepted accepted = imbridge.send(Notification.dingtalkRobot("demo-dingtalk").text("tell me"));
            Map<String, Object> outcome = null;
            Map<String, String> headers = null;
            byte[] body = null;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (outcome == null && Instant.now().isBefore(deadline)) {
                Map<String, Object> got = received.poll(1, TimeUnit.SECONDS);
                if (got == null) continue;
                @SuppressWarnings("unchecked")
                Map<String, String> h = (Map<String, String>) got.get("headers");
                byte[] b = (byte[]) got.get("body");
                Map<String, Object> verified = Callbacks.verify(secret, h, b);
                if (accepted.id().equals(verified.get("id"))) {
                    outcome = verified;
                    headers = h;
                    body = b;
                }
            }
            out.put("outcome", outcome == null ? "none" : outcome.get("status"));
            if (headers != null) {
                byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("sent", "dead")
                        .getBytes(StandardCharsets.UTF_8);
                out.put("tampered", refusedSignature(secret, headers, tampered, Instant.now()));
                long stamp = Long.parseLong(headers.get("webhook-timestamp"));
                out.put("late", refusedSignature(secret, headers, body, Instant.ofEpochSecond(stamp + 3600)));
                out.put("otherSecret", refusedSignature("whsec_" + "A".repeat(44), headers, body, Instant.now()));
                out.put("standardSecret", Callbacks.verify(Callbacks.standardSecret(secret), headers, body)
                        .get("status"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    static String refusedSignature(String secret, Map<String, String> headers, byte[] body, Instant now) {
        try {
            Callbacks.verify(secret, headers, body, now, Callbacks.TOLERANCE_SECONDS);
            return "accepted";
        } catch (SecurityException e) {
            return "refused";
        }
    }

    /** Misuse the client catches before anything is sent: label -> the exception's simple class name. */
    Object refusedByTheClient() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("appchatTemplateCard", thrown(() -> Notification.wecomAppchat("chat1").templateCard(TEXT_NOTICE)));
        out.put("appchatOption", thrown(() -> Notification.wecomAppchat("chat1").option("enable_id_trans", 1)));
        out.put("workVoiceWithoutDuration", thrown(() -> Notification.dingtalkWork(List.of("u")).voice(AMR)));
        out.put("customMarkdown", thrown(() -> Notification.wechatCustom("o1").markdown("t", "x")));
        out.put("customTwoArticles", thrown(() -> Notification.wechatCustom("o1").news(List.of(
                Article.of("a", "https://e.com/a"), Article.of("b", "https://e.com/b")))));
        out.put("customVideoWithoutThumb", thrown(() -> Notification.wechatCustom("o1").video(MP4, "t", null)));
        out.put("subscribeText", thrown(() -> Notification.wechatSubscribe("o1", "t", Map.of()).text("x")));
        out.put("stateOnOfficialAccount", thrown(() -> Notification.wechatSubscribe("o1", "t", Map.of())
                .state("trial")));
        out.put("replyImage", thrown(() -> Notification.replyTo(1).image(IMAGE)));
        out.put("enterpriseRobotImage", thrown(() -> Notification.dingtalkGroup("cid1").image(IMAGE)));
        out.put("dingtalkMarkdownWithoutTitle", thrown(() -> Notification.dingtalkRobot("ops").markdown("x")));
        out.put("atBeforeText", thrown(() -> Notification.dingtalkRobot("ops").at(List.of(), List.of(), true)));
        out.put("platformMediaAsRobotImage", thrown(() -> Notification.wecomRobot("ops")
                .image(Media.platform("MEDIA_ID"))));
        out.put("batchKeys", thrown(() -> imbridge.sendBatch(List.of(Notification.dingtalkRobot("ops").text("x")),
                List.of())));
        out.put("negativeWait", thrown(() -> imbridge.waitFor("any", Duration.ofSeconds(-1))));
        return out;
    }

    /** Requests the server refuses: label -> {status, code, fields}. */
    Object refusedByTheServer() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("subscribeValue", refusal(() -> imbridge.send(Notification.wechatSubscribe("oJavaSubscriber01",
                fixture("ticket"), Map.of("thing1", "一".repeat(21), "phrase2", "已完成", "time3", "2024-05-01 10:00")))));
        out.put("subscribeUnknownTemplate", refusal(() -> imbridge.send(Notification.appletSubscribe("o1", "nope",
                Map.of("thing1", "x")))));
        out.put("replyToUnknown", refusal(() -> imbridge.send(Notification.replyTo(999999).text("x"))));
        out.put("robotUsersTooMany", refusal(() -> imbridge.send(Notification.dingtalkRobotUsers(
                java.util.stream.IntStream.range(0, 21).mapToObj(i -> "u" + i).toList()).text("x"))));
        out.put("replyInFanOut", refusal(() -> imbridge.sendGroup(List.of(Notification.dingtalkRobot("demo-dingtalk"),
                Notification.replyTo(Long.parseLong(fixture("wecomInbound"))).text("x")), Map.of("text", "x"), null)));
        out.put("appchatBadId", refusal(() -> imbridge.send(Notification.wecomAppchat("not a chat id").text("x"))));
        return out;
    }

    /** A refused connection is repeated, then reported as the transport failure it is. */
    static Object retries() {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ImbridgeClient nowhere = new ImbridgeClient("http://127.0.0.1:" + port, "imb_x", Duration.ofSeconds(2), 1);
        try {
            nowhere.send(Notification.dingtalkRobot("ops").text("x"));
            return "sent?";
        } catch (UncheckedIOException e) {
            return e.getCause().getClass().getSimpleName();
        }
    }

    static Object thrown(Runnable run) {
        try {
            run.run();
            return "nothing";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    static Object refusal(Runnable run) {
        try {
            run.run();
            return "accepted";
        } catch (ImbridgeException e) {
            List<Object> fields = new ArrayList<>();
            for (Map<String, Object> d : e.details()) fields.add(d.get("field"));
            return Map.of("status", e.status(), "code", e.code(), "fields", fields);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Object> outcomes(Map<String, Object> record) {
        List<Object> out = new ArrayList<>();
        for (Object a : (List<Object>) record.get("history")) out.add(((Map<String, Object>) a).get("outcome"));
        return out;
    }

    /** Poll {@code read} until {@code done}, for at most 30 seconds; the last value read. */
    static Map<String, Object> until(Supplier<Map<String, Object>> read,
                                     java.util.function.Predicate<Map<String, Object>> done) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Map<String, Object> last = read.get();
        while (!done.test(last) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            last = read.get();
        }
        return last;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
