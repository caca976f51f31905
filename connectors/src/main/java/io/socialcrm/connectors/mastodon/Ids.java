package io.socialcrm.connectors.mastodon;

/** Mastodon ids are decimal strings that grow with time (snowflake-like); compared as numbers. */
final class Ids {
    private Ids() {
    }

    static int compare(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    static String max(String a, String b) {
        return compare(a, b) >= 0 ? a : b;
    }
}
