package io.socialcrm.contract;

/**
 * The key of a segment member in {@code segment-index} and on {@code segment-members}:
 * {@code <segmentId>/<customerId>}, so that a segment's members are one key range. Segment ids
 * hold no '/' (a segment definition's id is lower-case letters, digits and '-'). Part of the data
 * contract: the BI sink reads the segment and the customer back from a tombstone's key.
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

    /** The customer of a member key. */
    public static String customerOf(String memberKey) {
        return memberKey.substring(memberKey.indexOf('/') + 1);
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
