package io.socialcrm.consent;

import io.socialcrm.errors.InvalidRecordException;
import java.util.Set;

/** Account keys ({@code platform:platformUserId}) and the checks every account-keyed input shares. */
public final class AccountKeys {
    private AccountKeys() {
    }

    public static String of(String platform, String platformUserId) {
        return platform + ':' + platformUserId;
    }

    /** The platform of an account key. */
    public static String platformOf(String accountKey) {
        return accountKey.substring(0, accountKey.indexOf(':'));
    }

    /** The platform user id of an account key. */
    public static String userIdOf(String accountKey) {
        return accountKey.substring(accountKey.indexOf(':') + 1);
    }

    /** Refuses a record whose platform is not configured or whose key is not its account key. */
    public static void check(String key, String platform, String platformUserId, String idField, Set<String> platforms) {
        if (key == null) {
            throw new InvalidRecordException("record has no key: expected the account key 'platform:" + idField + "'");
        }
        if (platform == null || !platforms.contains(platform)) {
            throw new InvalidRecordException("platform '" + platform + "' is not one of the configured platforms "
                    + platforms.stream().sorted().toList() + " (setting 'platforms')");
        }
        if (platformUserId == null || platformUserId.isBlank()) {
            throw new InvalidRecordException(idField + " is missing");
        }
        if (!key.equals(of(platform, platformUserId))) {
            throw new InvalidRecordException("key is not the account key 'platform:" + idField + "' of the record");
        }
    }
}
