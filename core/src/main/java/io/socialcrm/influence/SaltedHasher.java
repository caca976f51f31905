package io.socialcrm.influence;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Keyed hashes (SipHash-2-4, keys derived from the secret {@code engagers.salt}) of identifiers
 * that must be counted or recognised without being stored: engagers (distinct-engager sketches)
 * and event ids (duplicate detection). Without the salt a hash cannot be matched back to an id.
 */
public final class SaltedHasher {
    private final HashFunction first;
    private final HashFunction second;

    public SaltedHasher(String salt) {
        ByteBuffer key = ByteBuffer.wrap(sha256(salt));
        this.first = Hashing.sipHash24(key.getLong(), key.getLong());
        this.second = Hashing.sipHash24(key.getLong(), key.getLong());
    }

    /** 64-bit hash of an engaging account key. */
    public long engager(String accountKey) {
        return first.hashString(accountKey, StandardCharsets.UTF_8).asLong();
    }

    /** 128-bit hash of an account key, as 32 hex digits: how the account directory names an account. */
    public String account(String accountKey) {
        return java.util.HexFormat.of().formatHex(ByteBuffer.allocate(16)
                .putLong(first.hashString(accountKey, StandardCharsets.UTF_8).asLong())
                .putLong(second.hashString(accountKey, StandardCharsets.UTF_8).asLong())
                .array());
    }

    /**
     * 64-bit hash of an event id (platform-scoped), for duplicate detection: what the consent gate
     * keeps in {@code seen-batches} and {@code seen-index}. At a billion events within the window, two
     * different events share a hash with a probability of about 5e-11 each.
     */
    public byte[] event(String platform, String eventId) {
        return ByteBuffer.allocate(Long.BYTES)
                .putLong(first.hashString(platform + ':' + eventId, StandardCharsets.UTF_8).asLong())
                .array();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
