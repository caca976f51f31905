package io.socialcrm.connectors.mapping;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** Link domains for context: the lower-case host of a URL, without {@code www.}. */
final class Links {
    private Links() {
    }

    /** Adds the host of {@code url} (scheme optional) to {@code domains}; a null or unparsable URL adds nothing. */
    static void addDomain(Set<String> domains, String url) {
        if (url == null || url.isBlank()) {
            return;
        }
        try {
            String host = URI.create(url.contains("://") ? url : "http://" + url).getHost();
            if (host != null) {
                host = host.toLowerCase(Locale.ROOT);
                domains.add(host.startsWith("www.") ? host.substring(4) : host);
            }
        } catch (IllegalArgumentException ignored) {
            // not a URL after all
        }
    }
}
