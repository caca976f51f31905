package io.socialcrm.common;

import java.util.List;

/**
 * Names of every store, repartition topic and processor of the topology, in one place. Internal
 * topics are named {@code <application.id>-<name>-repartition} / {@code -changelog} after these;
 * renaming one breaks an upgrade in place (the golden describe() test guards them).
 */
public final class Names {
    private Names() {
    }

    // account-keyed stage
    public static final String ACCOUNT_CONSENTS = "account-consents";
    /** The event hashes of the de-duplication window, in batches: the durable record (consent/SeenEvents). */
    public static final String SEEN_BATCHES = "seen-batches";
    /** Marks that the open batch of {@link #SEEN_BATCHES} waits to be written before the commit (consent/SeenEvents; memory only). */
    public static final String SEEN_BATCHES_MARKS = "seen-batches-marks";
    /** The event hashes of the de-duplication window by hash, rebuilt from {@link #SEEN_BATCHES}: no changelog. */
    public static final String SEEN_INDEX = "seen-index";
    /** Versions before December 2026 kept a changelog record an event hash here; taken up into batches and emptied. */
    public static final String SEEN_EVENTS = "seen-events";
    /** The gate's counts (seen, accepted, dropped), until it flushes them to the metrics stage. */
    public static final String METRICS_BUFFER = "metrics-buffer";
    /** The consent recorder's take-up counts (granted, revoked), until it flushes them to the metrics stage. */
    public static final String CONSENT_METRICS_BUFFER = "consent-metrics-buffer";
    /** Marks that the gate's counts wait to be written to {@link #METRICS_BUFFER} before the commit (common/BeforeCommit; memory only). */
    public static final String METRICS_BUFFER_MARKS = "metrics-buffer-marks";
    /** The same for {@link #CONSENT_METRICS_BUFFER}. */
    public static final String CONSENT_METRICS_BUFFER_MARKS = "consent-metrics-buffer-marks";
    /** The partitions of {@code account-commands} a credit batch is waiting for (topology/PartitionBatches; memory only). */
    public static final String CREDIT_BATCHES = "account-commands-batches";
    /** The partitions of {@code customer-events} an event batch is waiting for (topology/PartitionBatches; memory only). */
    public static final String EVENT_BATCHES = "customer-events-batches";
    public static final String ACCEPTED_DEFINITIONS = "accepted-definitions";

    // customer-keyed stage
    public static final String CUSTOMER_STATE = "customer-state";
    /** Marks that changed customer states wait to be written to {@link #CUSTOMER_STATE} before the commit (customers/CustomerStates; memory only). */
    public static final String CUSTOMER_STATE_MARKS = "customer-state-marks";
    public static final String SEGMENT_INDEX = "segment-index";
    public static final String INFLUENCE_INDEX = "influence-index";
    /**
     * The customer stage's own copy of the accepted segment definitions (each task keeps one, fed by
     * the definitions topic): not the {@code segment-definitions} topic itself, hence "-local".
     */
    public static final String CUSTOMER_STAGE_DEFINITIONS = "segment-definitions-local";
    /** Every accepted version of every segment definition, keyed by {@link #segmentVersionKey}; value timestamp: when accepted. */
    public static final String SEGMENT_VERSIONS = "segment-versions-local";
    public static final String PENDING_ERASURES = "pending-erasures";
    /** Customer stage: each customer's contact opportunity, scheduled or due, and the time of the last (ContactPlan). */
    public static final String CONTACT_PLANS = "contact-plans";
    /** Marks that profiles wait to be written before the commit (common/BeforeCommit; memory only). */
    public static final String PROFILE_OUTBOX = "customer-profiles-outbox";
    /** Active-account counts of the customer stage, until they are flushed to the metrics stage. */
    public static final String CUSTOMER_METRICS_BUFFER = "customer-metrics-buffer";
    /** The same for {@link #CUSTOMER_METRICS_BUFFER}. */
    public static final String CUSTOMER_METRICS_BUFFER_MARKS = "customer-metrics-buffer-marks";

    // platform-keyed stage
    public static final String METRICS_TOTALS = "metrics-totals";

    // global
    public static final String INFLUENCE_DISTRIBUTION = "influence-distribution-store";
    public static final String ACCOUNT_DIRECTORY = "account-directory-store";

    // repartition topics
    public static final String ACCOUNT_COMMANDS = "account-commands";
    public static final String CUSTOMER_EVENTS = "customer-events";
    public static final String METRICS_DELTAS = "metrics-deltas";

    /** Full name of a repartition topic of this application. */
    public static String repartitionTopic(String applicationId, String name) {
        return applicationId + "-" + name + "-repartition";
    }

    /** Every repartition topic of this application: what it must have consumed before its work is done. */
    public static List<String> repartitionTopics(String applicationId) {
        return List.of(repartitionTopic(applicationId, ACCOUNT_COMMANDS), repartitionTopic(applicationId, CUSTOMER_EVENTS),
                repartitionTopic(applicationId, METRICS_DELTAS));
    }

    /** Key of a definition's version in {@link #SEGMENT_VERSIONS}: segment id, '/', the version zero-padded (so keys sort by version). */
    public static String segmentVersionKey(String segmentId, int version) {
        return segmentId + "/" + String.format("%011d", (long) version - Integer.MIN_VALUE);
    }
}
