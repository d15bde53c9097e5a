package io.imbridge.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifying outcome callbacks, signed the Standard Webhooks way:
 * {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}. The key of a
 * {@code whsec_...} secret is the base64 after the prefix; any other secret is used as its UTF-8 bytes.
 */
public final class Callbacks {
    /** Callbacks further than this from now (seconds) are refused, so a captured one cannot be replayed. */
    public static final long TOLERANCE_SECONDS = 300;

    private Callbacks() {}

    /**
     * The callback's JSON body once signature and timestamp check out; {@link SecurityException} otherwise.
     * {@code headers}: the request's (any case); {@code body}: the raw bytes, before any JSON parsing.
     */
    public static Map<String, Object> verify(String secret, Map<String, String> headers, byte[] body) {
        return verify(secret, headers, body, Instant.now(), TOLERANCE_SECONDS);
    }

    /** As {@link #verify(String, Map, byte[])}, at {@code now}, refusing timestamps further than {@code tolerance}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> verify(String secret, Map<String, String> headers, byte[] body, Instant now,
                                             long toleranceSeconds) {
        Map<String, String> lower = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        lower.putAll(headers);
        String id = lower.get("webhook-id");
        String timestamp = lower.get("webhook-timestamp");
        String signatures = lower.get("webhook-signature");
        if (id == null || timestamp == null || signatures == null) {
            throw new SecurityException("webhook-id, webhook-timestamp and webhook-signature are required");
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new SecurityException("webhook-timestamp is not a number");
        }
        if (Math.abs(now.getEpochSecond() - sentAt) > toleranceSeconds) {
            throw new SecurityException("webhook-timestamp is too far from now");
        }
        byte[] expected = ("v1," + sign(secret, id, timestamp, body)).getBytes(StandardCharsets.US_ASCII);
        for (String given : signatures.split(" ")) {
            if (MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII))) {
                return (Map<String, Object>) Json.read(new String(body, StandardCharsets.UTF_8));
            }
        }
        throw new SecurityException("no signature matches");
    }

    /** {@code secret} in the {@code whsec_<base64>} form that Standard Webhooks libraries expect. */
    public static String standardSecret(String secret) {
        return secret.startsWith("whsec_") ? secret
                : "whsec_" + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
    }

    static String sign(String secret, String id, String timestamp, byte[] body) {
        byte[] key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
                : secret.getBytes(StandardCharsets.UTF_8);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
