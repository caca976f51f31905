package io.socialcrm.generator;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.generator.Population.Account;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Realistic permissioned social activity for the demo, benchmark and tests, deterministic for a
 * seed. Accounts act at rates that follow a daily and weekly rhythm in their own time zone; posts
 * talk about their communities in the taxonomy's words and hashtags; replies, shares, likes and
 * mentions go preferentially to well-followed accounts, and often to recent posts of popular ones
 * (cascades); some accounts opt in or out as time goes on. Most accounts never consent: they act
 * all the same, and the pipeline must keep nothing about them.
 */
public final class ActivityGenerator {
    private static final String[] FILLER = {"today", "really", "love", "this", "great", "what", "a", "day", "so",
        "watching", "again", "new", "best", "finally", "tonight", "weekend", "thanks", "everyone", "just", "wow"};
    private static final double[] TYPE_WEIGHTS = {0.33, 0.20, 0.15, 0.03, 0.20, 0.06, 0.03};
    private static final ActivityType[] TYPES = {ActivityType.POST, ActivityType.REPLY, ActivityType.SHARE,
        ActivityType.QUOTE, ActivityType.LIKE, ActivityType.FOLLOW, ActivityType.COMMENT};

    /** Where generated records go. */
    public interface Sink {
        void activity(SocialActivity activity);

        void consent(ConsentRecord consent);

        void profile(ProfileSnapshot profile);
    }

    private final Population population;
    private final Random random;
    private final double[] actorWeights;
    private final double[] targetWeights;
    private final Map<Community, int[]> members = new HashMap<>();
    private final Map<Community, double[]> memberWeights = new HashMap<>();
    private final Deque<long[]> hotPosts = new ArrayDeque<>();
    private long nextEvent;

    public ActivityGenerator(Population population, long seed) {
        this.population = population;
        this.random = new Random(seed * 31 + 7);
        List<Account> accounts = population.accounts;
        actorWeights = cumulative(accounts.stream().mapToDouble(a -> a.activity).toArray());
        targetWeights = cumulative(accounts.stream().mapToDouble(a -> Math.pow(1 + a.followers, 0.8)).toArray());
        Map<Community, List<Integer>> byCommunity = new HashMap<>();
        for (Account a : accounts) {
            for (Community c : a.communities) {
                byCommunity.computeIfAbsent(c, k -> new ArrayList<>()).add(a.index);
            }
        }
        byCommunity.forEach((c, list) -> {
            int[] idx = list.stream().mapToInt(Integer::intValue).toArray();
            members.put(c, idx);
            memberWeights.put(c, cumulative(Arrays.stream(idx).mapToDouble(i -> Math.pow(1 + accounts.get(i).followers, 0.8)).toArray()));
        });
    }

    /** A generator over a new population built from the taxonomy's default communities. */
    public static ActivityGenerator create(int customers, double optInRate, long seed, Taxonomy taxonomy) {
        List<Community> communities = Community.fromTaxonomy(taxonomy, Community.DEFAULT_IDS);
        return new ActivityGenerator(Population.generate(customers, optInRate, communities, new Random(seed)), seed);
    }

    public Population population() {
        return population;
    }

    /** The consents of the accounts that opted in, recorded before {@code start}, and a profile snapshot of every account. */
    public void initial(Instant start, Sink sink) {
        for (Account a : population.accounts) {
            if (a.scopes != null) {
                a.consented = true;
                sink.consent(consent(a, ConsentStatus.GRANTED, start.minusSeconds(3600L + random.nextInt(86_400 * 20))));
            }
            sink.profile(snapshot(a, start));
        }
    }

    /** One step of activity at simulated time {@code now}: usually one activity, sometimes a consent change too. */
    public void next(Instant now, Sink sink) {
        Account actor = pickActor(now);
        ActivityType type = pickType();
        SocialActivity.Builder activity = SocialActivity.newBuilder()
                .setEventId("gen-" + (nextEvent++))
                .setPlatform(actor.platform)
                .setActorId(actor.userId)
                .setActorHandle(actor.handle)
                .setType(type)
                .setActorFollowers(actor.followers)
                .setOccurredAt(now)
                .setSource("generator");
        Community topic = actor.communities.get(random.nextInt(actor.communities.size()));
        if (type != ActivityType.POST) {
            Account target = pickTarget(actor, topic);
            activity.setTargetUserId(target.userId);
            if (type != ActivityType.FOLLOW) {
                activity.setTargetPostId("p" + target.index + "-" + random.nextInt(1000));
            }
        }
        if (type == ActivityType.POST || type == ActivityType.REPLY || type == ActivityType.QUOTE || type == ActivityType.COMMENT) {
            activity.setText(text(topic)).setHashtags(hashtags(topic)).setLang("en");
            if (type == ActivityType.POST && random.nextDouble() < 0.3) {
                activity.setMentionedUserIds(List.of(pickTarget(actor, topic).userId));
            }
        }
        if (type == ActivityType.POST && actor.followers > 500) {
            hotPosts.addLast(new long[] {actor.index, (long) Math.min(Integer.MAX_VALUE, actor.followers)});
            if (hotPosts.size() > 64) {
                hotPosts.removeFirst();
            }
        }
        sink.activity(activity.build());
        double churn = random.nextDouble();
        if (churn < 0.004) {
            Account a = population.accounts.get(random.nextInt(population.accounts.size()));
            if (!a.consented) {
                if (a.scopes == null) {
                    a.scopes = Population.scopes(random);
                }
                a.consented = true;
                sink.consent(consent(a, ConsentStatus.GRANTED, now));
            }
        } else if (churn < 0.005) {
            Account a = population.accounts.get(random.nextInt(population.accounts.size()));
            if (a.consented) {
                a.consented = false;
                sink.consent(consent(a, ConsentStatus.REVOKED, now));
            }
        } else if (churn < 0.015) {
            sink.profile(snapshot(population.accounts.get(random.nextInt(population.accounts.size())), now));
        }
    }

    /** Number of accounts that hold a GRANTED consent now. */
    public long consentedAccounts() {
        return population.accounts.stream().filter(a -> a.consented).count();
    }

    private Account pickActor(Instant now) {
        while (true) {
            Account a = population.accounts.get(sample(actorWeights));
            if (random.nextDouble() < rhythm(now, a.utcOffsetHours)) {
                return a;
            }
        }
    }

    /** Relative activity 0-1 by local hour and weekday: quiet nights, busy evenings, livelier weekends. */
    static double rhythm(Instant now, int utcOffsetHours) {
        ZonedDateTime local = now.atZone(ZoneOffset.ofHours(utcOffsetHours));
        int hour = local.getHour();
        double daily = hour < 6 ? 0.08 : hour < 9 ? 0.45 : hour < 12 ? 0.6 : hour < 14 ? 0.75 : hour < 18 ? 0.55 : hour < 23 ? 1.0 : 0.4;
        int dow = local.getDayOfWeek().getValue();
        return daily * (dow >= 6 ? 1.0 : 0.85);
    }

    private ActivityType pickType() {
        double r = random.nextDouble();
        for (int i = 0; i < TYPES.length; i++) {
            r -= TYPE_WEIGHTS[i];
            if (r <= 0) {
                return TYPES[i];
            }
        }
        return ActivityType.POST;
    }

    private Account pickTarget(Account actor, Community topic) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Account target;
            double r = random.nextDouble();
            if (r < 0.35 && !hotPosts.isEmpty()) {
                long[] post = hotPosts.stream().skip(random.nextInt(hotPosts.size())).findFirst().orElseThrow();
                target = population.accounts.get((int) post[0]);
            } else if (r < 0.8) {
                int[] idx = members.get(topic);
                target = population.accounts.get(idx[sample(memberWeights.get(topic))]);
            } else {
                target = population.accounts.get(sample(targetWeights));
            }
            if (target.index != actor.index) {
                return target;
            }
        }
        return population.accounts.get((actor.index + 1) % population.accounts.size());
    }

    private String text(Community topic) {
        StringBuilder text = new StringBuilder();
        int words = 3 + random.nextInt(6);
        for (int i = 0; i < words; i++) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(random.nextDouble() < 0.35 ? topic.keywords().get(random.nextInt(topic.keywords().size()))
                    : FILLER[random.nextInt(FILLER.length)]);
        }
        return text.toString();
    }

    private List<String> hashtags(Community topic) {
        int count = random.nextDouble() < 0.5 ? 0 : 1 + random.nextInt(2);
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < count && !topic.hashtags().isEmpty(); i++) {
            tags.add(topic.hashtags().get(random.nextInt(topic.hashtags().size())));
        }
        return tags;
    }

    private ConsentRecord consent(Account a, ConsentStatus status, Instant at) {
        return ConsentRecord.newBuilder().setCustomerId(a.customerId).setPlatform(a.platform).setPlatformUserId(a.userId)
                .setHandle(a.handle).setScopes(status == ConsentStatus.GRANTED ? a.scopes : List.of()).setStatus(status)
                .setPolicyVersion("2026-01").setSource("preference-center").setRecordedAt(at).build();
    }

    private ProfileSnapshot snapshot(Account a, Instant at) {
        return ProfileSnapshot.newBuilder().setPlatform(a.platform).setPlatformUserId(a.userId)
                .setFollowers(a.followers).setFollowing(50 + a.index % 400).setPosts(100 + a.index % 5000)
                .setFetchedAt(at).build();
    }

    private int sample(double[] cumulative) {
        double r = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, r);
        return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
    }

    private static double[] cumulative(double[] weights) {
        double[] out = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            out[i] = sum;
        }
        return out;
    }
}
