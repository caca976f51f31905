package io.socialcrm.generator;

import io.socialcrm.context.ContextDefinition;
import io.socialcrm.context.Taxonomy;
import java.util.ArrayList;
import java.util.List;

/** A community of interest as the generator uses it: a taxonomy context with its words and hashtags. */
public record Community(String id, List<String> keywords, List<String> hashtags) {

    /** The communities of the default segments, with the taxonomy's keywords and hashtags. */
    public static final List<String> DEFAULT_IDS = List.of("soccer", "technology", "music", "travel", "video-games",
            "fitness", "cooking", "garden", "fashion", "basketball", "personal-finance", "football");

    public static List<Community> fromTaxonomy(Taxonomy taxonomy, List<String> ids) {
        List<Community> communities = new ArrayList<>();
        for (String id : ids) {
            ContextDefinition definition = taxonomy.definition(id);
            if (definition == null || definition.keywords().isEmpty()) {
                throw new IllegalArgumentException("The taxonomy has no keywords for community '" + id + "'");
            }
            communities.add(new Community(id, definition.keywords(), definition.hashtags()));
        }
        return communities;
    }
}
