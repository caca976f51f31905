package io.socialcrm.serde;

/** The payload does not start with the Confluent magic byte 0: not written by an Avro serde of this format. */
public class UnknownMagicByteException extends SerdeException {
    private final byte magicByte;

    public UnknownMagicByteException(String topic, byte magicByte) {
        super(String.format("Unknown magic byte 0x%02x in a record of topic '%s': expected 0x00 "
                + "(Confluent wire format: magic byte, 4-byte schema id, Avro binary)", magicByte, topic));
        this.magicByte = magicByte;
    }

    public byte magicByte() {
        return magicByte;
    }
}
