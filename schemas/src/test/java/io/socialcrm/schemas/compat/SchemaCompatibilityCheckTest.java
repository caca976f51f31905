package io.socialcrm.schemas.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's schema compatibility check, on the real schemas and on deliberately broken copies. */
class SchemaCompatibilityCheckTest {
    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("src/main/avro-released");

    @Test
    void theCurrentSchemasReadEveryReleasedVersion() {
        assertEquals(List.of(), SchemaCompatibilityCheck.check(CURRENT, RELEASED));
    }

    @Test
    void everyContractRecordHasAReleasedVersion() throws IOException {
        try (Stream<Path> dirs = Files.list(RELEASED)) {
            List<String> released = dirs.map(p -> p.getFileName().toString()).toList();
            for (String record : List.of("SocialActivity", "ProfileSnapshot", "ConsentRecord", "SegmentDefinition",
                    "CustomerMerge", "ErasureRequest", "CustomerProfile", "SegmentChange", "SegmentMembership",
                    "ActivityMetrics", "ErasureReceipt")) {
                assertTrue(released.contains("io.socialcrm.avro." + record), record + " has no released version");
            }
        }
    }

    @Test
    void aFieldAddedWithoutDefaultIsCaughtAndNamed(@TempDir Path dir) throws IOException {
        Path broken = copy(dir);
        edit(broken.resolve("records/SocialActivity.avsc"),
                "{\"name\": \"eventId\"", "{\"name\": \"campaignId\", \"type\": \"string\"},\n    {\"name\": \"eventId\"");
        List<SchemaCompatibilityCheck.Problem> problems = SchemaCompatibilityCheck.check(broken, RELEASED);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("campaignId", problems.get(0).field());
        assertTrue(problems.get(0).toString().contains("io.socialcrm.avro.SocialActivity")
                && problems.get(0).toString().contains("without a default"), problems.get(0).toString());
    }

    @Test
    void aRetypedNestedFieldIsCaughtWithItsPath(@TempDir Path dir) throws IOException {
        Path broken = copy(dir);
        edit(broken.resolve("records/CustomerProfile.avsc"),
                "{\"name\": \"raw\", \"type\": \"double\"", "{\"name\": \"raw\", \"type\": \"string\"");
        List<SchemaCompatibilityCheck.Problem> problems = SchemaCompatibilityCheck.check(broken, RELEASED);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("influence.raw", problems.get(0).field());
    }

    @Test
    void enumsCanGrowAndShrinkBecauseTheyHaveADefault(@TempDir Path dir) throws IOException {
        Path grown = copy(dir.resolve("grown"));
        edit(grown.resolve("common/ActivityType.avsc"), "\"COMMENT\"]", "\"COMMENT\", \"VIEW\"]");
        assertEquals(List.of(), SchemaCompatibilityCheck.check(grown, RELEASED), "adding a symbol is compatible");
        Path shrunk = copy(dir.resolve("shrunk"));
        edit(shrunk.resolve("common/ActivityType.avsc"), ", \"COMMENT\"]", "]");
        assertEquals(List.of(), SchemaCompatibilityCheck.check(shrunk, RELEASED),
                "old COMMENT values read as the default UNKNOWN");
    }

    private static Path copy(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(CURRENT)) {
            for (Path source : files.toList()) {
                Path target = dir.resolve(CURRENT.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return dir;
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), "test setup: " + from + " not found in " + file);
        Files.writeString(file, text.replace(from, to));
    }
}
