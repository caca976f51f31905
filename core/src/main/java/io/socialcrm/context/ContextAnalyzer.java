package io.socialcrm.context;

import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * Finds the contexts of one activity, in-stream: keywords and phrases of the text, its hashtags and
 * link domains (all only with CONTENT scope), and the account followed (with ACTIVITY scope). Each
 * context found counts once per activity, with all its ancestors. The text is read here and never
 * stored or forwarded.
 */
public final class ContextAnalyzer {
    private final Taxonomy taxonomy;

    public ContextAnalyzer(Taxonomy taxonomy) {
        this.taxonomy = taxonomy;
    }

    /** Context ids (with ancestors) of the content of a post. */
    public List<String> ofContent(String text, Collection<String> hashtags, Collection<String> linkDomains) {
        BitSet found = new BitSet(taxonomy.size());
        if (text != null && !text.isEmpty()) {
            taxonomy.tokens().forEach(text, (token, type) -> {
                if (TextTokens.URL_TYPE.equals(type)) {
                    String host = host(token);
                    if (host != null) {
                        mark(found, taxonomy.domain(host));
                    }
                } else {
                    mark(found, taxonomy.keyword(token));
                }
            });
        }
        if (hashtags != null) {
            for (String tag : hashtags) {
                mark(found, taxonomy.hashtag(TextTokens.foldHashtag(tag)));
            }
        }
        if (linkDomains != null) {
            for (String domain : linkDomains) {
                mark(found, taxonomy.domain(domain));
            }
        }
        return ids(found);
    }

    /** Context ids (with ancestors) of an account followed. */
    public List<String> ofFollowed(String accountKey) {
        BitSet found = new BitSet(taxonomy.size());
        mark(found, taxonomy.account(accountKey));
        return ids(found);
    }

    private void mark(BitSet found, int[] contexts) {
        if (contexts == null) {
            return;
        }
        for (int context : contexts) {
            for (int c : taxonomy.selfAndAncestors(context)) {
                found.set(c);
            }
        }
    }

    private List<String> ids(BitSet found) {
        List<String> ids = new ArrayList<>(found.cardinality());
        for (int i = found.nextSetBit(0); i >= 0; i = found.nextSetBit(i + 1)) {
            ids.add(taxonomy.id(i));
        }
        return ids;
    }

    private static String host(String url) {
        try {
            String withScheme = url.contains("://") ? url : "http://" + url;
            String host = URI.create(withScheme).getHost();
            return host == null ? null : host.startsWith("www.") ? host.substring(4) : host;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
