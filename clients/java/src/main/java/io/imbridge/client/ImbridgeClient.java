package io.imbridge.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An imbridge API client on {@code java.net.http}: send notifications (one, a batch, or one message to many
 * targets) and follow them to their outcome. Every send carries an Idempotency-Key (a fresh UUID unless you give
 * yours), so sending again after a timeout is safe: the server answers with the first record and sends once.
 * Thread-safe; make one and share it.
 *
 * <pre>{@code
 * ImbridgeClient imbridge = new ImbridgeClient("http://127.0.0.1:8000", apiKey);
 * Accepted accepted = imbridge.send(Notification.dingtalkRobot("ops").markdown("Deploy", "**crm** is live"));
 * Map<String, Object> record = imbridge.waitFor(accepted.id(), Duration.ofSeconds(60));
 * }</pre>
 */
public final class ImbridgeClient {
    /** A notification's statuses that no longer change. */
    public static final Set<String> FINAL = Set.of("sent", "failed", "dead");
    /** A fan-out group's statuses that no longer change. */
    public static final Set<String> GROUP_FINAL = Set.of("sent", "failed", "partial");

    /** What a send answered: the record's id and status; {@code replayed} when the key was seen before. */
    public record Accepted(String id, String status, boolean replayed) {}

    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;

    public ImbridgeClient(String baseUrl, String apiKey) {
        this(baseUrl, apiKey, Duration.ofSeconds(10));
    }

    public ImbridgeClient(String baseUrl, String apiKey, Duration timeout) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Send one notification with a fresh idempotency key. */
    public Accepted send(Notification notification) {
        return send(notification.toRequest(), UUID.randomUUID().toString());
    }

    /** Send one notification (the REST body) under {@code idempotencyKey}. */
    public Accepted send(Map<String, Object> request, String idempotencyKey) {
        HttpResponse<String> response = call("POST", "api/v1/notifications", request, idempotencyKey);
        Map<String, Object> answer = object(response.body());
        boolean replayed = response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true");
        return new Accepted((String) answer.get("id"), (String) answer.get("status"), replayed);
    }

    /** Send many at once: all accepted or none (a 422 lists each item's problems); a fresh key each. */
    @SuppressWarnings("unchecked")
    public List<Accepted> sendBatch(List<Notification> notifications) {
        List<Object> items = new ArrayList<>();
        for (Notification n : notifications) {
            Map<String, Object> item = n.toRequest();
            item.put("idempotency_key", UUID.randomUUID().toString());
            items.add(item);
        }
        Map<String, Object> answer = object(call("POST", "api/v1/notifications/batch",
                Notification.map("notifications", items), null).body());
        List<Accepted> accepted = new ArrayList<>();
        for (Object item : (List<Object>) answer.get("notifications")) {
            Map<String, Object> one = (Map<String, Object>) item;
            accepted.add(new Accepted((String) one.get("id"), (String) one.get("status"), false));
        }
        return accepted;
    }

    /**
     * One message to several targets (fan-out): one group, one record per target. {@code message} is
     * {@code {"format": "text"|"markdown", "title"?, "text"}}; a target may bring its own message.
     */
    public Map<String, Object> sendGroup(List<Notification> targets, Map<String, Object> message,
                                         String idempotencyKey) {
        List<Object> list = new ArrayList<>();
        for (Notification target : targets) {
            Map<String, Object> request = target.toRequest();
            if (request.get("message") == null) request.remove("message");
            request.remove("template");
            list.add(request);
        }
        return object(call("POST", "api/v1/notification-groups", Notification.map("targets", list, "message", message),
                idempotencyKey == null ? UUID.randomUUID().toString() : idempotencyKey).body());
    }

    /** The record: status, attempts, the platform's answer. */
    public Map<String, Object> get(String id) {
        return object(call("GET", "api/v1/notifications/" + id, null, null).body());
    }

    /** A fan-out group: its overall status and each target's. */
    public Map<String, Object> group(String id) {
        return object(call("GET", "api/v1/notification-groups/" + id, null, null).body());
    }

    /** Poll until the notification is sent, failed or dead (backing off to 5 s); a timeout is an exception. */
    public Map<String, Object> waitFor(String id, Duration limit) {
        return poll(() -> get(id), FINAL, limit);
    }

    /** Poll until every target of the group is final. */
    public Map<String, Object> waitForGroup(String id, Duration limit) {
        return poll(() -> group(id), GROUP_FINAL, limit);
    }

    private Map<String, Object> poll(java.util.function.Supplier<Map<String, Object>> read, Set<String> done,
                                     Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        long delay = 200;
        while (true) {
            Map<String, Object> last = read.get();
            if (done.contains(String.valueOf(last.get("status")))) return last;
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) {
                throw new IllegalStateException(last.get("id") + " still " + last.get("status") + " after " + limit);
            }
            try {
                Thread.sleep(Math.min(delay, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting", e);
            }
            delay = Math.min(delay * 2, 5000);
        }
    }

    private HttpResponse<String> call(String method, String path, Object body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + apiKey).header("Accept", "application/json")
                .header("User-Agent", "imbridge-client-java/0.1");
        if (idempotencyKey != null) request.header("Idempotency-Key", idempotencyKey);
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() >= 400) throw error(response);
        return response;
    }

    @SuppressWarnings("unchecked")
    private static ImbridgeException error(HttpResponse<String> response) {
        Map<String, Object> error = null;
        try {
            Object parsed = Json.read(response.body());
            if (parsed instanceof Map<?, ?> map && map.get("error") instanceof Map<?, ?> inner) {
                error = (Map<String, Object>) inner;
            }
        } catch (IllegalArgumentException ignored) {
            // not our error envelope (a proxy's page): described below
        }
        if (error == null) {
            error = Notification.map("code", "http_" + response.statusCode(), "message", response.body());
        }
        return new ImbridgeException(response.statusCode(), error);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String body) {
        return (Map<String, Object>) Json.read(body);
    }
}
