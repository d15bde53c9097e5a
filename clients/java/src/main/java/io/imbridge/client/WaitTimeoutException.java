package io.imbridge.client;

import java.util.Map;

/**
 * A notification (or fan-out group) had no final status within the time given; {@link #last()} is the record seen
 * last. An {@link IllegalStateException}, as a timed-out wait was before this type existed.
 */
public class WaitTimeoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient Map<String, Object> last;

    public WaitTimeoutException(String what, Map<String, Object> last) {
        super(what + " still " + last.get("status") + " when the wait ran out");
        this.last = last;
    }

    /** The record (or group) as last seen: its status, attempts and last error so far. */
    public Map<String, Object> last() {
        return last;
    }
}
