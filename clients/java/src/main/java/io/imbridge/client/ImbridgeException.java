package io.imbridge.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API answered with an error: {@code {"error": {"code", "message", "details"?}}} and an HTTP status.
 * Branch on {@link #code()}, which is stable; {@link #details()} lists {@code {field, message, type}} for a 422.
 */
public class ImbridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, Object> error;
    private final String retryAfter;

    public ImbridgeException(int status, Map<String, Object> error) {
        this(status, error, null);
    }

    /** {@code retryAfter}: the answer's Retry-After header (null without one). */
    public ImbridgeException(int status, Map<String, Object> error, String retryAfter) {
        super(status + " " + error.get("code") + ": " + error.get("message"));
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String code() {
        return String.valueOf(error.get("code"));
    }

    /** The whole error object, as the API sent it. */
    public Map<String, Object> error() {
        return error;
    }

    /** How long the server asked to wait (a 503 while its database or broker is down), when it said. */
    public Optional<Duration> retryAfter() {
        if (retryAfter == null) return Optional.empty();
        try {
            return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(retryAfter.trim()) * 1000)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> details() {
        Object details = error.get("details");
        return details instanceof List<?> ? (List<Map<String, Object>>) details : List.of();
    }
}
