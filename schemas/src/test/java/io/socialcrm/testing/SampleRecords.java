package io.socialcrm.testing;

import io.socialcrm.avro.AccessReport;
import io.socialcrm.avro.AccessRequest;
import io.socialcrm.avro.ActivityMetrics;
import io.socialcrm.avro.ActivityType;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.avro.ConsentTakeUp;
import io.socialcrm.avro.ContactOpportunity;
import io.socialcrm.avro.CustomerMerge;
import io.socialcrm.avro.CustomerProfile;
import io.socialcrm.avro.CustomerUnmerge;
import io.socialcrm.avro.ErasureAction;
import io.socialcrm.avro.ErasureReceipt;
import io.socialcrm.avro.ErasureRequest;
import io.socialcrm.avro.ErasureTargetKind;
import io.socialcrm.avro.Influence;
import io.socialcrm.avro.LinkedAccount;
import io.socialcrm.avro.MembershipChange;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SegmentChange;
import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.SegmentMembership;
import io.socialcrm.avro.SocialActivity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in record of every type of the data contract (every optional field set). */
public final class SampleRecords {
    public static final Instant T = Instant.parse("2026-03-14T15:09:26.535Z");

    private SampleRecords() {
    }

    public static SocialActivity activity() {
        return SocialActivity.newBuilder()
                .setEventId("1234567890").setPlatform("twitter").setActorId("783214").setActorHandle("twitter")
                .setType(ActivityType.REPLY).setTargetUserId("6253282").setTargetPostId("987654321")
                .setMentionedUserIds(List.of("12", "13")).setHashtags(List.of("football", "epl"))
                .setText("What a goal! #football #epl").setLang("en").setActorFollowers(1500L)
                .setOccurredAt(T).setSource("test").setLinkDomains(List.of("bbc.co.uk")).build();
    }

    public static ProfileSnapshot profile() {
        return ProfileSnapshot.newBuilder().setPlatform("twitter").setPlatformUserId("783214")
                .setFollowers(62_000_000L).setFollowing(120).setPosts(15_000).setFetchedAt(T).build();
    }

    public static ConsentRecord consent() {
        return ConsentRecord.newBuilder().setCustomerId("c-42").setPlatform("twitter").setPlatformUserId("783214")
                .setHandle("twitter").setScopes(List.of(ConsentScope.ACTIVITY, ConsentScope.CONTENT, ConsentScope.MESSAGING))
                .setStatus(ConsentStatus.GRANTED).setPolicyVersion("2026-01").setSource("web-preferences")
                .setRecordedAt(T).build();
    }

    public static SegmentDefinition segment() {
        return SegmentDefinition.newBuilder().setId("top-influencers").setDescription("The top decile")
                .setEnterWhen("influence.score >= 90.0").setExitWhen("influence.score < 85.0")
                .setVersion(3).setEnabled(true).build();
    }

    public static CustomerMerge merge() {
        return CustomerMerge.newBuilder().setSurvivorId("c-42").setMergedId("c-43").setRequestedAt(T).build();
    }

    public static CustomerUnmerge unmerge() {
        return CustomerUnmerge.newBuilder().setSurvivorId("c-42").setMergedId("c-43").setAccountKeys(List.of("twitter:43"))
                .setRequestedAt(T).build();
    }

    public static ErasureRequest erasure() {
        return ErasureRequest.newBuilder().setRequestId("req-1").setCustomerId("c-42").setRequestedAt(T).build();
    }

    public static CustomerProfile customerProfile() {
        return CustomerProfile.newBuilder()
                .setCustomerId("c-42")
                .setAccounts(List.of(LinkedAccount.newBuilder().setAccountKey("twitter:783214").setPlatform("twitter")
                        .setPlatformUserId("783214").setHandle("twitter")
                        .setScopes(List.of(ConsentScope.ACTIVITY)).setLinkedAt(T).build()))
                .setInfluence(Influence.newBuilder().setRaw(7.25).setScore(93.1).setPercentile(0.931)
                        .setFollowers(62_000_000L).setSharesReceived(12.5).setMentionsReceived(3.25)
                        .setRepliesReceived(4.0).setLikesReceived(40.0).setDistinctEngagers(17.0)
                        .setFollowsReceived(2.0).setMomentum(1.4).build())
                .setContexts(Map.of("football", 3.5, "sports", 3.5))
                .setBestHourOfWeek(100).setSegments(List.of("football", "top-influencers")).setContactable(true)
                .setLastActivityAt(T).setActivityLevel(5.5).setUpdatedAt(T).setModelVersion("influence-v1").build();
    }

    public static SegmentChange segmentChange() {
        return SegmentChange.newBuilder().setCustomerId("c-42").setSegmentId("top-influencers")
                .setChange(MembershipChange.ENTERED).setReason("enterWhen (influence.score >= 90.0) is true: influence.score=93.1")
                .setInfluenceScore(93.1).setTopContexts(List.of("football")).setBestHourOfWeek(100)
                .setContactable(true).setDefinitionVersion(3).setAt(T).build();
    }

    public static SegmentMembership membership() {
        return SegmentMembership.newBuilder().setSegmentId("top-influencers").setCustomerId("c-42").setSince(T)
                .setReason("enterWhen (influence.score >= 90.0) is true").setDefinitionVersion(3).build();
    }

    public static ActivityMetrics metrics() {
        return ActivityMetrics.newBuilder().setPlatform("twitter").setWindowStart(T).setWindowEnd(T.plusSeconds(3600))
                .setActivitiesSeen(100).setActivitiesAccepted(40).setDroppedNoConsent(60).setDistinctActiveAccounts(12)
                .setConsentsGranted(3).setConsentsRevoked(1).build();
    }

    public static ConsentTakeUp takeUp() {
        return ConsentTakeUp.newBuilder().setPartition(0).setCustomers(10).setByPlatformCount(Map.of("1", 7L, "2", 2L, "3+", 1L))
                .setByPlatform(Map.of("twitter", 6L, "bluesky", 5L, "mastodon", 3L))
                .setPairs(Map.of("bluesky+twitter", 2L, "bluesky+mastodon", 1L, "mastodon+twitter", 1L)).setAsOf(T).build();
    }

    public static ContactOpportunity contactOpportunity() {
        return ContactOpportunity.newBuilder().setOpportunityId("c-42/top-influencers/" + T.toEpochMilli()).setCustomerId("c-42")
                .setSegmentId("top-influencers").setDefinitionVersion(3).setStatus("DUE")
                .setReason("enterWhen (influence.score >= 90.0) is true: influence.score=93.1").setEnteredAt(T)
                .setContactAt(T.plusSeconds(7200)).setExpiresAt(T.plusSeconds(10_800)).setHourOfWeek(100).setConfidence(0.42)
                .setCancelReason(null).setAt(T.plusSeconds(7200)).build();
    }

    public static AccessRequest accessRequest() {
        return AccessRequest.newBuilder().setRequestId("access-1").setCustomerId("c-42").setRequestedAt(T).build();
    }

    public static AccessReport accessReport() {
        return AccessReport.newBuilder().setRequestId("access-1").setCustomerId("c-42").setGeneratedAt(T).setHeld(true)
                .setReport("{\"customerId\":\"c-42\",\"held\":true}").build();
    }

    public static ErasureReceipt receipt() {
        return ErasureReceipt.newBuilder().setRequestId("req-1").setCustomerId("c-42").setHeldData(true)
                .setAccountsRemoved(1).setSegmentsExited(List.of("top-influencers"))
                .setRemoved(List.of(ErasureAction.newBuilder().setTarget("customer-store")
                        .setTargetKind(ErasureTargetKind.STATE_STORE).setRecords(1).build()))
                .setCompletedAt(T).build();
    }

    /** One record of every contract type. */
    public static List<SpecificRecord> all() {
        return List.of(activity(), profile(), consent(), segment(), merge(), unmerge(), erasure(), customerProfile(),
                segmentChange(), membership(), contactOpportunity(), metrics(), takeUp(), accessRequest(), accessReport(), receipt());
    }
}
