package io.imbridge.client;

import java.util.List;
import java.util.Map;

/**
 * The API answered with an error: {@code {"error": {"code", "message", "details"?}}} and an HTTP status.
 * Branch on {@link #code()}, which is stable; {@link #details()} lists {@code {field, message, type}} for a 422.
 */
public class ImbridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, Object> error;

    public ImbridgeException(int status, Map<String, Object> error) {
        super(status + " " + error.get("code") + ": " + error.get("message"));
        this.status = status;
        this.error = error;
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

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> details() {
        Object details = error.get("details");
        return details instanceof List<?> ? (List<Map<String, Object>>) details : List.of();
    }
}
