package io.imbridge.client;

import java.util.Map;

/**
 * An mpnews article (WeCom app and app chat): stored by WeCom and shown in its own page; {@code content} is HTML,
 * {@code thumb} its cover. {@code author}, {@code digest} and {@code contentSourceUrl} may be null.
 */
public record MpArticle(String title, String content, Media thumb, String author, String digest,
                        String contentSourceUrl) {
    public MpArticle {
        if (title == null || content == null || thumb == null) {
            throw new IllegalArgumentException("an mpnews article needs a title, content and a thumb");
        }
    }

    public static MpArticle of(String title, String content, Media thumb) {
        return new MpArticle(title, content, thumb, null, null, null);
    }

    Map<String, Object> json() {
        Map<String, Object> json = Notification.map("title", title, "content", content);
        json.putAll(thumb.thumb());
        json.putAll(Notification.withoutNulls(Notification.map("author", author, "digest", digest,
                "content_source_url", contentSourceUrl)));
        return json;
    }
}
