package io.socialcrm.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * What a Kafka Streams state directory holds: every live entry of every RocksDB store in it, opened
 * read-only with RocksDB itself, as the application (or anyone with the disk and RocksDB) reads it.
 */
final class StateDirectoryScan {
    private StateDirectoryScan() {
    }

    /** Where a needle was found. */
    record Hit(Path where, String needle, String how) {
    }

    static List<Hit> liveEntries(Path stateDir, List<String> needles) throws IOException, RocksDBException {
        RocksDB.loadLibrary();
        List<Hit> hits = new ArrayList<>();
        for (Path db : databases(stateDir)) {
            List<byte[]> families;
            try (Options options = new Options()) {
                families = RocksDB.listColumnFamilies(options, db.toString());
            }
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            families.forEach(f -> descriptors.add(new ColumnFamilyDescriptor(f)));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (DBOptions options = new DBOptions(); RocksDB rocks = RocksDB.openReadOnly(options, db.toString(), descriptors, handles)) {
                for (ColumnFamilyHandle handle : handles) {
                    try (RocksIterator it = rocks.newIterator(handle)) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            for (String needle : needles) {
                                if (contains(it.key(), needle) || contains(it.value(), needle)) {
                                    hits.add(new Hit(db, needle, "live entry of column family "
                                            + new String(handle.getName(), StandardCharsets.UTF_8)));
                                }
                            }
                        }
                    }
                    handle.close();
                }
            }
        }
        return hits;
    }

    /** Folders of RocksDB databases (they hold a CURRENT file). */
    static List<Path> databases(Path stateDir) throws IOException {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(p -> p.getFileName().toString().equals("CURRENT")).map(Path::getParent).toList();
        }
    }

    static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
