package io.socialcrm.connectors.source;

import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ProfileSnapshot;
import io.socialcrm.avro.SocialActivity;
import io.socialcrm.connectors.convert.ConnectAvro;
import io.socialcrm.connectors.mapping.Mapped;
import io.socialcrm.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Contract records as Connect source records: the value a struct of the record (see
 * {@link ConnectAvro}), the key the account key ({@code platform:platformUserId}) the topology
 * expects, the topic from the catalogue. No timestamp is set, so the producer stamps the time of
 * writing: event time travels in the values, and retention counts from when a record arrived.
 */
public final class ContractRecords {
    private final Topics topics;
    private final boolean withProfiles;

    public ContractRecords(Topics topics, boolean withProfiles) {
        this.topics = topics;
        this.withProfiles = withProfiles;
    }

    /** The activities of a payload (and the profile snapshots it embeds, if wanted). */
    public List<SourceRecord> of(Mapped mapped, Map<String, ?> partition, Map<String, ?> offset) {
        List<SourceRecord> out = new ArrayList<>(mapped.activities().size() + mapped.profiles().size());
        for (SocialActivity a : mapped.activities()) {
            out.add(record(partition, offset, topics.socialActivity.name(), accountKey(a.getPlatform(), a.getActorId()), a));
        }
        if (withProfiles) {
            for (ProfileSnapshot p : mapped.profiles()) {
                out.add(profile(p, partition, offset));
            }
        }
        return out;
    }

    public SourceRecord profile(ProfileSnapshot p, Map<String, ?> partition, Map<String, ?> offset) {
        return record(partition, offset, topics.socialProfiles.name(), accountKey(p.getPlatform(), p.getPlatformUserId()), p);
    }

    public SourceRecord consent(ConsentRecord c, Map<String, ?> partition, Map<String, ?> offset) {
        return record(partition, offset, topics.consents.name(), accountKey(c.getPlatform(), c.getPlatformUserId()), c);
    }

    public static String accountKey(String platform, String userId) {
        return platform.toLowerCase(Locale.ROOT) + ":" + userId;
    }

    private static SourceRecord record(Map<String, ?> partition, Map<String, ?> offset, String topic, String key,
                                       SpecificRecord value) {
        return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, key,
                ConnectAvro.schemaOf(value.getSchema()), ConnectAvro.toConnect(value));
    }
}
