package io.socialcrm.connectors.files;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.socialcrm.avro.ConsentRecord;
import io.socialcrm.avro.ConsentScope;
import io.socialcrm.avro.ConsentStatus;
import io.socialcrm.serde.PlainJson;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Consents as CSV, one opt-in a row, header
 * {@code customer_id,platform,platform_user_id,handle,scopes,status,recorded_at}: scopes separated
 * by '|' (ACTIVITY, CONTENT, PROFILE, MESSAGING), status GRANTED or REVOKED, recorded_at ISO-8601
 * (or epoch milliseconds). Policy version and source may follow as optional columns
 * {@code policy_version,source}.
 */
public final class ConsentCsv {
    public static final List<String> HEADER = List.of("customer_id", "platform", "platform_user_id", "handle", "scopes",
            "status", "recorded_at");

    private ConsentCsv() {
    }

    public static void read(Path file, Consumer<FileItem<ConsentRecord>> sink) throws IOException {
        open(file).forEachRemaining(sink);
    }

    /** A reader of the file's consents; a wrong header is one refused item, and nothing follows it. */
    public static ItemReader<ConsentRecord> open(Path file) throws IOException {
        String name = file.getFileName().toString();
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.TRIM_SPACES).enable(CsvParser.Feature.SKIP_EMPTY_LINES);
        Reader reader = TextFiles.open(file);
        MappingIterator<List<String>> rows;
        try {
            rows = mapper.readerForListOf(String.class).with(CsvSchema.emptySchema())
                    .with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(reader);
        } catch (TextFiles.NotText e) {
            reader.close();
            return ItemReader.notText(name, e);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
        return new ItemReader<>() {
            private List<String> header;
            private boolean done;
            private long position;

            @Override
            public FileItem<ConsentRecord> next() throws IOException {
                if (done) {
                    return null;
                }
                try {
                    return nextRow();
                } catch (RuntimeException | TextFiles.NotText e) {
                    TextFiles.NotText notText = TextFiles.notText(e);
                    if (notText == null) {
                        throw e;
                    }
                    done = true;
                    position++;
                    return notText.restSkipped(name, Math.max(1, rows.getCurrentLocation().getLineNr()));
                }
            }

            private FileItem<ConsentRecord> nextRow() throws IOException {
                if (header == null) {
                    if (!rows.hasNext()) {
                        done = true;
                        return null;
                    }
                    header = rows.next().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
                    if (header.size() < HEADER.size() || !header.subList(0, HEADER.size()).equals(HEADER)) {
                        done = true;
                        position++;
                        return FileItem.refused(name + ":1", 1, "header must be " + String.join(",", HEADER)
                                + " (then optionally policy_version,source); the file is skipped");
                    }
                }
                if (!rows.hasNext()) {
                    done = true;
                    return null;
                }
                position++;
                long line = rows.getCurrentLocation().getLineNr();
                List<String> row;
                try {
                    row = rows.next();
                } catch (RuntimeException e) {
                    if (TextFiles.notText(e) != null) {
                        throw e;
                    }
                    return FileItem.refused(name + ":" + line, line, "not valid CSV: " + e.getMessage());
                }
                try {
                    return FileItem.ok(name + ":" + line, line, consent(row, header));
                } catch (IllegalArgumentException e) {
                    return FileItem.refused(name + ":" + line, line, e.getMessage(), String.join(",", row));
                }
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void close() throws IOException {
                rows.close();
                reader.close();
            }
        };
    }

    private static ConsentRecord consent(List<String> row, List<String> header) {
        if (row.size() < HEADER.size()) {
            throw new IllegalArgumentException("expected " + HEADER.size() + " columns, found " + row.size());
        }
        String customerId = required(row, 0, "customer_id");
        String platform = required(row, 1, "platform").toLowerCase(Locale.ROOT);
        String userId = required(row, 2, "platform_user_id");
        List<ConsentScope> scopes = new ArrayList<>();
        for (String scope : row.get(4).split("\\|")) {
            if (scope.isBlank()) {
                continue;
            }
            try {
                scopes.add(ConsentScope.valueOf(scope.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scope '" + scope.trim() + "' is not one of ACTIVITY, CONTENT, PROFILE, MESSAGING");
            }
        }
        ConsentStatus status;
        String statusText = required(row, 5, "status").toUpperCase(Locale.ROOT);
        if (statusText.equals("GRANTED") || statusText.equals("REVOKED")) {
            status = ConsentStatus.valueOf(statusText);
        } else {
            throw new IllegalArgumentException("status must be GRANTED or REVOKED, not '" + row.get(5) + "'");
        }
        long recordedAt;
        try {
            recordedAt = PlainJson.timestamp(TextNode.valueOf(required(row, 6, "recorded_at")), "recorded_at");
        } catch (PlainJson.InvalidJsonException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return ConsentRecord.newBuilder().setCustomerId(customerId).setPlatform(platform).setPlatformUserId(userId)
                .setHandle(row.get(3).isBlank() ? null : row.get(3)).setScopes(scopes).setStatus(status)
                .setPolicyVersion(optional(row, header, "policy_version")).setSource(optional(row, header, "source"))
                .setRecordedAt(Instant.ofEpochMilli(recordedAt)).build();
    }

    private static String required(List<String> row, int index, String column) {
        String value = row.get(index);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(column + " is empty");
        }
        return value.trim();
    }

    private static String optional(List<String> row, List<String> header, String column) {
        int index = header.indexOf(column);
        return index >= 0 && index < row.size() && !row.get(index).isBlank() ? row.get(index).trim() : null;
    }
}
