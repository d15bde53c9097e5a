import io.imbridge.client.Callbacks;
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

/** Drives the Java client against a running imbridge (URL and notify key as arguments); prints what it saw as JSON. */
public class ClientCheck {
    public static void main(String[] args) {
        ImbridgeClient imbridge = new ImbridgeClient(args[0], args[1]);
        Map<String, Object> seen = new LinkedHashMap<>();

        // args[2..5]: a callback as imbridge signs it (secret, webhook-id, webhook-timestamp, signature), body on stdin
        byte[] body = readStdin();
        Map<String, String> headers = Map.of("Webhook-Id", args[3], "Webhook-Timestamp", args[4],
                "Webhook-Signature", args[5]);
        seen.put("callback", Callbacks.verify(args[2], headers, body).get("status"));
        try {
            Callbacks.verify(args[2], headers, new String(body, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("sent", "dead").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            seen.put("tampered", "accepted");
        } catch (SecurityException e) {
            seen.put("tampered", "refused");
        }

        Accepted accepted = imbridge.send(Notification.dingtalkRobot("demo-dingtalk").markdown("部署", "**crm** 已上线"));
        Map<String, Object> record = imbridge.waitFor(accepted.id(), Duration.ofSeconds(60));
        seen.put("sent", record.get("status"));
        seen.put("markdown", ((Map<?, ?>) record.get("message")).get("markdown"));
        seen.put("hasKey", record.get("idempotencyKey") != null);

        Map<String, Object> request = Notification.wecomRobot("demo-wecom").text("once \"quoted\"\n").toRequest();
        Accepted first = imbridge.send(request, "java-order-1");
        Accepted again = imbridge.send(request, "java-order-1");
        seen.put("replayed", again.replayed() && again.id().equals(first.id()));

        try {
            imbridge.send(Notification.wecomRobot("no-such-robot").text(""));
            seen.put("error", "none");
        } catch (ImbridgeException e) {
            List<Object> fields = new ArrayList<>();
            for (Map<String, Object> d : e.details()) fields.add(d.get("field"));
            seen.put("error", Map.of("status", e.status(), "code", e.code(), "fields", fields));
        }

        List<Accepted> batch = imbridge.sendBatch(List.of(
                Notification.dingtalkWork(List.of("manager01")).text("月度报告已生成"),
                Notification.wecomApp(List.of("zhangsan")).textcard("Leave approved", "2 days", "https://example.com")));
        List<Object> batchStatuses = new ArrayList<>();
        for (Accepted a : batch) batchStatuses.add(imbridge.waitFor(a.id(), Duration.ofSeconds(60)).get("status"));
        seen.put("batch", batchStatuses);

        Map<String, Object> group = imbridge.sendGroup(
                List.of(Notification.dingtalkRobot("demo-dingtalk"), Notification.wecomRobot("demo-wecom")),
                Map.of("format", "text", "text", "disk 91% full"), null);
        seen.put("group", imbridge.waitForGroup((String) group.get("id"), Duration.ofSeconds(60)).get("status"));
        System.out.println(Json.write(seen));
    }

    private static byte[] readStdin() {
        try {
            return System.in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
