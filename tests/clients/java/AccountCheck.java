import io.imbridge.client.ImbridgeClient;
import io.imbridge.client.ImbridgeClient.Accepted;
import io.imbridge.client.ImbridgeException;
import io.imbridge.client.Json;
import io.imbridge.client.Notification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends through the accounts the test config names besides the default (args: URL, notify key; the DingTalk app
 * "hr", the WeCom app "ops"); prints what it saw as JSON.
 */
public class AccountCheck {
    public static void main(String[] args) {
        ImbridgeClient imbridge = new ImbridgeClient(args[0], args[1]);
        Map<String, Object> seen = new LinkedHashMap<>();
        Duration minute = Duration.ofSeconds(60);

        Map<String, Accepted> accepted = new LinkedHashMap<>();
        accepted.put("hr", imbridge.send(Notification.dingtalkWork(List.of("manager01")).account("hr").text("Java 人事部通知")));
        accepted.put("ops", imbridge.send(Notification.wecomApp(List.of("zhangsan")).account("ops").text("Java 运维通知")));
        accepted.put("default", imbridge.send(Notification.dingtalkWork(List.of("manager01")).text("Java 默认应用通知")));
        Map<String, Object> sent = new LinkedHashMap<>();
        accepted.forEach((name, a) -> {
            Map<String, Object> record = imbridge.waitFor(a.id(), minute);
            sent.put(name, List.of(record.get("status"), record.get("account")));
        });
        seen.put("sent", sent);

        Map<String, Object> group = imbridge.sendGroup(List.of(
                Notification.dingtalkWork(List.of("manager01")).account("hr"),
                Notification.wecomApp(List.of("zhangsan")).account("ops")),
                Map.of("format", "text", "text", "Java 组消息"), null);
        Map<String, Object> done = imbridge.waitForGroup((String) group.get("id"), minute);
        List<Object> accounts = new ArrayList<>();
        for (Object item : (List<?>) done.get("notifications")) {
            accounts.add(imbridge.get((String) ((Map<?, ?>) item).get("id")).get("account"));
        }
        seen.put("group", Map.of("status", done.get("status"), "accounts", accounts));

        try {
            imbridge.send(Notification.dingtalkWork(List.of("manager01")).account("nobody").text("x"));
            seen.put("unknown", "accepted");
        } catch (ImbridgeException e) {
            List<Object> fields = new ArrayList<>();
            for (Map<String, Object> d : e.details()) fields.add(d.get("field"));
            seen.put("unknown", Map.of("status", e.status(), "fields", fields));
        }
        try {
            Notification.replyTo(1).account("hr");
            seen.put("reply", "accepted");
        } catch (IllegalStateException e) {
            seen.put("reply", "IllegalStateException");
        }
        System.out.println(Json.write(seen));
    }
}
