package io.socialcrm.segments;

/**
 * The key of a segment member in {@code segment-index} and on {@code segment-members}:
 * {@code <segmentId>/<customerId>}, so that a segment's members are one key range. Segment ids
 * hold no '/' ({@link Segment#compile} accepts lower-case letters, digits and '-').
 */
public final class MemberKey {
    private MemberKey() {
    }

    public static String of(String segmentId, String customerId) {
        return segmentId + "/" + customerId;
    }

    /** The segment of a member key. */
    public static String segmentOf(String memberKey) {
        return memberKey.substring(0, memberKey.indexOf('/'));
    }

    /** First key of a segment's members after {@code afterCustomer} (exclusive; null: from the first). */
    public static String rangeFrom(String segmentId, String afterCustomer) {
        return segmentId + "/" + (afterCustomer == null ? "" : afterCustomer + "\u0000");
    }

    /** A key after every member of the segment. */
    public static String rangeTo(String segmentId) {
        return segmentId + "/\uffff";
    }
}
