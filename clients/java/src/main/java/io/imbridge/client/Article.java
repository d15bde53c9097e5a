package io.imbridge.client;

import java.util.Map;

/**
 * A news article (WeCom robot, app and app-chat news; one per WeChat customer-service news message). Only
 * {@code title} is required; leave the others null.
 */
public record Article(String title, String url, String description, String picurl) {
    public Article {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("an article needs a title");
    }

    /** An article with a title and a link. */
    public static Article of(String title, String url) {
        return new Article(title, url, null, null);
    }

    Map<String, Object> json() {
        return Notification.withoutNulls(Notification.map("title", title, "description", description, "url", url,
                "picurl", picurl));
    }
}
