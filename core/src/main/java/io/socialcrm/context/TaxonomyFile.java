package io.socialcrm.context;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The YAML form of a taxonomy: where it comes from, and its contexts. */
@JsonPropertyOrder({"attribution", "contexts"})
public record TaxonomyFile(String attribution, List<ContextDefinition> contexts) {
}
