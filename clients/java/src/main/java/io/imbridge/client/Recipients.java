package io.imbridge.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who a DingTalk work notification or a WeCom app message goes to: user ids, departments, tags (WeCom only), or
 * everyone of the organisation. Immutable; each method answers a new value.
 *
 * <pre>{@code
 * Recipients.users("zhangsan", "lisi").departments("2");
 * Recipients.everyone();
 * }</pre>
 */
public final class Recipients {
    private final List<String> users;
    private final List<String> departments;
    private final List<String> tags;
    private final boolean everyone;

    private Recipients(List<String> users, List<String> departments, List<String> tags, boolean everyone) {
        this.users = List.copyOf(users);
        this.departments = List.copyOf(departments);
        this.tags = List.copyOf(tags);
        this.everyone = everyone;
    }

    public static Recipients users(String... users) {
        return new Recipients(List.of(users), List.of(), List.of(), false);
    }

    public static Recipients users(List<String> users) {
        return new Recipients(users, List.of(), List.of(), false);
    }

    /** Everyone of the organisation (the platform's {@code to_all_user} / {@code @all}). */
    public static Recipients everyone() {
        return new Recipients(List.of(), List.of(), List.of(), true);
    }

    public Recipients departments(String... departments) {
        return new Recipients(users, concat(this.departments, departments), tags, everyone);
    }

    /** WeCom tags (DingTalk has none: the server refuses them there). */
    public Recipients tags(String... tags) {
        return new Recipients(users, departments, concat(this.tags, tags), everyone);
    }

    private static List<String> concat(List<String> a, String[] b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    /** The request's {@code to}. */
    Map<String, Object> json() {
        Map<String, Object> to = Notification.map();
        if (!users.isEmpty()) to.put("users", users);
        if (!departments.isEmpty()) to.put("departments", departments);
        if (!tags.isEmpty()) to.put("tags", tags);
        if (everyone) to.put("all", true);
        return to;
    }
}
