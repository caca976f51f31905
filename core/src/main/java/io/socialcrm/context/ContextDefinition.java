package io.socialcrm.context;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One context of a taxonomy file: an id, its parents (the hierarchy), and what signals it: words
 * or phrases in the text, hashtags (without '#'), accounts followed (account keys,
 * {@code platform:id}), and link domains.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"id", "name", "parents", "keywords", "hashtags", "accounts", "domains"})
public record ContextDefinition(String id, String name, List<String> parents, List<String> keywords,
                                List<String> hashtags, List<String> accounts, List<String> domains) {
    public ContextDefinition {
        parents = parents == null ? List.of() : List.copyOf(parents);
        keywords = keywords == null ? List.of() : List.copyOf(keywords);
        hashtags = hashtags == null ? List.of() : List.copyOf(hashtags);
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        domains = domains == null ? List.of() : List.copyOf(domains);
    }
}
