package io.socialcrm.common;

import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.internal.AccountCommand;
import io.socialcrm.avro.internal.CustomerEvent;
import io.socialcrm.avro.internal.MetricsDeltas;

/**
 * What a processor emits, tagged with where it goes; the topology splits on the tag into named
 * branches, one per destination topic. The wrapped value may be null (a tombstone).
 */
public sealed interface Routed {
    /** To the customer stage (repartition customer-events, key: customerId). */
    record ToCustomers(CustomerEvent event) implements Routed {
    }

    /** To the account stage (repartition account-commands, key: account key). */
    record ToAccounts(AccountCommand command) implements Routed {
    }

    /** To the metrics stage (repartition metrics-deltas, key: platform): one platform's counts from one buffer's flush. */
    record ToMetrics(MetricsDeltas deltas) implements Routed {
    }

    record ToMetricsOutput(ActivityMetrics metrics) implements Routed {
    }

    record ToProfiles(CustomerProfile profile) implements Routed {
    }

    record ToSegmentChanges(SegmentChange change) implements Routed {
    }

    /** A SHADOW segment's would-be change (topic segment-shadow-changes). */
    record ToShadowChanges(SegmentChange change) implements Routed {
    }

    /** A campaign segment's contact opportunity, due or cancelled (topic contact-opportunities). */
    record ToContactOpportunities(ContactOpportunity opportunity) implements Routed {
    }

    record ToSegmentMembers(SegmentMembership membership) implements Routed {
    }

    record ToReceipts(ErasureReceipt receipt) implements Routed {
    }

    /** A customer's access report (topic access-reports), or null: the tombstone an erasure leaves. */
    record ToAccessReports(AccessReport report) implements Routed {
    }

    /** A partition's cross-platform consent take-up (topic consent-take-up). */
    record ToTakeUp(ConsentTakeUp takeUp) implements Routed {
    }

    /** A partition's influence sketch (topic influence-distribution). */
    record ToDistribution(byte[] sketch) implements Routed {
    }

    /**
     * An entry of the account directory (topic account-directory, key: {@code AccountDirectory.key}):
     * the customer an account with ACTIVITY consent belongs to, or null when it has none any more.
     */
    record ToDirectory(String customerId) implements Routed {
    }

    /** A tombstone for an erased account on an input topic (consents, social-profiles). */
    record ToInputTombstone(String topic) implements Routed {
    }

    /** A compaction marker ({@link CompactionMarkers}) for every partition of a compacted topic. */
    record ToCompactionMarker(String topic) implements Routed {
    }
}
