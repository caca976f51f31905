package io.socialcrm.bench.micro;

import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.AccountLinked;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CreditKind;
import io.socialcrm.avro.internal.CreditReceived;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.OwnActivity;
import io.socialcrm.common.AppCounters;
import io.socialcrm.context.ContextAnalyzer;
import io.socialcrm.context.Taxonomy;
import io.socialcrm.customers.AccountUpdates;
import io.socialcrm.customers.ProfileBuilder;
import io.socialcrm.influence.Decay;
import io.socialcrm.influence.InfluenceDistribution;
import io.socialcrm.influence.InfluenceModel;
import io.socialcrm.influence.InfluenceWeights;
import io.socialcrm.segments.ProfileView;
import io.socialcrm.segments.Segment;
import io.socialcrm.segments.SegmentEvaluator;
import io.socialcrm.segments.SegmentFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pure parts of the hot path, one at a time: what the consent gate does to a post's text
 * (context analysis), what a credit does to an account, what a refresh costs (the profile rolled
 * up and scored), and evaluating the default segments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HotPath {
    private ContextAnalyzer contexts;
    private AccountUpdates updates;
    private ProfileBuilder profiles;
    private CustomerState customer;
    private InfluenceDistribution distribution;
    private List<Segment> segments;
    private boolean[] member;
    private final SegmentEvaluator evaluator = new SegmentEvaluator(new AppCounters());
    private ProfileView view;
    private AccountState account;
    private long time;
    private long engager;
    private static final io.socialcrm.serde.InternalSerde<CustomerState> STATES = io.socialcrm.serde.InternalSerde.of(CustomerState.class);
    private static final String TEXT = "What a game tonight at the premier league, watching with friends https://www.bbc.co.uk/sport";
    private static final List<String> TAGS = List.of("premierleague", "football");
    private static final List<String> DOMAINS = List.of("bbc.co.uk");

    @Setup
    public void setUp() {
        io.socialcrm.serde.AvroClassTrust.install();
        Taxonomy taxonomy = Taxonomy.builtIn();
        contexts = new ContextAnalyzer(taxonomy);
        InfluenceModel model = new InfluenceModel(new InfluenceWeights(1.0, 0.8, 0.6, 0.3, 1.2, 0.3, 0.15),
                Duration.ofDays(30), Duration.ofDays(7));
        Decay contextDecay = Decay.halfLife(Duration.ofDays(14));
        updates = new AccountUpdates(model, contextDecay, 12);
        profiles = new ProfileBuilder(model, contextDecay);
        long t0 = 1_764_000_000_000L;
        customer = CustomerState.newBuilder().build();
        customer.setAccounts(new ArrayList<>());
        for (int a = 0; a < 2; a++) {
            AccountState s = AccountUpdates.newAccount(new AccountLinked("twitter:" + a, "twitter", Integer.toString(a), "h" + a,
                    List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.PROFILE), t0));
            for (int i = 0; i < 200; i++) {
                updates.credit(s, new CreditReceived("twitter:" + a, CreditKind.values()[1 + i % 5], t0 + i * 60_000L, i * 7919L));
                updates.activity(s, new OwnActivity("twitter:" + a, ActivityType.POST, t0 + i * 90_000L,
                        List.of("soccer", "sports-and-recreation-super", i % 2 == 0 ? "music" : "travel"), 1000L));
            }
            customer.getAccounts().add(s);
        }
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(400);
        for (int i = 0; i < 10_000; i++) {
            sketch.update(Math.log1p(i % 97) * 2 + (i % 13) * 0.3);
        }
        distribution = InfluenceDistribution.of(List.of(sketch.toByteArray()), 400, 10);
        segments = new ArrayList<>();
        for (SegmentDefinition d : SegmentFile.builtIn()) {
            segments.add(Segment.compile(d));
        }
        time = t0 + 400 * 90_000L;
        ProfileBuilder.Built built = profiles.build("c1", customer, time, distribution);
        view = new ProfileView(built.profile(), built.daysSinceActivity());
        // the steady state: the customer is already in the segments it qualifies for, so nothing changes
        member = new boolean[segments.size()];
        for (int i = 0; i < member.length; i++) {
            member[i] = evaluator.evaluate(segments.get(i), view, false) != null;
        }
        account = customer.getAccounts().get(0);
    }

    /** The consent gate's text analysis of one post (Lucene tokenising, taxonomy lookups); the text is not kept. */
    @Benchmark
    public void contextAnalysis(Blackhole bh) {
        bh.consume(contexts.ofContent(TEXT, TAGS, DOMAINS));
    }

    /** One credit to an account: decay brought forward, counter and distinct-engager sketch updated. */
    @Benchmark
    public void credit(Blackhole bh) {
        time += 1_000;
        updates.credit(account, new CreditReceived("twitter:0", CreditKind.SHARE, time, engager++));
        bh.consume(account.getShares());
    }

    /** A refresh: the customer's accounts rolled up into a profile, influence and rank computed. */
    @Benchmark
    public void scoring(Blackhole bh) {
        bh.consume(profiles.build("c1", customer, time, distribution));
    }

    /** The customer's state written and read back through the internal serde, as the customer stage does per event. */
    @Benchmark
    public void stateRoundTrip(Blackhole bh) {
        bh.consume(STATES.deserialize("customer-state", STATES.serialize("customer-state", customer)));
    }

    /** The 16 default segments evaluated for one profile (each rule as Java closures: segments/RuleClosures). */
    @Benchmark
    public void segmentEvaluation(Blackhole bh) {
        for (int i = 0; i < member.length; i++) {
            bh.consume(evaluator.evaluate(segments.get(i), view, member[i]));
        }
    }
}
