package io.socialcrm.segments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.Influence;
import io.socialcrm.avro.LinkedAccount;
import io.socialcrm.avro.SegmentDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A rule run as Java closures gives CEL's answer: every built-in rule and a set of rules that use
 * every operator of the subset, on random profiles with values at the thresholds, zero, negative,
 * huge and NaN. Rules outside the subset stay on CEL.
 */
class RuleClosuresTest {
    private static final String[] CONTEXTS = {"soccer", "football", "fitness", "running", "yoga", "music"};
    private static final double[] EDGES = {0.0, -0.0, 0.75, 2.0, 1.3, 3.0, 40, 50, 70, 75, 85, 90, 100, 1e300, -1e300,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.5, 30, 1};

    /** Rules in the subset beyond the built-in ones: each operator and variable, mixed types, constants. */
    private static final List<String> EXTRA = List.of(
            "influence.percentile > 0.5 || influence.raw <= 3.0",
            "!(influence.shares < 1.0) && influence.mentions != 2.0",
            "influence.replies == 0.0 || influence.likes * 2.0 - influence.follows >= 1.0",
            "-influence.momentum < -1.3",
            "activity.level >= 2.5 && daysSinceActivity < 7",
            "bestHourOfWeek == 18 || bestHourOfWeek < 0",
            "bestHourOfWeek >= 100.5",
            "accounts >= 2 && influence.followers > 1000",
            "influence.followers != 0",
            "contactable == true",
            "contactable != (influence.score > 50.0)",
            "true && context(\"music\") > 0",
            "false || context(\"yoga\") - context(\"running\") * 0.5 <= 1.0",
            "context(\"unknown-context\") == 0.0",
            "influence.followers >= 9007199254740992",
            "influence.followers > 9007199254740992",
            "influence.shares == influence.likes || influence.raw == 0.0",
            "influence.shares != influence.likes && influence.raw != 0.0",
            "influence.shares < influence.likes || influence.raw >= -0.0");

    /** Rules CEL keeps: outside the subset. */
    private static final List<String> OUTSIDE = List.of(
            "'twitter' in platforms",
            "contexts.size() > 2",
            "accounts + 1 > 2",
            "influence.followers * 2 > 1000",
            "influence.score / 2.0 > 10.0",
            "influence.followers > 9007199254740993",
            "influence.score > 90.0 ? contactable : false");

    @Test
    void everyBuiltInRuleRunsAsClosuresAndAgreesWithCel() {
        List<Rule> rules = new ArrayList<>();
        for (SegmentDefinition d : SegmentFile.builtIn()) {
            Segment segment = Segment.compile(d);
            rules.add(segment.enter());
            if (segment.exit() != null) {
                rules.add(segment.exit());
            }
        }
        for (Rule rule : rules) {
            assertTrue(rule.closed(), "built-in rule on the fast path: " + rule.source());
        }
        agree(rules);
    }

    @Test
    void theSubsetAgreesWithCelOperatorByOperator() {
        List<Rule> rules = new ArrayList<>();
        for (String source : EXTRA) {
            Rule rule = SegmentLanguage.compile(source, "test rule");
            assertTrue(rule.closed(), "in the subset: " + source);
            rules.add(rule);
        }
        agree(rules);
    }

    @Test
    void rulesOutsideTheSubsetStayOnCel() {
        for (String source : OUTSIDE) {
            assertFalse(SegmentLanguage.compile(source, "test rule").closed(), "left to CEL: " + source);
        }
    }

    private static void agree(List<Rule> rules) {
        Random random = new Random(20261205);
        int compared = 0;
        for (int i = 0; i < 5_000; i++) {
            ProfileView view = randomView(random);
            for (Rule rule : rules) {
                boolean cel;
                try {
                    cel = rule.evaluate(view);
                } catch (dev.cel.runtime.CelEvaluationException e) {
                    throw new AssertionError("CEL failed on " + rule.source(), e);
                }
                assertEquals(cel, testQuietly(rule, view), () -> rule.source() + " on " + view.profile() + ", days "
                        + view.daysSinceActivity());
                compared++;
            }
        }
        assertTrue(compared >= 5_000 * rules.size());
    }

    private static boolean testQuietly(Rule rule, ProfileView view) {
        try {
            return rule.test(view);
        } catch (dev.cel.runtime.CelEvaluationException e) {
            throw new AssertionError(e);
        }
    }

    private static double value(Random random) {
        return random.nextInt(3) == 0 ? EDGES[random.nextInt(EDGES.length)] : random.nextDouble() * 120 - 10;
    }

    private static ProfileView randomView(Random random) {
        Map<String, Double> contexts = new HashMap<>();
        for (String c : CONTEXTS) {
            if (random.nextBoolean()) {
                contexts.put(c, value(random));
            }
        }
        List<LinkedAccount> accounts = new ArrayList<>();
        for (int a = random.nextInt(3); a > 0; a--) {
            accounts.add(LinkedAccount.newBuilder().setAccountKey("twitter:" + a).setPlatform("twitter").setPlatformUserId("" + a)
                    .setHandle(null).setScopes(List.of()).setLinkedAt(Instant.EPOCH).build());
        }
        long[] followers = {0, 1000, 1001, 999, 9007199254740992L, 9007199254740993L, random.nextInt(1_000_000)};
        Influence influence = Influence.newBuilder().setRaw(value(random)).setPercentile(value(random) / 100)
                .setScore(value(random)).setFollowers(followers[random.nextInt(followers.length)])
                .setSharesReceived(value(random)).setMentionsReceived(value(random)).setRepliesReceived(value(random))
                .setLikesReceived(value(random)).setDistinctEngagers(value(random)).setFollowsReceived(value(random))
                .setMomentum(value(random) / 20).build();
        Integer[] hours = {null, 0, 18, 100, 167};
        CustomerProfile profile = CustomerProfile.newBuilder().setCustomerId("c").setAccounts(accounts).setInfluence(influence)
                .setContexts(random.nextInt(10) == 0 ? null : contexts).setBestHourOfWeek(hours[random.nextInt(hours.length)])
                .setActivityLevel(value(random)).setContactable(random.nextBoolean())
                .setLastActivityAt(null).setUpdatedAt(Instant.EPOCH).setSegments(List.of()).setModelVersion("test")
                .build();
        return new ProfileView(profile, value(random));
    }
}
