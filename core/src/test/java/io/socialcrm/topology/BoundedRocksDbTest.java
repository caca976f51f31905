package io.socialcrm.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The options every store gets: a lookup of a key that is not there is answered by a filter the
 * block cache keeps, however large the store's files are.
 */
class BoundedRocksDbTest {
    /** Keys enough for a file whose whole filter (about 1.2 bytes a key) is larger than a cache shard (2 MB of 128 MB). */
    private static final int KEYS = 2_500_000;

    @TempDir
    Path dir;

    @Test
    void aMissingKeyInALargeFileIsAnsweredFromTheCachedFilter() throws Exception {
        RocksDB.loadLibrary();
        try (Statistics statistics = new Statistics();
             Options options = new Options().setCreateIfMissing(true).setTableFormatConfig(new BlockBasedTableConfig())) {
            new BoundedRocksDb().setConfig("seen-index", options, Map.of(BoundedRocksDb.TOTAL_BYTES, Long.toString(128L << 20)));
            options.setStatistics(statistics);
            try (RocksDB db = RocksDB.open(options, dir.toString()); WriteOptions noWal = new WriteOptions().setDisableWAL(true)) {
                for (int i = 0; i < KEYS; i += 1_000) {
                    try (WriteBatch batch = new WriteBatch()) {
                        for (int k = i; k < i + 1_000; k++) {
                            batch.put(key(k), new byte[] {1});
                        }
                        db.write(noWal, batch);
                    }
                }
                try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(flush);
                }
                db.compactRange(); // one file on the last level, as a long-lived store's data ends up
                assertEquals("1", db.getProperty("rocksdb.num-files-at-level6"), db.getProperty("rocksdb.levelstats"));

                int lookups = 5_000;
                for (int i = 0; i < lookups; i++) {
                    assertNull(db.get(key(KEYS + i))); // warms the cache
                }
                long filterMisses = statistics.getTickerCount(TickerType.BLOCK_CACHE_FILTER_MISS);
                long bytesRead = statistics.getTickerCount(TickerType.BLOCK_CACHE_BYTES_READ);
                for (int i = 0; i < lookups; i++) {
                    assertNull(db.get(key(2 * KEYS + i)));
                }
                long misses = statistics.getTickerCount(TickerType.BLOCK_CACHE_FILTER_MISS) - filterMisses;
                // with one filter for the whole file it missed the cache at every lookup (5,000 reads of 3 MB)
                assertTrue(misses < lookups / 10, misses + " of " + lookups + " lookups read the filter from the file");
                long read = statistics.getTickerCount(TickerType.BLOCK_CACHE_BYTES_READ) - bytesRead;
                assertTrue(read / lookups < 64 * 1024, read / lookups + " bytes of cached blocks read a lookup");
                assertEquals(1, db.get(key(42))[0]);
            }
        }
    }

    /** Keys spread as the index's salted hashes are: 8 bytes, in no order. */
    private static byte[] key(long i) {
        return ByteBuffer.allocate(Long.BYTES).putLong(i * 0x9E3779B97F4A7C15L).array();
    }
}
