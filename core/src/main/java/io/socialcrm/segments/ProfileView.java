package io.socialcrm.segments;

import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import dev.cel.runtime.CelVariableResolver;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.Influence;
import io.socialcrm.avro.LinkedAccount;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The variables of {@link SegmentLanguage}, read from a computed profile on demand. */
public final class ProfileView implements CelVariableResolver {
    private final CustomerProfile profile;
    private final double daysSinceActivity;
    private CelLateFunctionBindings functions;

    public ProfileView(CustomerProfile profile, double daysSinceActivity) {
        this.profile = profile;
        this.daysSinceActivity = daysSinceActivity;
    }

    public CustomerProfile profile() {
        return profile;
    }

    public double daysSinceActivity() {
        return daysSinceActivity;
    }

    @Override
    public Optional<Object> find(String name) {
        Influence i = profile.getInfluence();
        Object value = switch (name) {
            case "influence.score" -> i.getScore();
            case "influence.percentile" -> i.getPercentile();
            case "influence.raw" -> i.getRaw();
            case "influence.followers" -> i.getFollowers();
            case "influence.shares" -> i.getSharesReceived();
            case "influence.mentions" -> i.getMentionsReceived();
            case "influence.replies" -> i.getRepliesReceived();
            case "influence.likes" -> i.getLikesReceived();
            case "influence.engagers" -> i.getDistinctEngagers();
            case "influence.follows" -> i.getFollowsReceived();
            case "influence.momentum" -> i.getMomentum();
            case "activity.level" -> profile.getActivityLevel();
            case "daysSinceActivity" -> daysSinceActivity;
            case "bestHourOfWeek" -> profile.getBestHourOfWeek() == null ? -1L : (long) profile.getBestHourOfWeek();
            case "contactable" -> profile.getContactable();
            case "accounts" -> (long) profile.getAccounts().size();
            case "platforms" -> profile.getAccounts().stream().map(LinkedAccount::getPlatform).distinct().toList();
            case "contexts" -> profile.getContexts();
            default -> null;
        };
        return Optional.ofNullable(value);
    }

    /** The customer's score in a context, 0 when none. */
    public double context(String id) {
        Map<String, Double> contexts = profile.getContexts();
        Double v = contexts == null ? null : contexts.get(id);
        return v == null ? 0.0 : v;
    }

    // CEL marks its function bindings @Immutable; this one reads this view on purpose and lives as
    // long as the view (one evaluation of one customer), so nothing outlives what it reads
    @SuppressWarnings("Immutable")
    CelLateFunctionBindings functions() {
        if (functions == null) {
            functions = CelLateFunctionBindings.from(List.of(
                    CelFunctionBinding.from(SegmentLanguage.CONTEXT_OVERLOAD, String.class, this::context)));
        }
        return functions;
    }
}
