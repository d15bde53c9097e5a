package io.imbridge.client;

import java.io.IOException;
import java.net.ConnectException;
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
 * targets), follow them to their outcome, set a DingTalk OA message's status bar, recall a work notification, and
 * subscribe to outcome callbacks. Every send carries an Idempotency-Key (a fresh UUID unless you give yours), so
 * sending again after a timeout is safe: the server answers with the first record and sends once; the client
 * itself repeats a keyed send after a transport failure ({@code retries}). Thread-safe; make one and share it.
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
    /** The outcomes a callback subscription may ask for. */
    public static final List<String> OUTCOMES = List.of("sent", "failed", "dead");

    /** What a send answered: the record's id and status; {@code replayed} when the key was seen before. */
    public record Accepted(String id, String status, boolean replayed) {}

    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;
    private final int retries;

    public ImbridgeClient(String baseUrl, String apiKey) {
        this(baseUrl, apiKey, Duration.ofSeconds(10));
    }

    public ImbridgeClient(String baseUrl, String apiKey, Duration timeout) {
        this(baseUrl, apiKey, timeout, 2);
    }

    /**
     * {@code timeout}: for each HTTP request; {@code retries}: how often a send is repeated after a transport
     * failure (with the same idempotency key, so never twice on the platform; a request without a key only when
     * the connection was refused, as nothing reached the server then).
     */
    public ImbridgeClient(String baseUrl, String apiKey, Duration timeout, int retries) {
        if (retries < 0) throw new IllegalArgumentException("retries must not be negative");
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.retries = retries;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Send one notification with a fresh idempotency key. */
    public Accepted send(Notification notification) {
        return send(notification.toRequest(), UUID.randomUUID().toString());
    }

    /** Send one notification under {@code idempotencyKey} (an order id, say): a repeat sends nothing again. */
    public Accepted send(Notification notification, String idempotencyKey) {
        return send(notification.toRequest(), idempotencyKey);
    }

    /** Send one notification (the REST body) under {@code idempotencyKey}. */
    public Accepted send(Map<String, Object> request, String idempotencyKey) {
        HttpResponse<String> response = call("POST", "api/v1/notifications", request, idempotencyKey);
        Map<String, Object> answer = object(response.body());
        boolean replayed = response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true");
        return new Accepted((String) answer.get("id"), (String) answer.get("status"), replayed);
    }

    /** Send many at once: all accepted or none (a 422 lists each item's problems); a fresh key each. */
    public List<Accepted> sendBatch(List<Notification> notifications) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < notifications.size(); i++) keys.add(UUID.randomUUID().toString());
        return sendBatch(notifications, keys);
    }

    /**
     * Send many at once, each under its idempotency key (in order): all accepted or none; a 422's fields start
     * {@code notifications.<index>}.
     */
    @SuppressWarnings("unchecked")
    public List<Accepted> sendBatch(List<Notification> notifications, List<String> idempotencyKeys) {
        if (idempotencyKeys.size() != notifications.size()) {
            throw new IllegalArgumentException("one idempotency key per notification: " + notifications.size()
                    + " notifications, " + idempotencyKeys.size() + " keys");
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < notifications.size(); i++) {
            Map<String, Object> item = notifications.get(i).toRequest();
            item.put("idempotency_key", idempotencyKeys.get(i));
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
     * {@code {"format": "text"|"markdown", "title"?, "text"}}, shaped for each target's platform; a target may
     * bring its own message (a WeChat customer-service or template message must: it names its follower). A reply
     * ({@link Notification#replyTo(long)}) is no fan-out target: send it on its own. Returns the group:
     * {@code {id, status, size, notifications: [{id, channel, target, status}]}}.
     */
    public Map<String, Object> sendGroup(List<Notification> targets, Map<String, Object> message,
                                         String idempotencyKey) {
        return sendGroup(targets, message, null, null, idempotencyKey);
    }

    /**
     * Fan-out whose text comes from the stored message template {@code templateCode} filled with
     * {@code variables}; {@code message} gives the format (and title), its text left out. Null key: a fresh one.
     */
    public Map<String, Object> sendGroup(List<Notification> targets, Map<String, Object> message, String templateCode,
                                         Map<String, ?> variables, String idempotencyKey) {
        List<Object> list = new ArrayList<>();
        for (Notification target : targets) {
            Map<String, Object> request = target.toRequest();
            if (request.get("message") == null) request.remove("message");
            request.remove("template");
            list.add(request);
        }
        Map<String, Object> body = Notification.map("targets", list);
        if (message != null) body.put("message", message);
        if (templateCode != null) {
            body.put("template", Notification.map("code", templateCode, "variables",
                    variables == null ? Map.of() : variables));
        }
        return object(call("POST", "api/v1/notification-groups", body,
                idempotencyKey == null ? UUID.randomUUID().toString() : idempotencyKey).body());
    }

    /**
     * Set the status bar of a sent DingTalk OA work notification ("已同意" on green, say): {@code value} is at
     * most 20 characters, {@code color} {@code #RRGGBB}, {@code 0xAARRGGBB} or null. Queued (202); the record's
     * history shows it done ({@code status_set}) or refused ({@code status_failed}). 409 for any other record.
     */
    public Map<String, Object> statusBar(String id, String value, String color) {
        Map<String, Object> body = Notification.map("value", value);
        if (color != null) body.put("color", color);
        return object(call("POST", "api/v1/notifications/" + id + "/status-bar", body, null).body());
    }

    /**
     * Withdraw a sent work notification (dingtalk_work, wecom_app): queued (202); the record's
     * {@code recallStatus} follows it. 409 for any other record.
     */
    public Map<String, Object> recall(String id) {
        return object(call("POST", "api/v1/notifications/" + id + "/recall", null, null).body());
    }

    /**
     * Have the outcomes ({@link #OUTCOMES}) of this key's notifications POSTed to {@code url}, signed (check them
     * with {@link Callbacks#verify}). The answer carries the callback's {@code id} and, when {@code secret} is
     * null, a generated {@code secret}, shown in this answer only: keep it.
     */
    public Map<String, Object> subscribeOutcomes(String name, String url, List<String> outcomes, String secret) {
        Map<String, Object> body = Notification.map("name", name, "url", url, "outcomes", List.copyOf(outcomes));
        if (secret != null) body.put("secret", secret);
        return object(call("POST", "api/v1/callbacks", body, null).body());
    }

    /** Every outcome, to {@code url}, with a generated secret. */
    public Map<String, Object> subscribeOutcomes(String name, String url) {
        return subscribeOutcomes(name, url, OUTCOMES, null);
    }

    /** This key's callback subscriptions (their secrets never shown again). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> callbacks() {
        return (List<Map<String, Object>>) object(call("GET", "api/v1/callbacks", null, null).body()).get("items");
    }

    /** Stop a callback subscription. */
    public void unsubscribe(long callbackId) {
        call("DELETE", "api/v1/callbacks/" + callbackId, null, null);
    }

    /** The record: status, attempts, the platform's answer. */
    public Map<String, Object> get(String id) {
        return object(call("GET", "api/v1/notifications/" + id, null, null).body());
    }

    /** A fan-out group: its overall status and each target's. */
    public Map<String, Object> group(String id) {
        return object(call("GET", "api/v1/notification-groups/" + id, null, null).body());
    }

    /**
     * Poll until the notification is sent, failed or dead (backing off to 5 s); {@link WaitTimeoutException}
     * (with the record last seen) after {@code limit}. A failed or dead record is returned: its lastError says why.
     */
    public Map<String, Object> waitFor(String id, Duration limit) {
        return poll(() -> get(id), FINAL, "notification " + id, limit);
    }

    /** Poll until every target of the group is final; its status is then sent, partial or failed. */
    public Map<String, Object> waitForGroup(String id, Duration limit) {
        return poll(() -> group(id), GROUP_FINAL, "group " + id, limit);
    }

    private Map<String, Object> poll(java.util.function.Supplier<Map<String, Object>> read, Set<String> done,
                                     String what, Duration limit) {
        if (limit.isNegative()) throw new IllegalArgumentException("the wait's limit must not be negative");
        Instant deadline = Instant.now().plus(limit);
        long delay = 200;
        while (true) {
            Map<String, Object> last = read.get();
            if (done.contains(String.valueOf(last.get("status")))) return last;
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0) throw new WaitTimeoutException(what, last);
            pause(Math.min(delay, left));
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
        HttpResponse<String> response = null;
        for (int attempt = 0; response == null; attempt++) {
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // Without an idempotency key a repeat could act twice: only a refused connection is repeated then.
                boolean repeatable = idempotencyKey != null || e instanceof ConnectException;
                if (attempt >= retries || !repeatable) throw new java.io.UncheckedIOException(e);
                pause(Math.min(500L << attempt, 5000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (response.statusCode() >= 400) throw error(response);
        return response;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
        return new ImbridgeException(response.statusCode(), error,
                response.headers().firstValue("Retry-After").orElse(null));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String body) {
        return (Map<String, Object>) Json.read(body);
    }
}
