package io.socialcrm.generator;

import io.socialcrm.avro.ConsentScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic population: customers with one to three accounts on several platforms, a fraction of
 * the accounts opted in (with varied scopes), heavy-tailed audiences, membership in a few
 * communities, and a time zone. Built deterministically from a seed.
 */
public final class Population {
    static final List<String> PLATFORMS = List.of("twitter", "instagram", "facebook", "linkedin", "tiktok");
    private static final int[] TIME_ZONES = {-8, -5, -3, 0, 1, 2, 3, 5, 8, 9, 10};

    /** One social account. */
    public static final class Account {
        public final int index;
        public final String customerId;
        public final String platform;
        public final String userId;
        public final String handle;
        public final long followers;
        public final int utcOffsetHours;
        public final double activity;
        public final List<Community> communities;
        /** Scopes the customer granted for this account, or null when the account never opted in. */
        public List<ConsentScope> scopes;
        public boolean consented;

        Account(int index, String customerId, String platform, String userId, String handle, long followers,
                int utcOffsetHours, double activity, List<Community> communities) {
            this.index = index;
            this.customerId = customerId;
            this.platform = platform;
            this.userId = userId;
            this.handle = handle;
            this.followers = followers;
            this.utcOffsetHours = utcOffsetHours;
            this.activity = activity;
            this.communities = communities;
        }

        public String key() {
            return platform + ":" + userId;
        }
    }

    public final List<Account> accounts = new ArrayList<>();
    public final int customers;

    private Population(int customers) {
        this.customers = customers;
    }

    /**
     * @param customers  number of customers (each with 1-3 accounts)
     * @param optInRate  fraction of accounts whose owner opts in at the start
     */
    public static Population generate(int customers, double optInRate, List<Community> communities, Random random) {
        Population p = new Population(customers);
        for (int c = 0; c < customers; c++) {
            String customerId = String.format("cust-%06d", c);
            int accountCount = 1 + (random.nextDouble() < 0.45 ? 1 : 0) + (random.nextDouble() < 0.15 ? 1 : 0);
            List<String> platforms = new ArrayList<>(PLATFORMS);
            java.util.Collections.shuffle(platforms, random);
            int zone = TIME_ZONES[random.nextInt(TIME_ZONES.length)];
            List<Community> mine = pickCommunities(communities, random);
            // heavy-tailed audience: log-normal, median about 150 followers
            double audience = Math.exp(5.0 + 1.9 * random.nextGaussian());
            double activity = Math.exp(0.8 * random.nextGaussian());
            for (int a = 0; a < accountCount; a++) {
                int index = p.accounts.size();
                String userId = Long.toString(100_000_000L + index);
                long followers = Math.max(0, Math.round(audience * Math.exp(0.5 * random.nextGaussian())));
                Account account = new Account(index, customerId, platforms.get(a), userId,
                        "user" + index, followers, zone, activity, mine);
                if (random.nextDouble() < optInRate) {
                    account.scopes = scopes(random);
                }
                p.accounts.add(account);
            }
        }
        return p;
    }

    private static List<Community> pickCommunities(List<Community> communities, Random random) {
        List<Community> mine = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            // a few communities are much bigger than the others (Zipf-like)
            int pick = (int) Math.min(communities.size() - 1, Math.floor(Math.pow(random.nextDouble(), 2.2) * communities.size()));
            Community c = communities.get(pick);
            if (!mine.contains(c)) {
                mine.add(c);
            }
        }
        return mine;
    }

    /** ACTIVITY always; CONTENT, PROFILE and MESSAGING for some. */
    static List<ConsentScope> scopes(Random random) {
        List<ConsentScope> scopes = new ArrayList<>(List.of(ConsentScope.ACTIVITY));
        if (random.nextDouble() < 0.85) {
            scopes.add(ConsentScope.CONTENT);
        }
        if (random.nextDouble() < 0.6) {
            scopes.add(ConsentScope.PROFILE);
        }
        if (random.nextDouble() < 0.35) {
            scopes.add(ConsentScope.MESSAGING);
        }
        return scopes;
    }
}
