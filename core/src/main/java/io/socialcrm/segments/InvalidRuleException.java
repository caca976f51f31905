package io.socialcrm.segments;

/** A segment expression that does not compile, or does not give true/false; the message says where and why. */
public class InvalidRuleException extends RuntimeException {
    public InvalidRuleException(String message) {
        super(message, null, false, false);
    }
}
