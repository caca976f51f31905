package io.socialcrm.common;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.contract.Topics;
import io.socialcrm.influence.Decay;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.influence.InfluenceWeights;
import io.socialcrm.influence.SaltedHasher;
import io.socialcrm.time.ContactPolicy;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Everything the topology needs, parsed and checked once. Build it with {@link #from}; every
 * invalid value fails there with the setting's name and source.
 *
 * @param partitions partitions of the account-keyed inputs; the repartition topics get as many
 * @param liveCommitInterval most time from the end of one commit to the next while records are live ({@link LiveCommits}); null: off
 * @param batchCredits when credits to accounts without a directory entry travel in batches ({@code credits.batched})
 * @param liveLag how close to the wall clock a record's event time is for it to be live
 * @param customerCacheEntries customer states each customer task keeps decoded in the heap ({@code customers.cache.entries})
 * @param compactionLag longest time an erased record stays in a compacted topic's log ({@link CompactionMarkers})
 * @param counters this instance's own counters (not a setting: {@link #from} makes them anew)
 * @param passes passes over every customer asked for in this process (not a setting: {@link #from} makes it anew)
 */
public record TopologySettings(
        String applicationId,
        Topics topics,
        int partitions,
        InfluenceModel influence,
        int sketchK,
        long minPopulation,
        Decay contextDecay,
        int contextMaxPerAccount,
        Taxonomy taxonomy,
        Set<String> platforms,
        Duration dedupeWindow,
        SaltedHasher hasher,
        Duration maxFuture,
        Duration refreshInterval,
        int sweepBatch,
        Duration sweepBudget,
        Duration sweepTick,
        int customerCacheEntries,
        Duration metricsFlush,
        ContactPolicy contact,
        Batching batchCredits,
        Duration liveCommitInterval,
        Duration liveLag,
        Duration compactionLag,
        AppCounters counters,
        RefreshPasses passes) {

    /** Longest text analysed; longer activity is refused (dead-letters). */
    public static final int MAX_TEXT_CHARS = 65_536;
    /** Most mentions or hashtags one activity may carry. */
    public static final int MAX_LIST_ITEMS = 500;
    private static final Pattern PLATFORM = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public static TopologySettings from(Settings s, int partitions) {
        String salt = s.get(AppConfig.ENGAGERS_SALT.name()).orElseThrow(() -> new ConfigException(
                "Missing setting 'engagers.salt': a secret random string that keys the hashes of engagers and event ids "
                        + "(e.g. from 'openssl rand -hex 16'); keep it stable across restarts"));
        if (salt.length() < 16) {
            throw s.invalid(AppConfig.ENGAGERS_SALT.name(), "must be at least 16 characters of secret randomness");
        }
        Set<String> platforms = new LinkedHashSet<>();
        for (String p : s.require(AppConfig.PLATFORMS.name(), "a comma-separated list of platform names").split(",")) {
            String platform = p.trim().toLowerCase(Locale.ROOT);
            if (!PLATFORM.matcher(platform).matches()) {
                throw s.invalid(AppConfig.PLATFORMS.name(), "'" + platform + "' is not a platform name (lower-case letters, digits, '-')");
            }
            platforms.add(platform);
        }
        String taxonomyFile = s.string(AppConfig.TAXONOMY_FILE.name());
        Taxonomy taxonomy = taxonomyFile == null ? Taxonomy.builtIn() : Taxonomy.load(Path.of(taxonomyFile));
        InfluenceWeights weights = new InfluenceWeights(
                weight(s, AppConfig.WEIGHT_SHARES.name()), weight(s, AppConfig.WEIGHT_MENTIONS.name()),
                weight(s, AppConfig.WEIGHT_REPLIES.name()), weight(s, AppConfig.WEIGHT_LIKES.name()),
                weight(s, AppConfig.WEIGHT_ENGAGERS.name()), weight(s, AppConfig.WEIGHT_FOLLOWS.name()),
                weight(s, AppConfig.WEIGHT_FOLLOWERS.name()));
        Duration halfLife = s.duration(AppConfig.INFLUENCE_HALFLIFE.name(), true).orElse(null);
        Duration momentum = s.duration(AppConfig.MOMENTUM_HALFLIFE.name());
        if (halfLife != null && momentum.compareTo(halfLife) >= 0) {
            throw s.invalid(AppConfig.MOMENTUM_HALFLIFE.name(), "must be shorter than influence.halflife (" + halfLife + ")");
        }
        return new TopologySettings(
                s.require(AppConfig.APPLICATION_ID.name(), "the Kafka Streams application id"),
                Topics.withPrefix(s.string(AppConfig.TOPICS_PREFIX.name())),
                partitions,
                new InfluenceModel(weights, halfLife, momentum),
                s.intValue(AppConfig.SKETCH_K.name(), 8, 65_535),
                s.intValue(AppConfig.MIN_POPULATION.name(), 1, Integer.MAX_VALUE),
                Decay.halfLife(s.duration(AppConfig.CONTEXT_HALFLIFE.name(), true).orElse(null)),
                s.intValue(AppConfig.CONTEXT_MAX.name(), 1, 1_000),
                taxonomy,
                Set.copyOf(platforms),
                s.duration(AppConfig.DEDUPE_WINDOW.name()),
                new SaltedHasher(salt),
                s.duration(AppConfig.MAX_FUTURE.name()),
                s.duration(AppConfig.SEGMENTS_REFRESH.name()),
                s.intValue(AppConfig.SWEEP_BATCH.name(), 1, 1_000_000),
                s.duration(AppConfig.SWEEP_BUDGET.name()),
                s.duration(AppConfig.SWEEP_TICK.name()),
                s.intValue(AppConfig.CUSTOMER_CACHE.name(), 0, 10_000_000),
                s.duration(AppConfig.METRICS_FLUSH.name()),
                contact(s),
                batching(s, AppConfig.CREDITS_BATCHED.name()),
                s.duration(AppConfig.LIVE_COMMIT_INTERVAL.name(), true).orElse(null),
                s.duration(AppConfig.LIVE_LAG.name()),
                compactionLag(s),
                new AppCounters(),
                new RefreshPasses());
    }

    /** When a hop's events travel as one record per partition and commit ({@code topology/PartitionBatches}). */
    public enum Batching {
        /** Every event in a batch. */
        ALWAYS,
        /** Events whose time is older than {@code commit.live.lag} in batches, live ones one by one. */
        BACKFILL,
        /** Every event alone. */
        NEVER
    }

    private static Batching batching(Settings s, String key) {
        return switch (s.require(key, "backfill, true or false").trim().toLowerCase(Locale.ROOT)) {
            case "true", "always" -> Batching.ALWAYS;
            case "false", "never" -> Batching.NEVER;
            case "backfill" -> Batching.BACKFILL;
            default -> throw s.invalid(key, "must be backfill (batches for records older than commit.live.lag), true or false");
        };
    }

    /** {@code erasure.compaction.lag}, checked: the longest an erased record may stay in a compacted changelog. */
    public static Duration compactionLag(Settings s) {
        Duration lag = s.duration(AppConfig.ERASURE_COMPACTION_LAG.name());
        if (lag.compareTo(Duration.ofSeconds(1)) < 0) {
            throw s.invalid(AppConfig.ERASURE_COMPACTION_LAG.name(), "must be at least 1s (the default, 1d, suits most deployments)");
        }
        return lag;
    }

    private static ContactPolicy contact(Settings s) {
        String zoneName = s.require(AppConfig.CONTACT_ZONE.name(), "a time zone such as UTC or Europe/Paris");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneName.trim());
        } catch (DateTimeException e) {
            throw s.invalid(AppConfig.CONTACT_ZONE.name(), "is not a time zone: write an IANA name such as Europe/Paris, or UTC");
        }
        Duration interval = s.duration(AppConfig.CONTACT_MIN_INTERVAL.name(), true).orElse(Duration.ZERO);
        try {
            return ContactPolicy.of(s.string(AppConfig.CONTACT_QUIET_HOURS.name()), zone, interval);
        } catch (IllegalArgumentException e) {
            throw s.invalid(AppConfig.CONTACT_QUIET_HOURS.name(), e.getMessage());
        }
    }

    private static double weight(Settings s, String key) {
        return s.doubleValue(key, 0.0, 100.0);
    }
}
