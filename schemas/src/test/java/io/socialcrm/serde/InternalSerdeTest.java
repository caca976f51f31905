package io.socialcrm.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.socialcrm.avro.SegmentDefinition;
import io.socialcrm.avro.internal.AccountState;
import io.socialcrm.avro.internal.CustomerState;
import io.socialcrm.avro.internal.Membership;
import io.socialcrm.testing.SampleRecords;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
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
    void theGeneratedEncodersWriteWhatAvrosSchemaWalkWrites() throws Exception {
        // the serde writes customer state with the generated classes' own encoders ("custom coders"):
        // the bytes must be those of the schema walk, or state written before would read differently
        CustomerState state = CustomerState.newBuilder().setAccounts(List.of(account(), account()))
                .setMemberships(List.of(new Membership("top-influencers", 7L, 2, "", 9L), new Membership("all", 1L, 1, "why", null)))
                .setMergedFrom(List.of("c-2")).setRedirectTo(null).setLastScore(42.5f).setRefreshedAt(123L).build();
        byte[] ours = InternalSerde.of(CustomerState.class).serialize("t", state);
        assertEquals(true, org.apache.avro.specific.SpecificData.getForClass(CustomerState.class).useCustomCoders());
        java.io.ByteArrayOutputStream walked = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(walked, null);
        new org.apache.avro.generic.GenericDatumWriter<CustomerState>(CustomerState.getClassSchema(), new GenericData())
                .write(state, encoder);
        encoder.flush();
        assertArrayEquals(walked.toByteArray(), Arrays.copyOfRange(ours, 10, ours.length), "the body after the 10-byte header");
        assertEquals(state, InternalSerde.of(CustomerState.class).deserialize("t", ours));
    }

    @Test
    void aWriteThatFailedLeavesNothingInTheNextOnesOfAnyType() throws Exception {
        // the serdes of a thread share one output and keep their encoders: a record that fails half
        // written must not leave its first fields in front of the next record's
        InternalSerde<AccountState> accounts = InternalSerde.of(AccountState.class);
        AccountState broken = account();
        broken.setHours(null); // written after a dozen fields, then the writer fails
        assertThrows(SerdeException.class, () -> accounts.serialize("t", broken));
        CustomerState large = CustomerState.newBuilder().setAccounts(java.util.Collections.nCopies(40, account())).build();
        for (int round = 0; round < 3; round++) {
            assertArrayEquals(avrosOwn(account()), accounts.serialize("t", account()));
            assertArrayEquals(avrosOwn(large), InternalSerde.of(CustomerState.class).serialize("t", large), "a record of 3 KB after a small one");
            assertEquals(large, InternalSerde.of(CustomerState.class).deserialize("t", InternalSerde.of(CustomerState.class).serialize("t", large)));
        }
    }

    private static byte[] avrosOwn(org.apache.avro.specific.SpecificRecordBase record) throws Exception {
        ByteBuffer encoded = record instanceof AccountState a ? AccountState.getEncoder().encode(a)
                : CustomerState.getEncoder().encode((CustomerState) record);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    @Test
    void contractRecordsRoundTripToo() {
        InternalSerde<SegmentDefinition> serde = InternalSerde.of(SegmentDefinition.class);
        assertEquals(SampleRecords.segment(), serde.deserialize("t", serde.serialize("t", SampleRecords.segment())));
    }

    @Test
    void stateWrittenWithTheReleasedSchemaIsStillRead() throws Exception {
        // customer state as the first release wrote it (memberships without exitDueSince)
        Schema v1;
        try (InputStream in = InternalSerde.class.getResourceAsStream("/avro-released/io.socialcrm.avro.internal.CustomerState/v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord membership = new GenericData.Record(v1.getField("memberships").schema().getElementType());
        membership.put("segmentId", "top-influencers");
        membership.put("since", 42L);
        membership.put("definitionVersion", 3);
        membership.put("reason", "");
        GenericRecord old = new GenericRecordBuilder(v1).set("memberships", List.of(membership)).build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        CustomerState read = InternalSerde.of(CustomerState.class).deserialize("t", bytes);
        Membership m = read.getMemberships().get(0);
        assertEquals("top-influencers", m.getSegmentId());
        assertEquals(42L, m.getSince());
        assertEquals(null, m.getExitDueSince(), "a field added since then takes its default");
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
