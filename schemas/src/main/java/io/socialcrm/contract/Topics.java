package io.socialcrm.contract;

import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.AccessRequest;
import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.CustomerUnmerge;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.serde.AvroSerde;
import io.socialcrm.serde.SchemaRegistryConfig;
import io.socialcrm.serde.Utf8KeySerde;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;

/**
 * The topic catalogue: the only place that names the contract's topics (docs/data-contract.md), with
 * their value types, kinds and retention, under an optional prefix. Immutable.
 */
public final class Topics {
    /** Raw activity is personal data of people who may never consent: kept a short time only. */
    public static final Duration RAW_ACTIVITY_RETENTION = Duration.ofDays(7);
    public static final Duration EVENT_RETENTION = Duration.ofDays(7);
    public static final Duration METRICS_RETENTION = Duration.ofDays(90);
    public static final Duration RECEIPT_RETENTION = Duration.ofDays(365);
    /**
     * The key of the compaction markers: tombstones (never a value) that the application appends to
     * each partition of the compacted topics it writes, every quarter of {@code erasure.compaction.lag}.
     * A partition's active segment rolls only on an append, and the log cleaner never reads the
     * active segment, so without them an erased customer's records could stay for good in a partition
     * nothing else is written to. The key names no customer, account or member; readers skip it.
     */
    public static final String COMPACTION_MARKER_KEY = "__socialcrm.compaction-marker";
    /** {@code max.compaction.lag.ms} of the compacted topics the catalogue creates: the default {@code erasure.compaction.lag}. */
    public static final Duration MAX_COMPACTION_LAG = Duration.ofDays(1);

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]*");

    public final Topic<SocialActivity> socialActivity;
    public final Topic<ProfileSnapshot> socialProfiles;
    public final Topic<ConsentRecord> consents;
    public final Topic<SegmentDefinition> segmentDefinitions;
    public final Topic<CustomerMerge> customerMerges;
    public final Topic<CustomerUnmerge> customerUnmerges;
    public final Topic<ErasureRequest> erasureRequests;
    public final Topic<CustomerProfile> customerProfiles;
    public final Topic<SegmentChange> segmentChanges;
    /** The would-be changes of SHADOW segment definitions: the same records as segment-changes, nothing live. */
    public final Topic<SegmentChange> segmentShadowChanges;
    public final Topic<SegmentMembership> segmentMembers;
    public final Topic<ActivityMetrics> socialMetrics;
    /** A customer's request to see what is held about them (key: customerId). */
    public final Topic<AccessRequest> accessRequests;
    /** The answers: everything held about a customer, as a portable JSON document (key: customerId; compacted, tombstoned by erasure). */
    public final Topic<AccessReport> accessReports;
    /**
     * Cross-platform consent take-up per customer partition (customers on 1, 2, 3+ platforms, per
     * platform pair), written at the end of each sweep that changed it; compacted: add up every key.
     */
    public final Topic<ConsentTakeUp> consentTakeUp;
    /**
     * Contact opportunities of campaign segments: one DUE record at the customer's chosen hour, or a
     * CANCELLED one (key: customerId; append-only, kept like segment-changes).
     */
    public final Topic<ContactOpportunity> contactOpportunities;
    public final Topic<ErasureReceipt> erasureReceipts;
    public final Topic<byte[]> deadLetters;
    /**
     * Not in the public contract: each partition's sketch of influence raw values, read back by
     * every instance so that scores rank against all customers. Holds no personal data.
     */
    public final Topic<byte[]> influenceDistribution;
    /**
     * Not in the public contract: which customer each account with a consent in force (ACTIVITY
     * scope) belongs to, keyed by the application id and a salted hash of the account key, read by
     * every instance so that a credit goes straight to its customer. Tombstoned on revocation and
     * erasure.
     */
    public final Topic<byte[]> accountDirectory;

    private final String prefix;

    private Topics(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new ConfigException("topics.prefix", prefix, "may hold only letters, digits, '.', '_' and '-'");
        }
        this.prefix = prefix;
        socialActivity = new Topic<>("social-activity", "", SocialActivity.class, TopicKind.INPUT_APPEND,
                RAW_ACTIVITY_RETENTION, "account key of the actor").withPrefix(prefix);
        socialProfiles = new Topic<>("social-profiles", "", ProfileSnapshot.class, TopicKind.INPUT_COMPACTED,
                null, "account key").withPrefix(prefix);
        consents = new Topic<>("consents", "", ConsentRecord.class, TopicKind.INPUT_COMPACTED,
                null, "account key").withPrefix(prefix);
        segmentDefinitions = new Topic<>("segment-definitions", "", SegmentDefinition.class, TopicKind.INPUT_COMPACTED,
                null, "segment id").withPrefix(prefix);
        customerMerges = new Topic<>("customer-merges", "", CustomerMerge.class, TopicKind.INPUT_APPEND,
                EVENT_RETENTION, "merged customerId").withPrefix(prefix);
        customerUnmerges = new Topic<>("customer-unmerges", "", CustomerUnmerge.class, TopicKind.INPUT_APPEND,
                EVENT_RETENTION, "survivor customerId").withPrefix(prefix);
        erasureRequests = new Topic<>("erasure-requests", "", ErasureRequest.class, TopicKind.INPUT_APPEND,
                EVENT_RETENTION, "customerId").withPrefix(prefix);
        customerProfiles = new Topic<>("customer-profiles", "", CustomerProfile.class, TopicKind.OUTPUT_COMPACTED,
                null, "customerId").withPrefix(prefix);
        segmentChanges = new Topic<>("segment-changes", "", SegmentChange.class, TopicKind.OUTPUT_APPEND,
                EVENT_RETENTION, "customerId").withPrefix(prefix);
        segmentShadowChanges = new Topic<>("segment-shadow-changes", "", SegmentChange.class, TopicKind.OUTPUT_APPEND,
                EVENT_RETENTION, "customerId").withPrefix(prefix);
        segmentMembers = new Topic<>("segment-members", "", SegmentMembership.class, TopicKind.OUTPUT_COMPACTED,
                null, "segmentId/customerId").withPrefix(prefix);
        accessRequests = new Topic<>("access-requests", "", AccessRequest.class, TopicKind.INPUT_APPEND,
                EVENT_RETENTION, "customerId").withPrefix(prefix);
        accessReports = new Topic<>("access-reports", "", AccessReport.class, TopicKind.OUTPUT_COMPACTED,
                null, "customerId").withPrefix(prefix);
        consentTakeUp = new Topic<>("consent-take-up", "", ConsentTakeUp.class, TopicKind.OUTPUT_COMPACTED,
                null, "application id and partition").withPrefix(prefix);
        contactOpportunities = new Topic<>("contact-opportunities", "", ContactOpportunity.class, TopicKind.OUTPUT_APPEND,
                EVENT_RETENTION, "customerId").withPrefix(prefix);
        socialMetrics = new Topic<>("social-metrics", "", ActivityMetrics.class, TopicKind.OUTPUT_APPEND,
                METRICS_RETENTION, "platform").withPrefix(prefix);
        erasureReceipts = new Topic<>("erasure-receipts", "", ErasureReceipt.class, TopicKind.OUTPUT_APPEND,
                RECEIPT_RETENTION, "customerId").withPrefix(prefix);
        deadLetters = new Topic<>("dead-letters", "", byte[].class, TopicKind.OUTPUT_APPEND,
                EVENT_RETENTION, "original key").withPrefix(prefix);
        influenceDistribution = new Topic<>("influence-distribution", "", byte[].class, TopicKind.INTERNAL_COMPACTED,
                null, "application id and partition").withPrefix(prefix);
        accountDirectory = new Topic<>("account-directory", "", byte[].class, TopicKind.INTERNAL_COMPACTED,
                null, "application id and salted hash of the account key").withPrefix(prefix);
    }

    /** The catalogue with the contract's names as they are. */
    public static Topics defaults() {
        return new Topics("");
    }

    /** The catalogue with every name prefixed, e.g. {@code acme.} gives {@code acme.social-activity}. */
    public static Topics withPrefix(String prefix) {
        return new Topics(prefix == null ? "" : prefix);
    }

    public String prefix() {
        return prefix;
    }

    /** Every topic of the contract, inputs first. */
    public List<Topic<?>> all() {
        return List.of(socialActivity, socialProfiles, consents, segmentDefinitions, customerMerges, customerUnmerges, erasureRequests,
                accessRequests, customerProfiles, segmentChanges, segmentShadowChanges, segmentMembers, contactOpportunities, socialMetrics,
                consentTakeUp,
                accessReports, erasureReceipts, deadLetters,
                influenceDistribution, accountDirectory);
    }

    /**
     * Topics read together by one sub-topology (keyed by account key): they must have the same
     * number of partitions, or a consent and the activity it gates would meet in different tasks.
     */
    public List<Topic<?>> coPartitioned() {
        return List.of(socialActivity, socialProfiles, consents);
    }

    /** Keys are UTF-8 strings on every topic (read strictly: bytes that are not UTF-8 are an error). */
    public static Serde<String> keySerde() {
        return KEYS;
    }

    private static final Serde<String> KEYS = new Utf8KeySerde();

    /** The Avro value serde of a topic, ready to use. */
    public static <V extends SpecificRecord> Serde<V> valueSerde(Topic<V> topic, SchemaRegistryConfig registry) {
        return AvroSerde.specific(topic.valueType(), registry, false);
    }
}
