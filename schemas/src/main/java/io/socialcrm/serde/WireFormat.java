package io.socialcrm.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: magic byte {@code 0}, the writer schema's registry id as a 4-byte
 * big-endian int, then the Avro binary encoding of the value.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int ID_SIZE = 4;
    public static final int HEADER_SIZE = 1 + ID_SIZE;

    private WireFormat() {
    }

    /** Reads and checks the header; the buffer is left positioned at the first Avro byte. */
    public static int readSchemaId(String topic, ByteBuffer payload) {
        if (payload.remaining() < HEADER_SIZE) {
            throw new TruncatedPayloadException(topic, payload.remaining(),
                    "shorter than the 5-byte header (magic byte + schema id)");
        }
        byte magic = payload.get();
        if (magic != MAGIC_BYTE) {
            throw new UnknownMagicByteException(topic, magic);
        }
        return payload.getInt();
    }

    public static void writeHeader(ByteBuffer target, int schemaId) {
        target.put(MAGIC_BYTE).putInt(schemaId);
    }
}
