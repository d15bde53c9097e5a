package io.imbridge.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * A file for a media message (image, voice, video, file, thumbnails): bytes sent inline with the request, a file
 * uploaded before ({@code POST /api/v1/blobs}, by its id), or a {@code media_id} the platform gave you. imbridge
 * uploads inline bytes and uploads to the platform itself, so a producer need not know each platform's media API.
 */
public final class Media {
    private final byte[] content;
    private final String filename;
    private final String contentType;
    private final String blobId;
    private final String mediaId;

    private Media(byte[] content, String filename, String contentType, String blobId, String mediaId) {
        this.content = content;
        this.filename = filename;
        this.contentType = contentType;
        this.blobId = blobId;
        this.mediaId = mediaId;
    }

    /** These bytes, sent inline; {@code contentType} may be null (the platform then guesses from the name). */
    public static Media of(byte[] content, String filename, String contentType) {
        if (content == null || filename == null || filename.isBlank()) {
            throw new IllegalArgumentException("Media.of needs the bytes and a file name");
        }
        return new Media(content.clone(), filename, contentType, null, null);
    }

    /** The file at {@code path}, read now; its type guessed from its name. */
    public static Media of(Path path) {
        try {
            String name = path.getFileName().toString();
            String type = URLConnection.guessContentTypeFromName(name);
            return of(Files.readAllBytes(path), name, type != null ? type : "application/octet-stream");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file uploaded before with {@code POST /api/v1/blobs}, by its id. */
    public static Media upload(String blobId) {
        return new Media(null, null, null, blobId, null);
    }

    /** A {@code media_id} the platform gave you (DingTalk's work ones are single-use: prefer bytes or an upload). */
    public static Media platform(String mediaId) {
        return new Media(null, null, null, null, mediaId);
    }

    /** The bytes, when sent inline (a WeCom robot image goes as base64 and MD5 of them). */
    byte[] content() {
        return content == null ? null : content.clone();
    }

    boolean isPlatform() {
        return mediaId != null;
    }

    String mediaId() {
        return mediaId;
    }

    /** The {@code media} reference: inline bytes or an upload; a platform media_id has none. */
    Map<String, Object> ref() {
        if (blobId != null) return Notification.map("blobId", blobId);
        if (content == null) {
            throw new IllegalStateException("this Media is a platform media_id; it has no bytes to reference");
        }
        Map<String, Object> ref = Notification.map("base64", Base64.getEncoder().encodeToString(content),
                "filename", filename);
        if (contentType != null) ref.put("contentType", contentType);
        return ref;
    }

    /** A media object as the messages take it: {@code {"media_id": ...}} or {@code {"media": <ref>}}. */
    Map<String, Object> body() {
        return mediaId != null ? Notification.map("media_id", mediaId) : Notification.map("media", ref());
    }

    /** A thumbnail as WeChat's customer-service messages and WeCom's mpnews take it. */
    Map<String, Object> thumb() {
        return mediaId != null ? Notification.map("thumb_media_id", mediaId) : Notification.map("thumb_media", ref());
    }
}
