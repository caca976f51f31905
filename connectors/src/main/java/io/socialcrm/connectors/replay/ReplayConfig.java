package io.socialcrm.connectors.replay;

import io.socialcrm.connectors.files.ActivityFormat;
import io.socialcrm.connectors.source.SourceSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Settings of {@link ReplaySourceConnector}. */
public final class ReplayConfig extends AbstractConfig {
    public static final String FILES = "replay.files";
    public static final String FORMAT = "replay.format";
    public static final String PROFILES = "replay.profiles";
    public static final String IDLE_MS = "replay.idle.ms";
    /** Set by the connector on each task: the files that task reads. */
    static final String TASK_FILES = "replay.task.files";

    /** Formats of replay files. */
    public enum Format {
        AUTO, TWITTER_V1, ACTIVITY_JSON, JETSTREAM, MASTODON, CONSENTS_CSV;

        static Format of(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    public static final ConfigDef DEFINITION = SourceSettings.define(new ConfigDef()
            .define(FILES, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Importance.HIGH,
                    "Files to replay, or folders whose files (sorted by name, not recursively) are replayed. JSON lines or "
                            + "one JSON array a file; consents as CSV.")
            .define(FORMAT, ConfigDef.Type.STRING, "auto",
                    ConfigDef.CaseInsensitiveValidString.in("auto", "twitter-v1", "activity-json", "jetstream", "mastodon", "consents-csv"),
                    ConfigDef.Importance.HIGH, "Format of the files: twitter-v1 (Twitter API v1.1 statuses and stream "
                            + "messages), activity-json (SocialActivity field names), jetstream (Bluesky events as Jetstream sends them), "
                            + "mastodon (the streaming API's events, or REST statuses and notifications), consents-csv (header customer_id,platform,"
                            + "platform_user_id,handle,scopes,status,recorded_at), or auto: .csv files are consents, others "
                            + "are decided from their first object.")
            .define(PROFILES, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.MEDIUM,
                    "Also write the profile snapshots that Twitter and Mastodon payloads embed (the accounts' counts) to social-profiles.")
            .define(IDLE_MS, ConfigDef.Type.LONG, 1000L, ConfigDef.Range.between(10, 60_000), ConfigDef.Importance.LOW,
                    "How long a poll waits once every file has been read."));

    public ReplayConfig(Map<String, String> props) {
        super(DEFINITION, props);
    }

    public Format format() {
        return Format.of(getString(FORMAT));
    }

    /** The configured files, folders expanded; each must be a readable file. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (String entry : getList(FILES)) {
            Path path = Path.of(entry.trim());
            if (Files.isDirectory(path)) {
                try (Stream<Path> children = Files.list(path)) {
                    children.filter(Files::isRegularFile).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new ConfigException(FILES, entry, "cannot list the folder: " + e.getMessage());
                }
            } else if (Files.isRegularFile(path) && Files.isReadable(path)) {
                out.add(path);
            } else {
                throw new ConfigException(FILES, entry, "is not a readable file or folder on this worker");
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException(FILES, getList(FILES), "names no file");
        }
        return out.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
    }

    /** The format of one file under the configured format. */
    static Format formatOf(Path file, Format configured) throws IOException {
        if (configured != Format.AUTO) {
            return configured;
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return Format.CONSENTS_CSV;
        }
        return Format.of(ActivityFormat.detect(file).id());
    }
}
