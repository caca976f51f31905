package io.socialcrm.bench.besthour;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.OwnActivity;
import io.socialcrm.customers.AccountUpdates;
import io.socialcrm.customers.ProfileBuilder;
import io.socialcrm.influence.Decay;
import io.socialcrm.influence.InfluenceDistribution;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.influence.InfluenceWeights;
import io.socialcrm.serde.AvroClassTrust;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * How good is {@code bestHourOfWeek}? Evaluated on the Klout when-to-post samples (real post →
 * reaction times, KDD 2015), in the spirit of the paper's comparison of a per-user hour against a
 * global one. In these samples every post was made within two minutes (2014-10-14, 23:58 UTC) and
 * the reactions came over the next 24 hours, so the per-person timelines they hold are each user's
 * reactions: the estimator learns a user's rhythm from all but one of them and is scored on the one
 * left out (leave-one-out). The estimator is the customer stage's own code: each event an
 * {@code OwnActivity} through {@link AccountUpdates}, the hour read off {@link ProfileBuilder}'s
 * profile. Against: the <b>global</b> best hour (the busiest hour of the other users' reactions: one
 * hour for everyone), and a <b>random</b> hour of the day (expected 1/24, 3/24 with the window; and a
 * seeded draw).
 */
public final class BestHourEvaluation {
    private static final int WEEK = 168;

    /** One post → reaction row. */
    public record Reaction(String user, String post, long postedAt, long reactedAt) {
    }

    /** Hit rates of the three strategies over one data set. */
    public record Result(String name, int users, int reactions, double perUser, double perUserWindow, double global,
                         double globalWindow, double randomDrawn, double randomWindowDrawn) {
        /** The expected hit rate of a random hour of the day's 24. */
        public double randomExpected() {
            return 1.0 / 24;
        }

        public double randomWindowExpected() {
            return 3.0 / 24;
        }
    }

    private final AccountUpdates updates;
    private final ProfileBuilder profiles;

    /** {@code contextDecay}: the half-life the customer stage decays contexts and hours with ({@code context.halflife}). */
    public BestHourEvaluation(Decay contextDecay) {
        AvroClassTrust.install(); // the customer stage's state classes are built here
        // influence plays no part in the best hour; any model will do
        InfluenceModel model = new InfluenceModel(new InfluenceWeights(1, 1, 1, 1, 1, 1, 1), Duration.ofDays(30), Duration.ofDays(7));
        this.updates = new AccountUpdates(model, contextDecay, 12);
        this.profiles = new ProfileBuilder(model, contextDecay);
    }

    /** Reads a when-to-post TSV (header lines start with '#'). */
    public static List<Reaction> read(InputStream in) {
        List<Reaction> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length < 5) {
                    throw new IllegalArgumentException("line " + number + ": expected user, actor, post, post time, action time");
                }
                try {
                    rows.add(new Reaction(f[0], f[2], Long.parseLong(f[3].trim()), Long.parseLong(f[4].trim())));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("line " + number + ": the times must be epoch milliseconds", e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** The user's best hour of the week as the customer stage computes it, from their posts. */
    public Integer bestHour(String platform, List<Long> postTimes) {
        AccountState account = AccountUpdates.newAccount(new AccountLinked(platform + ":u", platform, "u", null,
                List.of(ConsentScope.ACTIVITY), postTimes.get(0)));
        long last = Long.MIN_VALUE;
        for (long t : postTimes.stream().sorted().toList()) {
            updates.activity(account, new OwnActivity(platform + ":u", ActivityType.POST, t, List.of(), null));
            last = Math.max(last, t);
        }
        CustomerState state = CustomerState.newBuilder().build();
        state.setAccounts(new ArrayList<>(List.of(account)));
        return profiles.build("u", state, last, InfluenceDistribution.empty()).profile().getBestHourOfWeek();
    }

    /**
     * Leave-one-out over each user's reactions: the user's best hour is estimated from their other
     * reactions (users with at least two), and the held-out one is a hit if it falls in that hour
     * (or within an hour of it). The global hour is the busiest hour of the other users' reactions;
     * the random hour is drawn from the hours of the day the sample spans (24).
     */
    public Result evaluate(String name, String platform, List<Reaction> rows, long seed) {
        Map<String, List<Long>> reactionsByUser = new TreeMap<>();
        for (Reaction r : rows) {
            reactionsByUser.computeIfAbsent(r.user(), u -> new ArrayList<>()).add(r.reactedAt());
        }
        int[] perHour = new int[WEEK];
        rows.forEach(r -> perHour[AccountUpdates.hourOfWeek(r.reactedAt())]++);
        long first = rows.stream().mapToLong(Reaction::reactedAt).min().orElse(0);
        Random random = new Random(seed);
        long[] hits = new long[6];
        int reactions = 0;
        int users = 0;
        for (List<Long> times : reactionsByUser.values()) {
            if (times.size() < 2) {
                continue;
            }
            users++;
            int[] others = perHour.clone();
            times.forEach(t -> others[AccountUpdates.hourOfWeek(t)]--);
            int global = argMax(others);
            for (int i = 0; i < times.size(); i++) {
                List<Long> rest = new ArrayList<>(times);
                long heldOut = rest.remove(i);
                int own = bestHour(platform, rest);
                int drawn = AccountUpdates.hourOfWeek(first + random.nextInt(24) * 3_600_000L);
                int hour = AccountUpdates.hourOfWeek(heldOut);
                reactions++;
                int[] chosen = {own, global, drawn};
                for (int k = 0; k < 3; k++) {
                    hits[2 * k] += hour == chosen[k] ? 1 : 0;
                    hits[2 * k + 1] += distance(hour, chosen[k]) <= 1 ? 1 : 0;
                }
            }
        }
        double n = Math.max(1, reactions);
        return new Result(name, users, reactions, hits[0] / n, hits[1] / n, hits[2] / n, hits[3] / n, hits[4] / n, hits[5] / n);
    }

    /** Hours apart on the week's circle. */
    static int distance(int a, int b) {
        int d = Math.abs(a - b) % WEEK;
        return Math.min(d, WEEK - d);
    }

    private static int argMax(int[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The bundled samples: resource name → platform. */
    public static Map<String, String> bundled() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("user_timestamp_open_set_tw.tsv", "twitter");
        files.put("user_timestamp_open_set_fb.tsv", "facebook");
        return files;
    }

    /** A bundled sample's rows. */
    public static List<Reaction> readBundled(String file) {
        InputStream in = BestHourEvaluation.class.getResourceAsStream("/fixtures/klout-when-to-post/" + file);
        if (in == null) {
            throw new IllegalStateException("the bundled sample " + file + " is missing from the jar");
        }
        return read(in);
    }
}
