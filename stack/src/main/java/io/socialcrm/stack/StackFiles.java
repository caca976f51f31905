package io.socialcrm.stack;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** The stack's folders: where the build put what it runs, and removal of temporary ones. */
public final class StackFiles {
    private StackFiles() {
    }

    /**
     * The folder holding {@code type}'s jar or classes folder ({@code app/target} for the built jar, where the
     * build also unpacks the schema registry and the Connect plugins), or null if it cannot be told.
     */
    public static Path codeFolder(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** Deletes a folder and everything in it; a missing folder is fine. Best effort: logs nothing, throws nothing. */
    public static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a file still in use by a dying process: the OS temp cleaner gets it
        }
    }
}
