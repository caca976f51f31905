package io.socialcrm.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.testing.SampleRecords;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The internal serde writes Avro's single-object encoding, byte for byte, and reads it back. */
class InternalSerdeTest {

    private static AccountState account() {
        return AccountState.newBuilder().setAccountKey("twitter:1").setPlatform("twitter").setPlatformUserId("1")
                .setLinkedAt(5L).setShares(2.5).setContexts(Map.of("soccer", 1.5f)).setHours(Map.of("100", 0.5f))
                .setEngagerSketch(ByteBuffer.wrap(new byte[] {1, 2, 3})).build();
    }

    @Test
    void bytesAreAvroSingleObjectEncodingBothWays() throws Exception {
        InternalSerde<AccountState> serde = InternalSerde.of(AccountState.class);
        AccountState state = account();
        byte[] ours = serde.serialize("t", state);
        ByteBuffer theirs = AccountState.getEncoder().encode(state);
        byte[] theirBytes = new byte[theirs.remaining()];
        theirs.get(theirBytes);
        assertArrayEquals(theirBytes, ours, "same bytes as Avro's BinaryMessageEncoder");
        assertEquals(state, AccountState.getDecoder().decode(ours), "Avro's decoder reads ours");
        assertEquals(state, serde.deserialize("t", ours));
    }

    @Test
    void contractRecordsRoundTripToo() {
        InternalSerde<SegmentDefinition> serde = InternalSerde.of(SegmentDefinition.class);
        assertEquals(SampleRecords.segment(), serde.deserialize("t", serde.serialize("t", SampleRecords.segment())));
    }

    @Test
    void foreignBytesAreRefused() {
        InternalSerde<AccountState> serde = InternalSerde.of(AccountState.class);
        assertThrows(UnknownMagicByteException.class, () -> serde.deserialize("t", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        byte[] bytes = serde.serialize("t", account());
        bytes[5] ^= 0x55;
        MalformedPayloadException e = assertThrows(MalformedPayloadException.class, () -> serde.deserialize("t", bytes));
        assertEquals(true, e.getMessage().contains("schema this version does not know"), e.getMessage());
        byte[] cut = Arrays.copyOf(serde.serialize("t", account()), 14);
        assertThrows(MalformedPayloadException.class, () -> serde.deserialize("t", cut));
    }
}
